//! Offline batch resolution (the core of `koschei resolve`): every `src` package of a source
//! rpm-md repository (BuildRequires = its requires, read through libsolv and turned into
//! strings as Koschei gets them from Koji) against a binary repository, in parallel.
//!
//! * `workers` threads, each with its **own** libsolv pool (pools are not thread-safe) and
//!   one **reused** solver (identical results to a fresh solver per package — verified on
//!   all 34,288 bookworm packages against the fresh-solver baseline — at ~11 ms less per
//!   package). Work is handed out one package at a time from a shared counter.
//! * Results are delivered in source order (sorted by package name, then EVR) through a
//!   small reorder buffer ([`resolve_stream`]), so memory stays at one pool per worker; the
//!   summary has counts, wall time, peak RSS (`VmHWM`) and per-worker figures.
//! * JSONL output: `{"package", "resolved", "problems", "install"}` per line.
//! * Incremental mode ([`resolve_incremental_stream`], `--previous PREV.jsonl`): both binary
//!   repositories are loaded and indexed in parallel (`index.rs`), every package is checked
//!   against the patch-and-verify rule of `incremental.rs` (in parallel), the reused ones get
//!   their patched previous install set and only the rest is solved, by the same workers as
//!   a full pass; the output is identical to a full pass (tested on a synthetic pair and on
//!   bookworm → bookworm-plus-updates).
//!
//! Reads local repositories only; must not download, persist to the database or talk to Koji.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::time::{Duration, Instant};

use super::pool::Pool;
use super::repodata;
use super::solve::{Resolution, ResolveError, Sack};

/// One source package and its BuildRequires strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePackage {
    /// Source package name.
    pub name: String,
    /// Its `[epoch:]version-release`.
    pub evr: String,
    /// BuildRequires as dependency strings (`name`, `name >= evr`, `(rich)`), in repo order.
    pub build_requires: Vec<String>,
}

/// Options of a batch run.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Worker threads (at least 1).
    pub workers: usize,
    /// Architecture to resolve for (Koschei: `x86_64`).
    pub arch: String,
    /// Ignore Recommends (`dependency.ignore_weak_deps`).
    pub ignore_weak_deps: bool,
    /// Comps group id of the build group (`build`).
    pub group_id: String,
    /// Reuse one solver per worker (default true; false = a fresh solver per package).
    pub reuse_solver: bool,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            workers: 2,
            arch: "x86_64".into(),
            ignore_weak_deps: false,
            group_id: "build".into(),
            reuse_solver: true,
        }
    }
}

/// The result for one source package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageResult {
    /// Source package name.
    pub package: String,
    /// Source package EVR.
    pub evr: String,
    /// The resolution.
    pub resolution: Resolution,
}

/// Per-worker figures.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct WorkerSummary {
    /// Packages this worker resolved.
    pub packages: usize,
    /// Seconds to load its pool.
    pub load_s: f64,
    /// Seconds spent resolving.
    pub busy_s: f64,
    /// Process RSS right after this worker's pool was loaded (pools load concurrently, so
    /// the per-pool cost is best read as the difference between workers / before load).
    pub rss_after_load_kib: Option<u64>,
}

/// The build group resolved on its own.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BaseBuildroot {
    /// Group names listed in comps.
    pub names: usize,
    /// Whether the group alone is installable.
    pub resolved: bool,
    /// Its problems.
    pub problems: Vec<String>,
    /// Size of its install set.
    pub install_count: usize,
}

/// Summary of a batch run.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BatchSummary {
    /// Source packages resolved.
    pub packages: usize,
    /// Resolvable ones.
    pub resolved: usize,
    /// Unresolvable ones.
    pub unresolved: usize,
    /// The base buildroot.
    pub base: BaseBuildroot,
    /// Wall time of the parallel phase (pool loads included).
    pub wall_s: f64,
    /// Per-package solve time: median / p95 / max in ms.
    pub per_package_ms: [f64; 3],
    /// RSS before the worker pools were loaded.
    pub rss_before_kib: Option<u64>,
    /// Peak RSS of the process (`VmHWM`).
    pub peak_rss_kib: Option<u64>,
    /// Workers.
    pub workers: Vec<WorkerSummary>,
}

