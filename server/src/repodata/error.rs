//! The error type of the repodata module: every way reading, verifying or fetching
//! repository metadata can fail, as a typed value (never a panic).
//!
//! This file only defines the type and small constructors; it must not do IO.

use std::io;

/// Why repository metadata could not be read, verified or fetched.
#[derive(Debug, thiserror::Error)]
pub enum RepodataError {
    /// Reading or writing a local file failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory involved.
        path: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The compressed data is corrupt (bad header, bad block, wrong format).
    #[error("cannot decompress {file}: {message}")]
    Decompress {
        /// The metadata file.
        file: String,
        /// What the decompressor reported.
        message: String,
    },
    /// The XML (or `repomd.xml` content) is not what rpm-md allows.
    #[error("malformed {file} at byte {position}: {message}")]
    Malformed {
        /// The metadata file.
        file: String,
        /// Byte offset in the (decompressed) document where the problem was noticed.
        position: u64,
        /// What is wrong.
        message: String,
    },
    /// The document or the compressed stream ends early.
    #[error("{file} is truncated: {message}")]
    Truncated {
        /// The metadata file.
        file: String,
        /// Where or how it ended.
        message: String,
    },
    /// A checksum (of the compressed file or of its decompressed content) differs from the
    /// one `repomd.xml` declares.
    #[error("checksum mismatch for {file}: expected {expected}, got {actual}")]
    ChecksumMismatch {
        /// The metadata file (with `(open)` appended for the decompressed content).
        file: String,
        /// Declared `type:hex`.
        expected: String,
        /// Computed `type:hex`.
        actual: String,
    },
    /// A checksum type we cannot compute (e.g. `md5`).
    #[error("unsupported checksum type {kind:?} for {file}")]
    UnsupportedChecksum {
        /// The metadata file.
        file: String,
        /// The declared type.
        kind: String,
    },
    /// Something required is absent (e.g. no `primary` entry in `repomd.xml`).
    #[error("missing {what}")]
    Missing {
        /// What is missing.
        what: String,
    },
    /// An HTTP request failed: a non-success status, or a transport error (`status` None).
    #[error("HTTP request for {url} failed ({}): {message}", status.map_or("no status".to_owned(), |s| s.to_string()))]
    Http {
        /// The requested URL.
        url: String,
        /// The HTTP status, if a response arrived.
        status: Option<u16>,
        /// Details.
        message: String,
    },
    /// A repository cache key that cannot be used as a directory name.
    #[error("invalid repository cache key {key:?}")]
    InvalidKey {
        /// The rejected key.
        key: String,
    },
    /// Every cached repository is in use and the cache is at capacity.
    #[error("repository cache exhausted: {capacity} entries, all in use")]
    CacheExhausted {
        /// The configured capacity.
        capacity: usize,
    },
}

impl RepodataError {
    /// An [`RepodataError::Io`] for `path`.
    pub fn io(path: impl AsRef<std::path::Path>, source: io::Error) -> RepodataError {
        RepodataError::Io { path: path.as_ref().display().to_string(), source }
    }

    /// A [`RepodataError::Malformed`].
    pub fn malformed(file: &str, position: u64, message: impl Into<String>) -> RepodataError {
        RepodataError::Malformed { file: file.to_owned(), position, message: message.into() }
    }

    /// A [`RepodataError::Truncated`].
    pub fn truncated(file: &str, message: impl Into<String>) -> RepodataError {
        RepodataError::Truncated { file: file.to_owned(), message: message.into() }
    }

    /// A [`RepodataError::Missing`].
    pub fn missing(what: impl Into<String>) -> RepodataError {
        RepodataError::Missing { what: what.into() }
    }

    /// Whether retrying the same operation later could succeed (network and local IO
    /// failures), as opposed to bad metadata.
    pub fn is_transient(&self) -> bool {
        matches!(self, RepodataError::Io { .. } | RepodataError::Http { .. })
    }
}
