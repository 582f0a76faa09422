//! Empty: this package exists to own the workspace-level tests in `tests/`.
