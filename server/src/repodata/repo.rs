//! A repository on local disk (a directory holding `repodata/repomd.xml`): opening its
//! metadata files with decompression and checksum verification, and loading packages,
//! file lists and comps groups through the streaming parsers.
//!
//! Local file IO only; no network access (see `fetch`/`cache` for that).

use std::any::Any;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::checksum::{Checksum, HashingReader, verify_file};
use super::compress::{classify_io, decompress};
use super::comps::read_comps;
use super::error::RepodataError;
use super::filelists::merge_filelists;
use super::model::{CompsGroup, RepoPackage};
use super::primary::PrimaryReader;
use super::repomd::{Repomd, RepomdData};

/// Where a repository comes from: an HTTP(S) base URL, or a local directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepoSource {
    /// Base URL (the parent of `repodata/`).
    Url(String),
    /// Local directory (the parent of `repodata/`, or `repodata/` itself).
    Dir(PathBuf),
}

impl RepoSource {
    /// `http://…`/`https://…` → URL; `file://PATH` or anything else → directory.
    pub fn parse(s: &str) -> RepoSource {
        let lower = s.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            RepoSource::Url(s.to_owned())
        } else if let Some(path) = s.strip_prefix("file://") {
            RepoSource::Dir(PathBuf::from(path))
        } else {
            RepoSource::Dir(PathBuf::from(s))
        }
    }
}

/// What [`LocalRepo::load`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// Merge `filelists.xml` into the packages' files (when the repository has one).
    pub filelists: bool,
    /// Read the comps groups (when the repository has them).
    pub groups: bool,
    /// Verify the checksums `repomd.xml` declares.
    pub verify: bool,
}

impl Default for LoadOptions {
    fn default() -> LoadOptions {
        LoadOptions { filelists: true, groups: true, verify: true }
    }
}

/// Everything [`LocalRepo::load`] read.
#[derive(Debug, Clone, Default)]
pub struct RepoData {
    /// The index.
    pub repomd: Repomd,
    /// Packages of primary, with filelists merged if requested.
    pub packages: Vec<RepoPackage>,
    /// Comps groups (empty if none or not requested).
    pub groups: Vec<CompsGroup>,
}

/// The decompressed content of one metadata file; call [`MetadataStream::finish`] after
/// parsing to verify its open checksum.
pub struct MetadataStream {
    inner: BufReader<HashingReader<Box<dyn Read + Send>>>,
    open_checksum: Option<Checksum>,
    open_size: Option<u64>,
    label: String,
}

impl MetadataStream {
    /// Reads what the parser left (trailing whitespace) and checks the open checksum and
    /// open size, if `repomd.xml` declared them and verification was requested.
    pub fn finish(self) -> Result<(), RepodataError> {
        let hashing = self.inner.into_inner();
        let label = self.label;
        let mut hashing = hashing;
        io::copy(&mut hashing, &mut io::sink()).map_err(|e| classify_io(&label, &e))?;
        let bytes = hashing.bytes_read();
        let hasher = hashing.finish().map_err(|e| classify_io(&label, &e))?;
        if let (Some(expected), Some(hasher)) = (&self.open_checksum, hasher) {
            expected.check(&format!("{label} (decompressed)"), hasher)?;
        }
        if let Some(size) = self.open_size.filter(|&s| s != bytes) {
            return Err(RepodataError::ChecksumMismatch {
                file: format!("{label} (decompressed size)"),
                expected: size.to_string(),
                actual: bytes.to_string(),
            });
        }
        Ok(())
    }
}

impl Read for MetadataStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

impl BufRead for MetadataStream {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt)
    }
}

/// A repository directory with its parsed `repomd.xml`. Handles given out by the cache
/// keep the directory from being evicted while they (or clones) live.
#[derive(Clone)]
pub struct LocalRepo {
    dir: PathBuf,
    repomd: Repomd,
    _lease: Option<Arc<dyn Any + Send + Sync>>,
}

