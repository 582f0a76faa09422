//! RPM repository metadata (rpm-md): streaming parsers for `repomd.xml`, `primary.xml`,
//! `filelists.xml` and comps, transparent decompression (gz, xz, zst), checksum
//! verification, and the IO edge that fetches repositories over HTTP(S) into a bounded
//! on-disk cache.
//!
//! The parsers are pure functions of a byte stream: they never touch the network, never
//! build a DOM, and turn every malformed, truncated or mismatching input into a
//! [`RepodataError`] instead of panicking. Only `fetch` and `cache` do network IO; they
//! must not parse anything themselves beyond calling the parsers here.

pub mod cache;
pub mod checksum;
pub mod compress;
pub mod comps;
pub mod error;
pub mod fetch;
pub mod filelists;
pub mod model;
pub mod primary;
pub mod repo;
pub mod repomd;
mod xml;

#[cfg(test)]
mod tests;

pub use cache::RepoCache;
pub use checksum::{Checksum, ChecksumKind};
pub use compress::Compression;
pub use comps::read_comps;
pub use error::RepodataError;
pub use filelists::{FilelistEntry, FilelistsReader, merge_filelists};
pub use model::{Capability, CompsGroup, DepKind, GroupPackage, GroupPackageType, RepoPackage};
pub use primary::{PrimaryReader, parse_primary};
pub use repo::{LoadOptions, LocalRepo, RepoData, RepoSource};
pub use repomd::{Repomd, RepomdData};
