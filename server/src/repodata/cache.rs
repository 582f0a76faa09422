//! Bounded on-disk cache of downloaded repositories, with the original's semantics: one
//! downloader per repository key, any number of concurrent readers of ready entries,
//! eviction of the least recently used unused entries beyond a count
//! (`dependency.cache_l2_capacity`), and a half-downloaded repository is never "ready".
//!
//! Layout: `{dir}/{key}/repodata/…` are ready entries; downloads go to `{dir}/.tmp-…` and
//! become ready only by an atomic rename after every checksum and a full parse succeeded;
//! evicted entries are renamed to `{dir}/.trash-…` before deletion. Leftover temp/trash
//! directories are removed at startup, ready directories are adopted (LRU order by
//! mtime). Safe for concurrent use within one process; it must not be shared by several
//! processes (the original used lock files for that).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use super::error::RepodataError;
use super::fetch::{FetchOptions, Fetcher};
use super::repo::{LocalRepo, RepoSource};

/// Marker shared by the cache entry and every handle to it: an entry is in use while
/// more than one reference exists.
#[derive(Debug)]
struct Lease;

struct Entry {
    last_used: u64,
    lease: Arc<Lease>,
}

#[derive(Default)]
struct State {
    entries: HashMap<String, Entry>,
    downloaders: HashMap<String, Arc<tokio::sync::Mutex<()>>>,
    in_flight: usize,
    tick: u64,
}

struct Inner {
    dir: PathBuf,
    capacity: usize,
    fetcher: Fetcher,
    state: Mutex<State>,
    seq: AtomicU64,
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave State inconsistent in a way that
        // matters more than refusing service would.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn scratch_path(&self, prefix: &str, key: &str) -> PathBuf {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        self.dir.join(format!("{prefix}{key}-{}-{n}", std::process::id()))
    }

    fn remove_dir(&self, path: &Path, key: &str) {
        let trash = self.scratch_path(".trash-", key);
        let target = if std::fs::rename(path, &trash).is_ok() { trash } else { path.to_path_buf() };
        if let Err(e) = std::fs::remove_dir_all(&target) {
            tracing::warn!(path = %target.display(), error = %e, "cannot remove cached repository");
        }
    }
}

/// Decrements the in-flight count when a download fails or is cancelled (a successful
/// download takes the inner value and decrements while inserting its entry).
struct InFlight(Option<Arc<Inner>>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(inner) = self.0.take() {
            let mut st = inner.state();
            st.in_flight = st.in_flight.saturating_sub(1);
        }
    }
}

/// Removes a temporary download directory unless disarmed.
struct TempDir(Option<PathBuf>);

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}

/// A bounded cache of repositories downloaded over HTTP(S). Cheap to clone.
#[derive(Clone)]
pub struct RepoCache {
    inner: Arc<Inner>,
}

/// Whether `key` can name a cache directory: 1–200 of `[A-Za-z0-9._+-]`, not starting
/// with `.`.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 200
        && !key.starts_with('.')
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b"._+-".contains(&b))
}

impl RepoCache {
    /// A cache in `dir` keeping at most `capacity` (at least 1) repositories, with a
    /// default fetcher (primary, filelists and comps).
    pub fn new(dir: impl Into<PathBuf>, capacity: usize) -> Result<RepoCache, RepodataError> {
        RepoCache::with_fetcher(dir, capacity, Fetcher::new(FetchOptions::default())?)
    }

    /// A cache with a given fetcher. Creates `dir`, removes leftovers of interrupted
    /// downloads and adopts ready entries found there.
    pub fn with_fetcher(
        dir: impl Into<PathBuf>,
        capacity: usize,
        fetcher: Fetcher,
    ) -> Result<RepoCache, RepodataError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(|e| RepodataError::io(&dir, e))?;
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(|e| RepodataError::io(&dir, e))? {
            let entry = entry.map_err(|e| RepodataError::io(&dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if name.starts_with(".tmp-") || name.starts_with(".trash-") {
                let _ = std::fs::remove_dir_all(&path);
            } else if valid_key(&name) && path.join("repodata/repomd.xml").is_file() {
                let mtime =
                    entry.metadata().and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH);
                found.push((mtime, name));
            }
        }
        found.sort();
        let inner = Inner {
            dir,
            capacity: capacity.max(1),
            fetcher,
            state: Mutex::new(State::default()),
            seq: AtomicU64::new(0),
        };
        let excess = found.len().saturating_sub(inner.capacity);
        for (_, name) in &found[..excess] {
            inner.remove_dir(&inner.dir.join(name), name);
        }
        {
            let mut st = inner.state();
            for (_, name) in found.into_iter().skip(excess) {
                st.tick += 1;
                let last_used = st.tick;
                st.entries.insert(name, Entry { last_used, lease: Arc::new(Lease) });
            }
        }
        Ok(RepoCache { inner: Arc::new(inner) })
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// The configured capacity.
    pub fn capacity(&self) -> usize {
        self.inner.capacity
    }

    /// Keys of the ready entries.
    pub fn ready_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.inner.state().entries.keys().cloned().collect();
        keys.sort();
        keys
    }

