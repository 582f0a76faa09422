//! RPM semantics core: version comparison (`rpmvercmp`), epoch-version-release values,
//! NEVRAs and dependency expressions (plain and rich/boolean), as RPM ≥ 4.15 defines them.
//!
//! Pure functions over strings: this module must not do IO, touch the database or Koji, and
//! must not depend on anything else in the crate.

pub mod dep;
pub mod evr;

pub use dep::{Dep, DepContext, DepErrorKind, DepParseError, MAX_NESTING, RichDep};
pub use evr::{
    Evr, EvrParseError, Nevra, NevraParseError, Op, cmp_evr_parts, ranges_overlap, rpmvercmp,
    rpmvercmp_bytes, satisfies,
};
