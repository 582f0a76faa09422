//! The pieces repo_resolver and build_resolver share (spec §4.1): repo descriptors, the
//! build group from Koji, BuildRequires from `getRPMDeps`, downloading a repo into the
//! bounded cache, solving on a blocking thread, and reading/writing dependency sets.
//!
//! It must not decide what to persist: the two services own their writes.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use sea_orm::{ConnectionTrait, DbErr};

use super::ServiceContext;
use crate::db::{dependencies, dependency_keys};
use crate::koji::api::{RepoState, RpmDep, RpmRef};
use crate::koji::instances::KojiInstance;
use crate::koji::urls::repo_arch_url;
use crate::repodata::cache::RepoCache;
use crate::repodata::repo::LocalRepo;
use crate::resolver::{Resolution, ResolvedDep, Sack, dependency_distances};
use crate::rpm::Nevra;

/// A Koji repo that can be downloaded: `(koji id, build tag, repo id)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RepoDescriptor {
    /// `primary` or `secondary`.
    pub koji_id: &'static str,
    /// The tag the repo was generated for (from `repoInfo`).
    pub build_tag: String,
    /// The repo id.
    pub repo_id: i64,
}

impl RepoDescriptor {
    /// The cache key `{koji_id}-{build_tag}-{repo_id}`.
    pub fn key(&self) -> String {
        format!("{}-{}-{}", self.koji_id, self.build_tag, self.repo_id)
    }
}

/// The descriptor of `repo_id` on `inst`, when the repo is READY or EXPIRED (its files
/// exist); `None` for a deleted, failed or unknown repo.
pub(crate) async fn descriptor(
    inst: &KojiInstance,
    repo_id: i64,
) -> anyhow::Result<Option<RepoDescriptor>> {
    let info = inst.api.repo_info(repo_id).await?;
    Ok(info
        .filter(|r| matches!(r.state, RepoState::Ready | RepoState::Expired))
        .map(|r| RepoDescriptor { koji_id: inst.id.as_str(), build_tag: r.tag_name, repo_id }))
}

/// The build group's package names at the repo's event (spec §2.14): `None` when the
/// repo, the tag's groups or the named group do not exist.
pub(crate) async fn build_group(
    inst: &KojiInstance,
    build_tag: &str,
    group_name: &str,
    repo_id: i64,
) -> anyhow::Result<Option<Vec<String>>> {
    let Some(repo) = inst.api.repo_info(repo_id).await? else { return Ok(None) };
    let groups = inst.api.get_tag_groups(build_tag, Some(repo.create_event)).await?;
    let Some(group) = groups.into_iter().find(|g| g.name == group_name) else {
        return Ok(None);
    };
    Ok(Some(
        group
            .packagelist
            .into_iter()
            .filter(|p| !p.blocked && (p.kind == "default" || p.kind == "mandatory"))
            .map(|p| p.package)
            .collect(),
    ))
}

/// RPMSENSE bits kept in a BuildRequires (LESS | GREATER | EQUAL).
const SENSE_OPS: i64 = 2 | 4 | 8;
/// RPMSENSE_FIND_REQUIRES, ignored.
const SENSE_FIND_REQUIRES: i64 = 1 << 14;

/// A `getRPMDeps` entry as a dependency string (`name [op version]`), or `None` for
/// entries with other sense bits (rpmlib(), scriptlet deps, …).
pub(crate) fn dep_string(dep: &RpmDep) -> Option<String> {
    let flags = dep.flags & !SENSE_FIND_REQUIRES;
    if flags & !SENSE_OPS != 0 {
        return None;
    }
    let mut op = String::new();
    for (bit, c) in [(2, '<'), (4, '>'), (8, '=')] {
        if flags & bit != 0 {
            op.push(c);
        }
    }
    Some(format!("{} {} {}", dep.name, op, dep.version).trim_end().to_owned())
}

