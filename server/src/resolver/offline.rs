//! `koschei resolve`: the engine offline, for benchmarks, debugging and admins. Resolves
//! every source package of a source repo against a binary repo (local directories, or URLs
//! downloaded into the repodata cache) and writes one JSON line per package.
//!
//! Every run also writes `OUT.jsonl.meta.json` ([`RunMeta`]): the options, the binary
//! repository (directory and `repomd.xml` checksum), the build group and a digest of every
//! package's BuildRequires. `--previous PREV.jsonl` (incremental mode) reads
//! `PREV.jsonl.meta.json`: it refuses previous results made with other options (arch, weak
//! deps, group id) or whose binary repository is no longer the one recorded (checksum), and
//! re-uses the recorded directory unless `--previous-binary` names another copy.
//!
//! This is an IO edge: it reads repositories and writes the output file; the solving is in
//! `batch`/`solve`, the incremental rule in `incremental`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::batch::{self, BatchOptions, BatchSummary, IncrementalSummary, JsonLine};
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
    /// Incremental mode: the previous run's output (its `.meta.json` must be beside it).
    pub previous: Option<PathBuf>,
    /// The previous run's binary repository (default: the directory its meta records).
    pub previous_binary: Option<String>,
}

/// What a run records beside its output for a later `--previous` (`OUT.jsonl.meta.json`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RunMeta {
    /// Format version (1).
    pub format: u32,
    /// Architecture resolved for.
    pub arch: String,
    /// Whether weak dependencies were ignored.
    pub ignore_weak_deps: bool,
    /// The comps group id.
    pub group_id: String,
    /// The group's names.
    pub group: Vec<String>,
    /// The binary repository directory (absolute).
    pub binary_dir: PathBuf,
    /// sha256 of its `repodata/repomd.xml`.
    pub binary_repomd_sha256: String,
    /// Per source package: digest of its BuildRequires (`batch::build_requires_digest`).
    pub build_requires: BTreeMap<String, String>,
}

/// The meta file beside an output file.
pub fn meta_path(output: &Path) -> PathBuf {
    let mut s = output.as_os_str().to_owned();
    s.push(".meta.json");
    PathBuf::from(s)
}

/// Summary of a run: the batch figures, plus the split when incremental.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    /// Batch figures (counts cover every package).
    pub batch: BatchSummary,
    /// Incremental mode only.
    pub incremental: Option<IncrementalSummary>,
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
    /// The previous results cannot be used.
    #[error("--previous: {0}")]
    Previous(String),
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

/// Runs the whole resolution and writes the output (and its meta); returns the summary.
pub async fn run(opts: OfflineOptions) -> Result<RunSummary, OfflineError> {
    let cache = RepoCache::new(&opts.cache_dir, 8).map_err(|source| OfflineError::Repo {
        what: "cache",
        location: opts.cache_dir.display().to_string(),
        source,
    })?;
    let binary = open(&cache, "binary", &opts.binary).await?;
    let source = open(&cache, "source", &opts.source).await?;
    let previous = match &opts.previous {
        None => None,
        Some(prev) => {
            let same = |a: &Path| std::path::absolute(a).ok();
            if same(prev) == same(&opts.output) {
                return Err(OfflineError::Previous(
                    "--output must not be the previous results file (it is read while the \
                     new one is written)"
                        .into(),
                ));
            }
            let meta = read_meta(prev)?;
            check_meta(&meta, &opts.batch)?;
            let dir = match &opts.previous_binary {
                Some(location) => open(&cache, "binary", location).await?,
                None => meta.binary_dir.clone(),
            };
            let sha = repomd_sha256(&dir).map_err(|e| {
                OfflineError::Previous(format!("previous binary repository {}: {e}", dir.display()))
            })?;
            if sha != meta.binary_repomd_sha256 {
                return Err(OfflineError::Previous(format!(
                    "{} is not the binary repository the previous results were made from \
                     (repomd.xml checksum differs); pass it with --previous-binary",
                    dir.display()
                )));
            }
            Some((prev.clone(), meta, dir))
        }
    };
    tokio::task::spawn_blocking(move || {
        resolve_to_file(&binary, &source, &opts.output, &opts.batch, previous)
    })
    .await
    .map_err(|_| OfflineError::Batch(batch::BatchError::WorkerPanic))?
}

fn read_meta(prev: &Path) -> Result<RunMeta, OfflineError> {
    let path = meta_path(prev);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        OfflineError::Previous(format!(
            "cannot read {} ({e}); it is written beside every output: run a full pass first",
            path.display()
        ))
    })?;
    serde_json::from_str(&text)
        .map_err(|e| OfflineError::Previous(format!("{}: {e}", path.display())))
}

