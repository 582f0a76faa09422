//! The scheduler: which package to build next. `plan` is a pure step machine (the caller
//! answers its questions about SRPM arches and Koji load); `table` renders its inputs and
//! decisions as text for tests and logs.

pub mod plan;
pub mod table;