impl std::fmt::Debug for LocalRepo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalRepo").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl LocalRepo {
    /// Opens the repository at `dir` (or, if `dir` is itself a `repodata` directory, at its
    /// parent) by parsing `repodata/repomd.xml`.
    pub fn open(dir: impl AsRef<Path>) -> Result<LocalRepo, RepodataError> {
        let mut dir = dir.as_ref().to_path_buf();
        if !dir.join("repodata/repomd.xml").is_file()
            && dir.join("repomd.xml").is_file()
            && dir.file_name().is_some_and(|n| n == "repodata")
            && let Some(parent) = dir.parent()
        {
            dir = parent.to_path_buf();
        }
        let path = dir.join("repodata/repomd.xml");
        let f = std::fs::File::open(&path).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                RepodataError::missing(format!("{}", path.display()))
            } else {
                RepodataError::io(&path, e)
            }
        })?;
        let repomd = Repomd::parse(BufReader::new(f), "repodata/repomd.xml")?;
        Ok(LocalRepo { dir, repomd, _lease: None })
    }

    /// Attaches a lease (kept alive as long as this handle and its clones).
    pub(crate) fn with_lease(mut self, lease: Arc<dyn Any + Send + Sync>) -> LocalRepo {
        self._lease = Some(lease);
        self
    }

    /// The repository directory (parent of `repodata/`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The parsed `repomd.xml`.
    pub fn repomd(&self) -> &Repomd {
        &self.repomd
    }

    /// Opens one metadata file decompressed; with `verify`, its stored checksum is checked
    /// first and its open checksum is checked by [`MetadataStream::finish`].
    pub fn open_data(
        &self,
        data: &RepomdData,
        verify: bool,
    ) -> Result<MetadataStream, RepodataError> {
        let path = self.dir.join(data.relative_path()?);
        let label = data.location_href.clone();
        if verify && let Some(checksum) = &data.checksum {
            verify_file(&path, &label, checksum)?;
        }
        let f = std::fs::File::open(&path).map_err(|e| RepodataError::io(&path, e))?;
        let (reader, _) = decompress(BufReader::with_capacity(128 * 1024, f), &label)?;
        let hasher = match (&data.open_checksum, verify) {
            (Some(c), true) => Some(c.hasher(&label)?),
            _ => None,
        };
        Ok(MetadataStream {
            inner: BufReader::with_capacity(128 * 1024, HashingReader::new(reader, hasher)),
            open_checksum: if verify { data.open_checksum.clone() } else { None },
            open_size: if verify { data.open_size } else { None },
            label,
        })
    }

    /// Streams every package of primary to `f`, then verifies checksums; returns the count.
    pub fn for_each_package(
        &self,
        verify: bool,
        mut f: impl FnMut(RepoPackage),
    ) -> Result<u64, RepodataError> {
        let data = self.repomd.primary()?;
        let stream = self.open_data(data, verify)?;
        let mut reader = PrimaryReader::new(stream, &data.location_href);
        while let Some(pkg) = reader.next_package()? {
            f(pkg);
        }
        let count = reader.packages_read();
        reader.into_inner().finish()?;
        Ok(count)
    }

    /// Reads the comps groups (empty if the repository has none).
    pub fn load_groups(&self, verify: bool) -> Result<Vec<CompsGroup>, RepodataError> {
        let Some(data) = self.repomd.group() else { return Ok(Vec::new()) };
        let mut stream = self.open_data(data, verify)?;
        let groups = read_comps(&mut stream, &data.location_href)?;
        stream.finish()?;
        Ok(groups)
    }

    /// Loads packages (plus filelists and groups as requested).
    pub fn load(&self, options: &LoadOptions) -> Result<RepoData, RepodataError> {
        let mut packages = Vec::with_capacity(1024);
        self.for_each_package(options.verify, |p| packages.push(p))?;
        packages.shrink_to_fit();
        if options.filelists
            && let Some(data) = self.repomd.filelists()
        {
            let mut stream = self.open_data(data, options.verify)?;
            merge_filelists(&mut packages, &mut stream, &data.location_href)?;
            stream.finish()?;
        }
        let groups = if options.groups { self.load_groups(options.verify)? } else { Vec::new() };
        Ok(RepoData { repomd: self.repomd.clone(), packages, groups })
    }

    /// Decompresses, verifies and parses every metadata file the repository uses (primary,
    /// filelists, comps) without keeping the result: the check before a download is
    /// declared ready.
    pub fn validate(&self) -> Result<(), RepodataError> {
        self.for_each_package(true, drop)?;
        if let Some(data) = self.repomd.filelists() {
            let stream = self.open_data(data, true)?;
            let mut reader = super::filelists::FilelistsReader::new(stream, &data.location_href);
            while reader.next_entry()?.is_some() {}
            reader.into_inner().finish()?;
        }
        self.load_groups(true)?;
        Ok(())
    }
}