/// Results (sorted by name) and summary of a batch run (see [`resolve_all`]).
#[derive(Debug, Clone)]
pub struct BatchOutput {
    /// One entry per source package, sorted by name then EVR.
    pub results: Vec<PackageResult>,
    /// The summary.
    pub summary: BatchSummary,
}

/// Errors of a batch run.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// Loading or solving failed.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// The binary repository has no such comps group.
    #[error("no comps group {0:?} in the binary repository")]
    NoGroup(String),
    /// A worker thread panicked (or stopped early).
    #[error("a resolver worker panicked")]
    WorkerPanic,
    /// The previous results could not be read.
    #[error("previous results: {0}")]
    Previous(String),
    /// The result sink (output writer) failed.
    #[error("writing results failed: {0}")]
    Sink(std::io::Error),
}

/// Reads every `src` package of the rpm-md repository at `source_dir`, sorted by (name, EVR).
pub fn load_sources(source_dir: &Path) -> Result<Vec<SourcePackage>, ResolveError> {
    let files = repodata::read_repomd(source_dir)?;
    let primary =
        files.primary().ok_or_else(|| repodata::RepodataError::NoPrimary(source_dir.into()))?;
    let mut pool = Pool::new_rpm("x86_64").map_err(ResolveError::from)?;
    let repo = pool.add_repo("source").map_err(ResolveError::from)?;
    pool.add_rpmmd(repo, primary, 0).map_err(ResolveError::from)?;
    let mut out = Vec::new();
    let mut reqs = Vec::new();
    for p in pool.repo_solvables(repo) {
        let Some((name, evr, arch)) = pool.solvable_nevra(p) else { continue };
        if arch != "src" {
            continue;
        }
        let (name, evr) = (name.to_owned(), evr.to_owned());
        reqs.clear();
        pool.solvable_requires(p, &mut reqs);
        let build_requires = reqs.iter().map(|&d| pool.dep2str(d)).collect();
        out.push(SourcePackage { name, evr, build_requires });
    }
    out.sort_by(|a, b| {
        (&a.name, &a.evr, &a.build_requires).cmp(&(&b.name, &b.evr, &b.build_requires))
    });
    Ok(out)
}

/// A `/proc/self/status` field in kB (`VmHWM`, `VmRSS`); None off Linux.
pub fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line =
        status.lines().find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
    line[field.len() + 1..].split_whitespace().next()?.parse().ok()
}

struct WorkerOut {
    summary: WorkerSummary,
    base: Option<Resolution>,
}

type Done = (usize, Resolution, Duration);

#[allow(clippy::too_many_arguments)]
fn run_worker(
    binary_dir: &Path,
    sources: &[SourcePackage],
    group: &[String],
    opts: &BatchOptions,
    first: bool,
    next: &AtomicUsize,
    stop: &AtomicBool,
    tx: &SyncSender<Done>,
) -> Result<WorkerOut, ResolveError> {
    let t0 = Instant::now();
    let mut sack = Sack::load(binary_dir, &opts.arch, opts.ignore_weak_deps)?;
    sack.set_reuse_solver(opts.reuse_solver);
    let mut summary = WorkerSummary {
        load_s: t0.elapsed().as_secs_f64(),
        rss_after_load_kib: proc_status_kib("VmRSS"),
        ..WorkerSummary::default()
    };
    let base = if first { Some(sack.resolve(group, &[])?) } else { None };
    let busy = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(src) = sources.get(i) else { break };
        let t = Instant::now();
        let res = sack.resolve(group, &src.build_requires)?;
        summary.packages += 1;
        if tx.send((i, res, t.elapsed())).is_err() {
            break; // the consumer gave up
        }
    }
    summary.busy_s = busy.elapsed().as_secs_f64();
    Ok(WorkerOut { summary, base })
}

fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let k = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[k.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// Resolves every package of `sources` (sorted by name, as [`load_sources`] returns them)
/// against the binary repository at `binary_dir`, handing each result to `sink` **in
/// `sources` order** as soon as it and all earlier ones are done (a small reorder buffer; no
/// install sets are kept), and returns the summary.
pub fn resolve_stream(
    binary_dir: &Path,
    sources: &[SourcePackage],
    opts: &BatchOptions,
    sink: &mut dyn FnMut(&PackageResult) -> std::io::Result<()>,
) -> Result<BatchSummary, BatchError> {
    let files = repodata::read_repomd(binary_dir).map_err(ResolveError::from)?;
    let group = match files.group() {
        Some(path) => {
            repodata::read_comps_group(path, &opts.group_id).map_err(ResolveError::from)?
        }
        None => None,
    }
    .ok_or_else(|| BatchError::NoGroup(opts.group_id.clone()))?;

    let mut summary =
        BatchSummary { rss_before_kib: proc_status_kib("VmRSS"), ..BatchSummary::default() };
    let start = Instant::now();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let workers = opts.workers.max(1);
    let mut times: Vec<Duration> = Vec::with_capacity(sources.len());
    let (joined, sink_result) = std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Done>(64 * workers);
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let (group, next, stop, tx) = (&group, &next, &stop, tx.clone());
                scope.spawn(move || {
                    let out = run_worker(binary_dir, sources, group, opts, w == 0, next, stop, &tx);
                    if out.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    out
                })
            })
            .collect();
        drop(tx);
        let mut pending: BTreeMap<usize, Resolution> = BTreeMap::new();
        let mut emitted = 0usize;
        let mut sink_result = Ok(());
        for (i, res, t) in rx {
            times.push(t);
            pending.insert(i, res);
            while let Some(resolution) = pending.remove(&emitted) {
                let src = &sources[emitted];
                summary.resolved += usize::from(resolution.resolved);
                let r =
                    PackageResult { package: src.name.clone(), evr: src.evr.clone(), resolution };
                if sink_result.is_ok() {
                    sink_result = sink(&r);
                    if sink_result.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
                emitted += 1;
            }
        }
        summary.packages = emitted;
        let joined: Vec<_> = handles.into_iter().map(|h| h.join()).collect();
        (joined, sink_result)
    });
    summary.wall_s = start.elapsed().as_secs_f64();
    for out in joined {
        let out = out.map_err(|_| BatchError::WorkerPanic)??;
        if let Some(base) = out.base {
            summary.base = BaseBuildroot {
                names: group.len(),
                resolved: base.resolved,
                install_count: base.install.len(),
                problems: base.problems,
            };
        }
        summary.workers.push(out.summary);
    }
    sink_result.map_err(BatchError::Sink)?;
    if summary.packages != sources.len() {
        return Err(BatchError::WorkerPanic);
    }
    times.sort_unstable();
    summary.unresolved = summary.packages - summary.resolved;
    summary.per_package_ms =
        [percentile_ms(&times, 50.0), percentile_ms(&times, 95.0), percentile_ms(&times, 100.0)];
    summary.peak_rss_kib = proc_status_kib("VmHWM");
    Ok(summary)
}

/// [`resolve_stream`] collecting every result (fine for samples; a full distribution's
/// install sets take ~1 GB as strings — stream those instead).
pub fn resolve_all(
    binary_dir: &Path,
    sources: &[SourcePackage],
    opts: &BatchOptions,
) -> Result<BatchOutput, BatchError> {
    let mut results = Vec::with_capacity(sources.len());
    let summary = resolve_stream(binary_dir, sources, opts, &mut |r| {
        results.push(r.clone());
        Ok(())
    })?;
    Ok(BatchOutput { results, summary })
}

/// One line of the JSONL output.
#[derive(serde::Serialize)]
pub struct JsonLine<'a> {
    package: &'a str,
    resolved: bool,
    problems: &'a [String],
    install: &'a [String],
}