/// BuildRequires of each SRPM (multicall chunks of `multicall_chunk_size`); a fault for one
/// SRPM is an `Err` for that entry only.
pub(crate) async fn build_requires(
    ctx: &ServiceContext,
    inst: &KojiInstance,
    srpms: &[RpmRef],
) -> Vec<Result<Vec<String>, String>> {
    let mut out = Vec::with_capacity(srpms.len());
    for chunk in srpms.chunks(ctx.config.koji.multicall_chunk_size.max(1)) {
        for r in inst.api.get_rpms_requires(chunk).await {
            out.push(match r {
                Ok(deps) => Ok(deps.iter().filter_map(dep_string).collect()),
                Err(e) => Err(e.to_string()),
            });
        }
    }
    out
}

static CACHES: Mutex<BTreeMap<PathBuf, RepoCache>> = Mutex::new(BTreeMap::new());

/// The process-wide repo cache in `data_dir/repodata-cache`.
fn repo_cache(ctx: &ServiceContext) -> anyhow::Result<RepoCache> {
    let dir = ctx.config.data_dir.join("repodata-cache");
    let mut caches = CACHES.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(c) = caches.get(&dir) {
        return Ok(c.clone());
    }
    let cache = RepoCache::new(&dir, ctx.config.dependency.cache_l2_capacity)?;
    caches.insert(dir, cache.clone());
    Ok(cache)
}

/// Downloads (or finds in the cache) the binary arch directory of a repo.
pub(crate) async fn fetch_repo(
    ctx: &ServiceContext,
    inst: &KojiInstance,
    desc: &RepoDescriptor,
) -> anyhow::Result<LocalRepo> {
    let url = repo_arch_url(
        &inst.config.topurl,
        &desc.build_tag,
        desc.repo_id,
        &ctx.config.dependency.repo_arch,
    );
    Ok(repo_cache(ctx)?.get_or_fetch(&desc.key(), &url).await?)
}

/// One solved set of BuildRequires.
#[derive(Debug, Clone)]
pub(crate) struct Solved {
    /// Installable.
    pub resolved: bool,
    /// Problem strings (empty when resolved).
    pub problems: Vec<String>,
    /// The install set with distances (empty when unresolved).
    pub deps: Vec<ResolvedDep>,
}

fn solve_one(sack: &mut Sack, group: &[String], brs: &[String]) -> anyhow::Result<Solved> {
    let Resolution { resolved, problems, install } = sack.resolve(group, brs)?;
    if !resolved {
        return Ok(Solved { resolved, problems, deps: Vec::new() });
    }
    let dist = dependency_distances(sack, brs, &install)?;
    let mut deps = Vec::with_capacity(install.len());
    for i in &install {
        let nevra = Nevra::parse(i)?;
        let distance = dist.get(&nevra.name).copied().flatten();
        deps.push(ResolvedDep { nevra, distance });
    }
    Ok(Solved { resolved, problems, deps })
}

/// Results queued between the solving thread and the writer (spec: `resolver_queue_size`).
const QUEUE: usize = 300;

/// A running solve: results arrive in job order (the bare build group first when asked
/// for); the thread stops after an unresolvable build group.
pub(crate) struct SolveStream {
    /// The results.
    pub rx: tokio::sync::mpsc::Receiver<Solved>,
    handle: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl SolveStream {
    /// Waits for the solving thread; its error if it failed.
    pub async fn finish(self) -> anyhow::Result<()> {
        drop(self.rx);
        self.handle.await?
    }
}

/// Loads the repo and solves on a blocking thread (CPU-bound): first the bare build group
/// when `with_base`, then (unless that failed) every BuildRequires list in `jobs`. Keep
/// `repo` alive until [`SolveStream::finish`] (it pins the cache entry).
pub(crate) fn solve_stream(
    ctx: &ServiceContext,
    repo: &LocalRepo,
    group: Vec<String>,
    with_base: bool,
    jobs: Vec<Vec<String>>,
) -> SolveStream {
    let dir = repo.dir().to_path_buf();
    let arch = ctx.config.dependency.resolve_for_arch.clone();
    let weak = ctx.config.dependency.ignore_weak_deps;
    let workers = match ctx.config.dependency.jobs {
        0 => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        n => n,
    }
    .clamp(1, jobs.len().max(1));
    let (tx, rx) = tokio::sync::mpsc::channel(QUEUE);
    let handle = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        if with_base {
            let mut sack = Sack::load(&dir, &arch, weak)?;
            let base = solve_one(&mut sack, &group, &[])?;
            let ok = base.resolved;
            if tx.blocking_send(base).is_err() || !ok {
                return Ok(());
            }
        }
        solve_parallel(workers, (&dir, &arch, weak), &group, &jobs, &tx)
    });
    SolveStream { rx, handle }
}

