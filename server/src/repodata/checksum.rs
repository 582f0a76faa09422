//! Checksums as `repomd.xml` declares them (`sha1`/`sha`, `sha224`, `sha256`, `sha384`,
//! `sha512`): computing them over streams, and comparing against declared values.
//!
//! Pure computation plus a reader adapter; the only IO is reading the stream it is given.

use std::fmt::Write as _;
use std::io::{self, Read};
use std::path::Path;

use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use super::error::RepodataError;

/// A supported checksum algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChecksumKind {
    /// SHA-1 (`sha1`, or `sha` in old yum metadata).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl ChecksumKind {
    /// The algorithm named by a `type` attribute, or `None` if unsupported (e.g. `md5`).
    pub fn from_name(name: &str) -> Option<ChecksumKind> {
        match name.to_ascii_lowercase().as_str() {
            "sha" | "sha1" => Some(ChecksumKind::Sha1),
            "sha224" => Some(ChecksumKind::Sha224),
            "sha256" => Some(ChecksumKind::Sha256),
            "sha384" => Some(ChecksumKind::Sha384),
            "sha512" => Some(ChecksumKind::Sha512),
            _ => None,
        }
    }

    /// The canonical name (`sha1`, `sha256`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ChecksumKind::Sha1 => "sha1",
            ChecksumKind::Sha224 => "sha224",
            ChecksumKind::Sha256 => "sha256",
            ChecksumKind::Sha384 => "sha384",
            ChecksumKind::Sha512 => "sha512",
        }
    }
}

/// A declared checksum: algorithm name as written and lowercase hex value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksum {
    /// The `type` attribute as written (`sha256`, `sha`, `md5`, …).
    pub kind: String,
    /// The hex digest, lowercased.
    pub value: String,
}

impl Checksum {
    /// A checksum from a type name and hex value (the value is lowercased and trimmed).
    pub fn new(kind: impl Into<String>, value: &str) -> Checksum {
        Checksum { kind: kind.into(), value: value.trim().to_ascii_lowercase() }
    }

    /// The supported algorithm, or [`RepodataError::UnsupportedChecksum`].
    pub fn algorithm(&self, file: &str) -> Result<ChecksumKind, RepodataError> {
        ChecksumKind::from_name(&self.kind).ok_or_else(|| RepodataError::UnsupportedChecksum {
            file: file.to_owned(),
            kind: self.kind.clone(),
        })
    }

    /// A fresh hasher for this checksum's algorithm.
    pub fn hasher(&self, file: &str) -> Result<Hasher, RepodataError> {
        Ok(Hasher::new(self.algorithm(file)?))
    }

    /// Compares a finished hasher with this checksum.
    pub fn check(&self, file: &str, hasher: Hasher) -> Result<(), RepodataError> {
        let kind = hasher.kind();
        let actual = hasher.finish_hex();
        if actual == self.value {
            Ok(())
        } else {
            Err(RepodataError::ChecksumMismatch {
                file: file.to_owned(),
                expected: format!("{}:{}", self.kind, self.value),
                actual: format!("{}:{actual}", kind.as_str()),
            })
        }
    }
}

/// An incremental digest of one of the supported algorithms.
#[derive(Clone)]
pub enum Hasher {
    /// SHA-1 state.
    Sha1(Sha1),
    /// SHA-224 state.
    Sha224(Sha224),
    /// SHA-256 state.
    Sha256(Sha256),
    /// SHA-384 state.
    Sha384(Sha384),
    /// SHA-512 state.
    Sha512(Sha512),
}

impl Hasher {
    /// A fresh hasher.
    pub fn new(kind: ChecksumKind) -> Hasher {
        match kind {
            ChecksumKind::Sha1 => Hasher::Sha1(Sha1::new()),
            ChecksumKind::Sha224 => Hasher::Sha224(Sha224::new()),
            ChecksumKind::Sha256 => Hasher::Sha256(Sha256::new()),
            ChecksumKind::Sha384 => Hasher::Sha384(Sha384::new()),
            ChecksumKind::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    /// The algorithm.
    pub fn kind(&self) -> ChecksumKind {
        match self {
            Hasher::Sha1(_) => ChecksumKind::Sha1,
            Hasher::Sha224(_) => ChecksumKind::Sha224,
            Hasher::Sha256(_) => ChecksumKind::Sha256,
            Hasher::Sha384(_) => ChecksumKind::Sha384,
            Hasher::Sha512(_) => ChecksumKind::Sha512,
        }
    }

    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(data),
            Hasher::Sha224(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    /// The lowercase hex digest.
    pub fn finish_hex(self) -> String {
        let bytes: Vec<u8> = match self {
            Hasher::Sha1(h) => h.finalize().to_vec(),
            Hasher::Sha224(h) => h.finalize().to_vec(),
            Hasher::Sha256(h) => h.finalize().to_vec(),
            Hasher::Sha384(h) => h.finalize().to_vec(),
            Hasher::Sha512(h) => h.finalize().to_vec(),
        };
        let mut out = String::with_capacity(bytes.len() * 2);
        for b in bytes {
            let _ = write!(out, "{b:02x}");
        }
        out
    }
}

/// A reader that hashes everything read through it (when given a hasher).
pub struct HashingReader<R> {
    inner: R,
    hasher: Option<Hasher>,
    bytes: u64,
}

impl<R: Read> HashingReader<R> {
    /// Wraps `inner`; `hasher` None only counts bytes.
    pub fn new(inner: R, hasher: Option<Hasher>) -> HashingReader<R> {
        HashingReader { inner, hasher, bytes: 0 }
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// Reads the rest of the stream (so the digest covers all of it) and returns the hasher.
    pub fn finish(mut self) -> io::Result<Option<Hasher>> {
        io::copy(&mut self, &mut io::sink())?;
        Ok(self.hasher)
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hasher {
            h.update(&buf[..n]);
        }
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Hashes a whole file and compares it with `expected` (labelled `file` in errors).
pub fn verify_file(path: &Path, file: &str, expected: &Checksum) -> Result<(), RepodataError> {
    let mut hasher = expected.hasher(file)?;
    let mut f = std::fs::File::open(path).map_err(|e| RepodataError::io(path, e))?;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(RepodataError::io(path, e)),
        };
        hasher.update(&buf[..n]);
    }
    expected.check(file, hasher)
}
