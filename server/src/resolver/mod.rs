//! Build-dependency resolver: Koschei's dependency solving (spec §4.1) on the system libsolv,
//! dependency distances, the dependency-change diff, and the offline batch resolution of a
//! whole source repository against a binary repository (`koschei resolve`).
//!
//! The solving works on local rpm-md directories only and must not download repositories,
//! talk to Koji or touch the database (callers persist results); `offline` is the one IO
//! edge here (fetching repositories for `koschei resolve` and writing its output).

pub mod batch;
pub mod diff;
pub mod distances;
pub mod ffi;
pub mod incremental;
pub mod index;
pub mod offline;
pub mod pool;
pub mod repodata;
pub mod solve;

pub use batch::{BatchOptions, BatchOutput, BatchSummary, PackageResult, SourcePackage};
pub use diff::{ChangeKind, DependencyChange, ResolvedDep, create_dependency_changes};
pub use distances::dependency_distances;
pub use solve::{Resolution, ResolveError, Sack, resolve};

#[cfg(test)]
mod incremental_tests;
#[cfg(test)]
mod tests;