/// Solves `jobs` on `workers` threads (libsolv pools are not thread-safe: one each) and
/// sends the results to `tx` in job order. Stops early, without error, when the receiver
/// is gone; the first solver error stops everything and is returned.
fn solve_parallel(
    workers: usize,
    (dir, arch, weak): (&std::path::Path, &str, bool),
    group: &[String],
    jobs: &[Vec<String>],
    tx: &tokio::sync::mpsc::Sender<Solved>,
) -> anyhow::Result<()> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    if jobs.is_empty() {
        return Ok(());
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (done_tx, done_rx) = std::sync::mpsc::channel::<(usize, anyhow::Result<Solved>)>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let (next, stop) = (&next, &stop);
            scope.spawn(move || {
                let mut sack = match Sack::load(dir, arch, weak) {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = done_tx.send((next.load(Ordering::SeqCst), Err(e.into())));
                        stop.store(true, Ordering::SeqCst);
                        return;
                    }
                };
                while !stop.load(Ordering::SeqCst) {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(brs) = jobs.get(i) else { break };
                    if done_tx.send((i, solve_one(&mut sack, group, brs))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        // Reorder: results are sent as soon as all earlier ones are.
        let mut pending: BTreeMap<usize, Solved> = BTreeMap::new();
        let mut expected = 0usize;
        let mut outcome = Ok(());
        for (i, result) in done_rx {
            match result {
                Ok(solved) => {
                    pending.insert(i, solved);
                }
                Err(e) => {
                    stop.store(true, Ordering::SeqCst);
                    outcome = Err(e);
                    break;
                }
            }
            while let Some(solved) = pending.remove(&expected) {
                if tx.blocking_send(solved).is_err() {
                    stop.store(true, Ordering::SeqCst); // the receiver gave up
                    return Ok(());
                }
                expected += 1;
            }
        }
        stop.store(true, Ordering::SeqCst);
        outcome
    })
}

/// [`solve_stream`] without a base, collected (for small batches).
pub(crate) async fn solve_all(
    ctx: &ServiceContext,
    repo: &LocalRepo,
    group: Vec<String>,
    jobs: Vec<Vec<String>>,
) -> anyhow::Result<Vec<Solved>> {
    let n = jobs.len();
    let mut stream = solve_stream(ctx, repo, group, false, jobs);
    let mut out = Vec::with_capacity(n);
    while let Some(s) = stream.rx.recv().await {
        out.push(s);
    }
    stream.finish().await?;
    anyhow::ensure!(out.len() == n, "solver stopped after {} of {n} results", out.len());
    Ok(out)
}

/// Dependency rows already read or created during one run. `dependency` rows are never
/// changed or deleted, so an id and its NEVRA can be remembered; install sets overlap
/// heavily, and without this every package of a repo re-read its few hundred NEVRAs (one
/// query and ~300 rows per package).
#[derive(Debug, Default)]
pub(crate) struct DepCache {
    by_id: HashMap<i32, Nevra>,
    by_nevra: HashMap<Nevra, i32>,
}

impl DepCache {
    fn remember(&mut self, id: i32, nevra: Nevra) {
        self.by_nevra.insert(nevra.clone(), id);
        self.by_id.insert(id, nevra);
    }

    /// Makes the NEVRAs of `ids` known (unknown ids stay unknown).
    async fn load_ids<C: ConnectionTrait>(&mut self, db: &C, ids: &[i32]) -> Result<(), DbErr> {
        let missing: Vec<i32> =
            ids.iter().copied().filter(|id| !self.by_id.contains_key(id)).collect();
        if !missing.is_empty() {
            for (id, nevra) in dependencies::nevras_for(db, &missing).await? {
                self.remember(id, nevra);
            }
        }
        Ok(())
    }

    /// Makes the ids of `nevras` known, inserting rows as needed.
    async fn load_nevras<C: ConnectionTrait>(
        &mut self,
        db: &C,
        nevras: &[Nevra],
    ) -> Result<(), DbErr> {
        let missing: Vec<Nevra> =
            nevras.iter().filter(|n| !self.by_nevra.contains_key(*n)).cloned().collect();
        if !missing.is_empty() {
            for (nevra, id) in dependencies::ids_for(db, &missing).await? {
                self.remember(id, nevra);
            }
        }
        Ok(())
    }
}

/// The dependency set stored in a build's `dependency_keys`, with each NEVRA's id.
pub(crate) async fn stored_deps<C: ConnectionTrait>(
    db: &C,
    keys: &[u8],
    cache: &mut DepCache,
) -> anyhow::Result<(Vec<ResolvedDep>, HashMap<Nevra, i32>)> {
    let ids = dependency_keys::decode(keys)?;
    cache.load_ids(db, &ids).await?;
    let mut deps = Vec::with_capacity(ids.len());
    let mut map = HashMap::with_capacity(ids.len());
    for id in ids {
        let Some(nevra) = cache.by_id.get(&id) else { continue };
        deps.push(ResolvedDep { nevra: nevra.clone(), distance: None });
        map.insert(nevra.clone(), id);
    }
    Ok((deps, map))
}

/// One change row (`applied_change` / `unapplied_change` without its owner).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChangeRow {
    pub prev_dep_id: Option<i32>,
    pub curr_dep_id: Option<i32>,
    pub distance: Option<i32>,
}

