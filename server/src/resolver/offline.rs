//! `koschei resolve`: the engine offline, for benchmarks, debugging and admins. Resolves
//! every source package of a source repo against a binary repo (local directories, or URLs
//! downloaded into the repodata cache) and writes one JSON line per package.
//!
//! This is an IO edge: it reads repositories and writes the output file; the solving is in
//! `batch`/`solve`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::batch::{self, BatchOptions, BatchSummary, JsonLine};
use crate::repodata::{RepoCache, RepodataError};

/// What to resolve and how.
#[derive(Debug, Clone)]
pub struct OfflineOptions {
    /// Binary repository: a directory (parent of `repodata/`) or a URL.
    pub binary: String,
    /// Source repository: a directory or a URL.
    pub source: String,
    /// Where downloaded repositories are cached.
    pub cache_dir: PathBuf,
    /// Output file (JSON lines, sorted by package name).
    pub output: PathBuf,
    /// Solver settings.
    pub batch: BatchOptions,
}

/// Why the run failed.
#[derive(Debug, thiserror::Error)]
pub enum OfflineError {
    /// A repository could not be fetched or opened.
    #[error("{what} repository {location}: {source}")]
    Repo {
        /// "binary" or "source".
        what: &'static str,
        /// The directory or URL.
        location: String,
        /// The cause.
        source: RepodataError,
    },
    /// The source packages could not be read.
    #[error("source repository: {0}")]
    Sources(#[from] super::solve::ResolveError),
    /// Resolution failed.
    #[error(transparent)]
    Batch(#[from] batch::BatchError),
    /// The output could not be written.
    #[error("cannot write {path}: {source}")]
    Output {
        /// The output file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
}

async fn open(
    cache: &RepoCache,
    what: &'static str,
    location: &str,
) -> Result<PathBuf, OfflineError> {
    let key = format!("{what}-{:016x}", fnv1a(location.as_bytes()));
    let repo = cache.get_or_fetch(&key, location).await.map_err(|source| OfflineError::Repo {
        what,
        location: location.to_owned(),
        source,
    })?;
    Ok(repo.dir().to_owned())
}

/// A stable short hash of a location, for cache keys.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// Runs the whole resolution and writes the output; returns the summary.
pub async fn run(opts: OfflineOptions) -> Result<BatchSummary, OfflineError> {
    let cache = RepoCache::new(&opts.cache_dir, 8).map_err(|source| OfflineError::Repo {
        what: "cache",
        location: opts.cache_dir.display().to_string(),
        source,
    })?;
    let binary = open(&cache, "binary", &opts.binary).await?;
    let source = open(&cache, "source", &opts.source).await?;
    tokio::task::spawn_blocking(move || {
        resolve_to_file(&binary, &source, &opts.output, &opts.batch)
    })
    .await
    .map_err(|_| OfflineError::Batch(batch::BatchError::WorkerPanic))?
}

fn resolve_to_file(
    binary: &Path,
    source: &Path,
    output: &Path,
    opts: &BatchOptions,
) -> Result<BatchSummary, OfflineError> {
    let out_err = |source| OfflineError::Output { path: output.to_owned(), source };
    let sources = batch::load_sources(source)?;
    let mut out = BufWriter::new(File::create(output).map_err(out_err)?);
    let summary = batch::resolve_stream(binary, &sources, opts, &mut |r| {
        serde_json::to_writer(&mut out, &JsonLine::of(r))?;
        out.write_all(b"\n")
    })?;
    out.flush().map_err(out_err)?;
    Ok(summary)
}