impl<'a> JsonLine<'a> {
    /// The output line of one result.
    pub fn of(r: &'a PackageResult) -> Self {
        JsonLine {
            package: &r.package,
            resolved: r.resolution.resolved,
            problems: &r.resolution.problems,
            install: &r.resolution.install,
        }
    }
}

/// Writes one JSON object per result (`package`, `resolved`, `problems`, `install`), in the
/// given order (callers pass name-sorted results).
pub fn write_jsonl<W: Write>(mut w: W, results: &[PackageResult]) -> std::io::Result<()> {
    for r in results {
        serde_json::to_writer(&mut w, &JsonLine::of(r))?;
        w.write_all(b"\n")?;
    }
    w.flush()
}

/// Digest of a package's jobs as the incremental mode compares them (sha256 over the
/// BuildRequires strings, each followed by `\n`; first 16 hex digits).
pub fn build_requires_digest(build_requires: &[String]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for br in build_requires {
        h.update(br.as_bytes());
        h.update(b"\n");
    }
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// What incremental mode needs from the previous run (see [`resolve_incremental_stream`]).
pub struct Previous<'a> {
    /// The previous run's binary repository (a local directory).
    pub binary_dir: &'a Path,
    /// The build group's names then.
    pub group: &'a [String],
    /// Per source package name: [`build_requires_digest`] of its BuildRequires then.
    pub build_requires: &'a BTreeMap<String, String>,
    /// The previous JSONL output.
    pub results: &'a mut dyn std::io::BufRead,
}

/// How the incremental run split the work.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IncrementalSummary {
    /// Packages whose previous install set was patched and reused.
    pub reused: usize,
    /// Packages solved again.
    pub solved: usize,
    /// Why they were solved, by reason.
    pub reasons: BTreeMap<String, usize>,
    /// New binary packages equivalent to their predecessor.
    pub equivalent_binaries: usize,
    /// Seconds to load and index both repositories.
    pub index_s: f64,
    /// Seconds to read the previous results and check every package.
    pub check_s: f64,
}

/// Errors reading the previous results.
fn bad_previous(line: usize, e: impl std::fmt::Display) -> BatchError {
    BatchError::Previous(format!("line {line}: {e}"))
}

#[derive(serde::Deserialize)]
struct PrevLine<'a> {
    #[serde(borrow)]
    package: std::borrow::Cow<'a, str>,
    resolved: bool,
    #[serde(borrow)]
    install: Vec<std::borrow::Cow<'a, str>>,
}

type Indexed = (super::incremental::RepoIndex, Vec<Vec<u32>>, HashMap<String, Vec<u32>>);

/// Loads `dir`, reads it into plain data and evaluates the jobs (group names, BuildRequires).
fn index_repo(
    dir: &Path,
    opts: &BatchOptions,
    group: &[String],
    brs: &[&str],
) -> Result<Indexed, ResolveError> {
    let mut sack = Sack::load(dir, &opts.arch, opts.ignore_weak_deps)?;
    let ix = super::index::Indexed::new(&mut sack)?;
    let groups =
        group.iter().map(|g| ix.group_providers(&mut sack, g)).collect::<Result<_, _>>()?;
    let mut by_br = HashMap::with_capacity(brs.len());
    for &br in brs {
        by_br.insert(br.to_owned(), ix.br_providers(&mut sack, br)?);
    }
    Ok((ix.index, groups, by_br))
}

/// The decisions of incremental mode (see [`plan_incremental`]).
pub struct IncrementalPlan {
    /// Both repos, cross-referenced.
    pub pair: super::incremental::Pair,
    /// One decision per source package (in `sources` order).
    pub decisions: Vec<super::incremental::Decision>,
    /// Counts and timings so far.
    pub summary: IncrementalSummary,
}