/// The change rows between a stored dependency set and a new one (ids created as needed),
/// and the dependency priority they give.
pub(crate) async fn change_rows<C: ConnectionTrait>(
    db: &C,
    prev_keys: &[u8],
    curr: &[ResolvedDep],
    package_update: i64,
) -> anyhow::Result<(Vec<ChangeRow>, i64)> {
    change_rows_cached(db, prev_keys, curr, package_update, &mut DepCache::default()).await
}

/// [`change_rows`] remembering dependency rows in `cache` across calls (one cache per run;
/// `db` must not be a transaction that may roll back the rows it creates).
pub(crate) async fn change_rows_cached<C: ConnectionTrait>(
    db: &C,
    prev_keys: &[u8],
    curr: &[ResolvedDep],
    package_update: i64,
    cache: &mut DepCache,
) -> anyhow::Result<(Vec<ChangeRow>, i64)> {
    let (prev, prev_ids) = stored_deps(db, prev_keys, cache).await?;
    let changes = crate::resolver::create_dependency_changes(&prev, curr);
    let priority = crate::resolver::diff::dependency_priority(&changes, package_update as f64);
    let new: Vec<Nevra> = changes.iter().filter_map(|c| c.curr.clone()).collect();
    cache.load_nevras(db, &new).await.map_err(db_err)?;
    let rows = changes
        .iter()
        .map(|c| ChangeRow {
            prev_dep_id: c.prev.as_ref().and_then(|n| prev_ids.get(n).copied()),
            curr_dep_id: c.curr.as_ref().and_then(|n| cache.by_nevra.get(n).copied()),
            distance: c.distance.map(i32::from),
        })
        .collect();
    Ok((rows, priority))
}