/// Previous results are only valid for the same options.
fn check_meta(meta: &RunMeta, opts: &BatchOptions) -> Result<(), OfflineError> {
    let mismatch = |what: &str, then: &str, now: &str| {
        Err(OfflineError::Previous(format!(
            "the previous results were made with {what}{then}, this run uses {what}{now}; \
             run a full pass instead"
        )))
    };
    if meta.format != 1 {
        return mismatch("meta format ", &meta.format.to_string(), "1");
    }
    if meta.arch != opts.arch {
        return mismatch("arch ", &meta.arch, &opts.arch);
    }
    if meta.ignore_weak_deps != opts.ignore_weak_deps {
        let weak = |b: bool| if b { "weak deps ignored" } else { "weak deps honoured" };
        return mismatch("", weak(meta.ignore_weak_deps), weak(opts.ignore_weak_deps));
    }
    if meta.group_id != opts.group_id {
        return mismatch("group ", &meta.group_id, &opts.group_id);
    }
    Ok(())
}

fn repomd_sha256(dir: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(dir.join("repodata").join("repomd.xml"))?;
    Ok(Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect())
}

fn resolve_to_file(
    binary: &Path,
    source: &Path,
    output: &Path,
    opts: &BatchOptions,
    previous: Option<(PathBuf, RunMeta, PathBuf)>,
) -> Result<RunSummary, OfflineError> {
    let out_err = |source| OfflineError::Output { path: output.to_owned(), source };
    let sources = batch::load_sources(source)?;
    let group = {
        let files =
            super::repodata::read_repomd(binary).map_err(|e| OfflineError::Sources(e.into()))?;
        match files.group() {
            Some(p) => super::repodata::read_comps_group(p, &opts.group_id)
                .map_err(|e| OfflineError::Sources(e.into()))?,
            None => None,
        }
        .unwrap_or_default()
    };
    let meta = RunMeta {
        format: 1,
        arch: opts.arch.clone(),
        ignore_weak_deps: opts.ignore_weak_deps,
        group_id: opts.group_id.clone(),
        group,
        binary_dir: std::path::absolute(binary).map_err(out_err)?,
        binary_repomd_sha256: repomd_sha256(binary).map_err(out_err)?,
        build_requires: sources
            .iter()
            .map(|s| (s.name.clone(), batch::build_requires_digest(&s.build_requires)))
            .collect(),
    };
    // A stale meta must never describe a new output: remove it first, write it last.
    let meta_file = meta_path(output);
    match std::fs::remove_file(&meta_file) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(out_err(e)),
        _ => {}
    }
    let mut out = BufWriter::new(File::create(output).map_err(out_err)?);
    let mut sink = |r: &batch::PackageResult| {
        serde_json::to_writer(&mut out, &JsonLine::of(r))?;
        out.write_all(b"\n")
    };
    let summary = match previous {
        None => RunSummary {
            batch: batch::resolve_stream(binary, &sources, opts, &mut sink)?,
            incremental: None,
        },
        Some((prev_path, prev_meta, prev_dir)) => {
            let file = File::open(&prev_path).map_err(|e| {
                OfflineError::Previous(format!("cannot read {}: {e}", prev_path.display()))
            })?;
            let mut reader = BufReader::new(file);
            let prev = batch::Previous {
                binary_dir: &prev_dir,
                group: &prev_meta.group,
                build_requires: &prev_meta.build_requires,
                results: &mut reader,
            };
            let (b, inc) =
                batch::resolve_incremental_stream(binary, &sources, opts, prev, &mut sink)?;
            RunSummary { batch: b, incremental: Some(inc) }
        }
    };
    out.flush().map_err(out_err)?;
    drop(out);
    let meta_json = serde_json::to_vec(&meta).map_err(|e| out_err(e.into()))?;
    std::fs::write(&meta_file, meta_json).map_err(out_err)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> RunMeta {
        RunMeta {
            format: 1,
            arch: "x86_64".into(),
            ignore_weak_deps: false,
            group_id: "build".into(),
            group: vec!["bash".into()],
            binary_dir: "/repo".into(),
            binary_repomd_sha256: "00".into(),
            build_requires: BTreeMap::new(),
        }
    }

    #[test]
    fn previous_results_need_the_same_options() {
        let opts = BatchOptions::default();
        assert!(check_meta(&meta(), &opts).is_ok());
        let weak = BatchOptions { ignore_weak_deps: true, ..BatchOptions::default() };
        let err = check_meta(&meta(), &weak).expect_err("weak deps differ").to_string();
        assert!(err.contains("weak deps honoured") && err.contains("weak deps ignored"), "{err}");
        let arch = BatchOptions { arch: "aarch64".into(), ..BatchOptions::default() };
        assert!(check_meta(&meta(), &arch).expect_err("arch").to_string().contains("aarch64"));
        let group = BatchOptions { group_id: "srpm-build".into(), ..BatchOptions::default() };
        assert!(check_meta(&meta(), &group).is_err());
        assert_eq!(meta_path(Path::new("out/a.jsonl")), Path::new("out/a.jsonl.meta.json"));
        let back: RunMeta =
            serde_json::from_str(&serde_json::to_string(&meta()).expect("json")).expect("parse");
        assert_eq!(back, meta());
    }
}