/// Loads and indexes both binary repositories, reads the previous results and decides, per
/// package, reuse (the patched previous set) or solve.
pub fn plan_incremental(
    binary_dir: &Path,
    sources: &[SourcePackage],
    opts: &BatchOptions,
    previous: Previous<'_>,
) -> Result<IncrementalPlan, BatchError> {
    use super::incremental::{Decision, JobDep, Pair, Reason};
    let t0 = Instant::now();
    let files = repodata::read_repomd(binary_dir).map_err(ResolveError::from)?;
    let group = match files.group() {
        Some(path) => {
            repodata::read_comps_group(path, &opts.group_id).map_err(ResolveError::from)?
        }
        None => None,
    }
    .ok_or_else(|| BatchError::NoGroup(opts.group_id.clone()))?;
    let group_same = group == previous.group;
    let mut name_count: HashMap<&str, usize> = HashMap::new();
    for s in sources {
        *name_count.entry(&s.name).or_default() += 1;
    }
    // Candidates: same jobs as before (the previous verdict is checked when reading it).
    let not_candidate: Vec<Option<Reason>> = sources
        .iter()
        .map(|s| match previous.build_requires.get(&s.name) {
            None => Some(Reason::NotResolvedBefore),
            Some(_) if !group_same || name_count[s.name.as_str()] != 1 => Some(Reason::JobsChanged),
            Some(d) if *d != build_requires_digest(&s.build_requires) => Some(Reason::JobsChanged),
            Some(_) => None,
        })
        .collect();
    let candidate: Vec<bool> = not_candidate.iter().map(Option::is_none).collect();
    let mut brs: Vec<&str> = sources
        .iter()
        .zip(&candidate)
        .filter(|(_, c)| **c)
        .flat_map(|(s, _)| s.build_requires.iter().map(String::as_str))
        .collect();
    brs.sort_unstable();
    brs.dedup();
    let (old, new) = std::thread::scope(|scope| {
        let old = scope.spawn(|| index_repo(previous.binary_dir, opts, &group, &brs));
        let new = index_repo(binary_dir, opts, &group, &brs);
        (old.join(), new)
    });
    let (old_index, old_groups, mut old_brs) = old.map_err(|_| BatchError::WorkerPanic)??;
    let (new_index, new_groups, mut new_brs) = new?;
    let mut pair = Pair::new(old_index, new_index, !opts.ignore_weak_deps);
    let group_jobs: Option<Vec<_>> = old_groups
        .into_iter()
        .zip(new_groups)
        .map(|(old, new)| pair.prepare_job(&JobDep { old, new, exact: true }))
        .collect();
    let br_jobs: HashMap<&str, _> = brs
        .iter()
        .map(|&br| {
            let old = old_brs.remove(br).unwrap_or_default();
            let new = new_brs.remove(br).unwrap_or_default();
            let exact = super::index::is_exact(br);
            (br, pair.prepare_job(&JobDep { old, new, exact }))
        })
        .collect();
    let mut inc = IncrementalSummary {
        equivalent_binaries: pair.equivalent_count(),
        index_s: t0.elapsed().as_secs_f64(),
        ..IncrementalSummary::default()
    };

    // The previous results: map each candidate's install set into the new repo.
    let t1 = Instant::now();
    let position: HashMap<&str, usize> =
        sources.iter().enumerate().map(|(i, s)| (s.name.as_str(), i)).collect();
    let mut mapped: Vec<Option<Result<Vec<u32>, Reason>>> = vec![None; sources.len()];
    let mut line = String::new();
    let mut n = 0;
    loop {
        line.clear();
        n += 1;
        if previous.results.read_line(&mut line).map_err(|e| bad_previous(n, e))? == 0 {
            break;
        }
        let prev: PrevLine<'_> = serde_json::from_str(&line).map_err(|e| bad_previous(n, e))?;
        let Some(&i) = position.get(prev.package.as_ref()) else { continue };
        if !candidate[i] || !prev.resolved {
            continue;
        }
        mapped[i] = Some(
            pair.map_previous(prev.install.iter().map(|s| s.as_ref())).ok_or(Reason::MemberRemoved),
        );
    }
    let decide = |i: usize| -> Decision {
        if let Some(r) = not_candidate[i] {
            return Decision::Solve(r);
        }
        let members = match &mapped[i] {
            None => return Decision::Solve(Reason::NotResolvedBefore),
            Some(Err(r)) => return Decision::Solve(*r),
            Some(Ok(m)) => m,
        };
        let Some(group_jobs) = &group_jobs else { return Decision::Solve(Reason::JobProviders) };
        let mut jobs = group_jobs.clone();
        for br in &sources[i].build_requires {
            match br_jobs.get(br.as_str()) {
                Some(Some(j)) => jobs.push(j.clone()),
                _ => return Decision::Solve(Reason::JobProviders),
            }
        }
        match pair.check(members, &jobs) {
            Ok(()) => Decision::Reuse(members.clone()),
            Err(r) => Decision::Solve(r),
        }
    };
    let workers = opts.workers.max(1);
    let chunk = sources.len().div_ceil(workers).max(1);
    let mut decisions: Vec<Decision> = Vec::with_capacity(sources.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..sources.len())
            .step_by(chunk)
            .map(|start| {
                let decide = &decide;
                scope.spawn(move || {
                    (start..(start + chunk).min(sources.len())).map(decide).collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            decisions.extend(h.join().map_err(|_| BatchError::WorkerPanic)?);
        }
        Ok::<(), BatchError>(())
    })?;
    drop(mapped);
    for d in &decisions {
        match d {
            Decision::Reuse(_) => inc.reused += 1,
            Decision::Solve(r) => {
                inc.solved += 1;
                *inc.reasons.entry(format!("{r:?}")).or_default() += 1;
            }
        }
    }
    inc.check_s = t1.elapsed().as_secs_f64();
    Ok(IncrementalPlan { pair, decisions, summary: inc })
}

/// Incremental mode: like [`resolve_stream`], but a package whose previous result provably
/// still holds (the rule of [`super::incremental`]) gets its patched previous install set
/// instead of a solve. Results are identical to a full pass; the summary says how many were
/// reused and why the others were solved.
pub fn resolve_incremental_stream(
    binary_dir: &Path,
    sources: &[SourcePackage],
    opts: &BatchOptions,
    previous: Previous<'_>,
    sink: &mut dyn FnMut(&PackageResult) -> std::io::Result<()>,
) -> Result<(BatchSummary, IncrementalSummary), BatchError> {
    use super::incremental::Decision;
    let t0 = Instant::now();
    let IncrementalPlan { pair, decisions, summary: inc } =
        plan_incremental(binary_dir, sources, opts, previous)?;
    let nevras = pair.into_nevras(); // frees both indices before the workers load their pools
    let mut to_solve = Vec::new();
    let mut solve_index = Vec::new();
    for (i, d) in decisions.iter().enumerate() {
        if let Decision::Solve(_) = d {
            to_solve.push(sources[i].clone());
            solve_index.push(i);
        }
    }

    // Solve the rest, emitting reused results in order around the solved ones.
    let mut emitted = 0usize;
    let mut reused_resolved = 0usize;
    let mut emit_reused_until = |end: usize,
                                 sink: &mut dyn FnMut(&PackageResult) -> std::io::Result<()>|
     -> std::io::Result<()> {
        while emitted < end {
            if let Decision::Reuse(members) = &decisions[emitted] {
                let src = &sources[emitted];
                let install = members.iter().map(|&p| nevras[p as usize].clone()).collect();
                reused_resolved += 1;
                sink(&PackageResult {
                    package: src.name.clone(),
                    evr: src.evr.clone(),
                    resolution: Resolution { resolved: true, problems: Vec::new(), install },
                })?;
            }
            emitted += 1;
        }
        Ok(())
    };
    let mut k = 0usize;
    let mut summary = resolve_stream(binary_dir, &to_solve, opts, &mut |r| {
        let i = solve_index[k];
        k += 1;
        emit_reused_until(i + 1, sink)?; // the reused ones before `i` (i itself is solved)
        sink(r)
    })?;
    emit_reused_until(sources.len(), sink).map_err(BatchError::Sink)?;
    summary.packages += reused_resolved;
    summary.resolved += reused_resolved;
    summary.wall_s = t0.elapsed().as_secs_f64();
    Ok((summary, inc))
}