fn db_err(e: DbErr) -> anyhow::Error {
    anyhow::Error::new(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(name: &str, version: &str, flags: i64) -> RpmDep {
        RpmDep { name: name.into(), version: version.into(), flags, dep_type: 0 }
    }

    /// The parallel solver returns exactly the sequential results, in job order, whatever
    /// the number of workers; a gone receiver stops it without error.
    #[test]
    fn parallel_solving_keeps_job_order() {
        let dir = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/conformance/koschei/test/repos/primary-f25-build-123"
        ));
        let group: Vec<String> = vec!["bash".into(), "rpm-build".into()];
        let brs =
            [&["gcc"][..], &["nonexistent-thing"][..], &["python3-devel", "make"][..], &[][..]];
        let jobs: Vec<Vec<String>> =
            (0..41).map(|i| brs[i % brs.len()].iter().map(|s| (*s).to_owned()).collect()).collect();
        let mut sack = Sack::load(dir, "x86_64", false).expect("repo");
        let summary = |s: &Solved| {
            let deps: Vec<String> = s.deps.iter().map(|d| format!("{:?}", d)).collect();
            (s.resolved, s.problems.clone(), deps)
        };
        let expected: Vec<_> = jobs
            .iter()
            .map(|b| summary(&solve_one(&mut sack, &group, b).expect("solve")))
            .collect();
        assert!(expected.iter().any(|e| e.0) && expected.iter().any(|e| !e.0), "both verdicts");
        for workers in [1, 2, 3] {
            let (tx, mut rx) = tokio::sync::mpsc::channel(500);
            solve_parallel(workers, (dir, "x86_64", false), &group, &jobs, &tx).expect("solve");
            drop(tx);
            let mut got = Vec::new();
            while let Ok(s) = rx.try_recv() {
                got.push(summary(&s));
            }
            assert_eq!(got, expected, "{workers} workers");
        }
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        drop(rx);
        solve_parallel(2, (dir, "x86_64", false), &group, &jobs, &tx).expect("receiver gone");
    }

    #[test]
    fn dep_strings_follow_rpmsense_bits() {
        assert_eq!(dep_string(&dep("gcc", "", 0)).as_deref(), Some("gcc"));
        assert_eq!(dep_string(&dep("a", "2", 8 | 4)).as_deref(), Some("a >= 2"));
        assert_eq!(dep_string(&dep("a", "2", 2 | 8)).as_deref(), Some("a <= 2"));
        assert_eq!(dep_string(&dep("a", "2", 2)).as_deref(), Some("a < 2"));
        assert_eq!(dep_string(&dep("a", "2", 8 | (1 << 14))).as_deref(), Some("a = 2"));
        assert_eq!(dep_string(&dep("rpmlib(FileDigests)", "4.6.0-1", 16_777_226)), None);
        assert_eq!(dep_string(&dep("/bin/sh", "", 1 << 9)), None);
    }

    fn n(s: &str) -> Nevra {
        Nevra::parse(s).expect("nevra")
    }

    fn resolved(list: &[(&str, Option<u8>)]) -> Vec<ResolvedDep> {
        list.iter().map(|(s, distance)| ResolvedDep { nevra: n(s), distance: *distance }).collect()
    }

    /// The cache shared across packages gives the rows a fresh lookup gives, and remembers
    /// the rows it read and created.
    #[tokio::test]
    async fn cached_change_rows_equal_uncached() {
        for tdb in crate::db::test_db::backends().await {
            let db = &tdb.conn;
            let stored = |names: &'static [&'static str]| async move {
                let nevras: Vec<Nevra> = names.iter().map(|s| n(s)).collect();
                let ids = dependencies::ids_for(db, &nevras).await.expect("ids");
                let ids: Vec<i32> = nevras.iter().map(|x| ids[x]).collect();
                dependency_keys::encode(&ids).expect("keys")
            };
            let keys_a = stored(&["a-1-1.x86_64", "b-1-1.noarch", "c-1-1.x86_64"]).await;
            let keys_b = stored(&["a-1-1.x86_64", "e-1:2-1.x86_64"]).await;
            let curr_a = resolved(&[
                ("a-2-1.x86_64", Some(1)),
                ("b-1-1.noarch", None),
                ("d-1-1.x86_64", Some(2)),
            ]);
            let curr_b = resolved(&[("a-2-1.x86_64", Some(2)), ("e-1:3-1.x86_64", Some(1))]);
            let mut cache = DepCache::default();
            for (keys, curr) in [(&keys_a, &curr_a), (&keys_b, &curr_b), (&keys_a, &curr_a)] {
                let fresh = change_rows(db, keys, curr, 30).await.expect("fresh");
                let cached =
                    change_rows_cached(db, keys, curr, 30, &mut cache).await.expect("cached");
                assert_eq!(fresh, cached, "{}", tdb.label);
                assert!(!fresh.0.is_empty() && fresh.1 > 0, "{}: {fresh:?}", tdb.label);
                assert!(
                    fresh.0.iter().all(|r| r.prev_dep_id.is_some() || r.curr_dep_id.is_some()),
                    "{}: {fresh:?}",
                    tdb.label
                );
            }
            assert!(cache.by_id.contains_key(&cache.by_nevra[&n("d-1-1.x86_64")]), "{}", tdb.label);
            assert!(cache.by_nevra.contains_key(&n("c-1-1.x86_64")), "{}", tdb.label);
        }
    }
}
