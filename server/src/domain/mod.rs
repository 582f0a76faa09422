//! Pure domain rules of the rebuild loop: priorities, skip reasons, retry backoff, SRPM
//! architectures and Koji load. No IO: inputs are snapshots, outputs are values.

pub mod arches;
pub mod changes;
pub mod priority;