    /// The repository for `key`: a ready cache entry, or downloaded from `source` (a base
    /// URL) first. A local directory (or `file://` URL) as `source` is opened in place,
    /// bypassing the cache. Only one download per key runs at a time; concurrent callers
    /// wait for it and share its result.
    pub async fn get_or_fetch(&self, key: &str, source: &str) -> Result<LocalRepo, RepodataError> {
        let url = match RepoSource::parse(source) {
            RepoSource::Dir(dir) => return LocalRepo::open(dir),
            RepoSource::Url(url) => url,
        };
        if !valid_key(key) {
            return Err(RepodataError::InvalidKey { key: key.to_owned() });
        }
        if let Some(repo) = self.ready(key) {
            return Ok(repo);
        }
        let lock = self.inner.state().downloaders.entry(key.to_owned()).or_default().clone();
        let result = {
            let _guard = lock.lock().await;
            match self.ready(key) {
                Some(repo) => Ok(repo),
                None => self.download(key, &url).await,
            }
        };
        let mut st = self.inner.state();
        if Arc::strong_count(&lock) == 2 {
            st.downloaders.remove(key);
        }
        result
    }

    /// A handle to a ready entry (marking it used), if there is one.
    fn ready(&self, key: &str) -> Option<LocalRepo> {
        let lease = {
            let mut st = self.inner.state();
            st.tick += 1;
            let tick = st.tick;
            let entry = st.entries.get_mut(key)?;
            entry.last_used = tick;
            entry.lease.clone()
        };
        let dir = self.inner.dir.join(key);
        if let Ok(f) = std::fs::File::open(&dir) {
            let _ = f.set_modified(SystemTime::now());
        }
        match LocalRepo::open(&dir) {
            Ok(repo) => Some(repo.with_lease(lease)),
            Err(e) => {
                tracing::warn!(key, error = %e, "cached repository unreadable; fetching again");
                let mut st = self.inner.state();
                st.entries.remove(key);
                None
            }
        }
    }

    /// Makes room for one more entry (evicting unused LRU entries) and counts a download.
    fn reserve(&self) -> Result<InFlight, RepodataError> {
        let mut victims = Vec::new();
        {
            let mut st = self.inner.state();
            while st.entries.len() + st.in_flight >= self.inner.capacity {
                let victim = st
                    .entries
                    .iter()
                    .filter(|(_, e)| Arc::strong_count(&e.lease) == 1)
                    .min_by_key(|(_, e)| e.last_used)
                    .map(|(k, _)| k.clone());
                let Some(key) = victim else {
                    return Err(RepodataError::CacheExhausted { capacity: self.inner.capacity });
                };
                st.entries.remove(&key);
                victims.push(key);
            }
            st.in_flight += 1;
        }
        for key in victims {
            tracing::info!(key, "evicting cached repository");
            self.inner.remove_dir(&self.inner.dir.join(&key), &key);
        }
        Ok(InFlight(Some(self.inner.clone())))
    }

    async fn download(&self, key: &str, url: &str) -> Result<LocalRepo, RepodataError> {
        let mut in_flight = self.reserve()?;
        let tmp_path = self.inner.scratch_path(".tmp-", key);
        let mut tmp = TempDir(Some(tmp_path.clone()));
        tracing::info!(key, url, "downloading repository metadata");
        self.inner.fetcher.download_repo(url, &tmp_path).await?;
        let check = tmp_path.clone();
        tokio::task::spawn_blocking(move || LocalRepo::open(&check)?.validate())
            .await
            .map_err(|e| RepodataError::io(&tmp_path, std::io::Error::other(e.to_string())))??;
        let final_path = self.inner.dir.join(key);
        if final_path.exists() {
            self.inner.remove_dir(&final_path, key);
        }
        std::fs::rename(&tmp_path, &final_path).map_err(|e| RepodataError::io(&final_path, e))?;
        tmp.0 = None;
        let lease = Arc::new(Lease);
        {
            let mut st = self.inner.state();
            st.tick += 1;
            let last_used = st.tick;
            st.entries.insert(key.to_owned(), Entry { last_used, lease: lease.clone() });
            st.in_flight = st.in_flight.saturating_sub(1);
            in_flight.0 = None;
        }
        Ok(LocalRepo::open(&final_path)?.with_lease(lease))
    }
}
