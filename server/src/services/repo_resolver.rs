//! The `repo_resolver` service (spec §4.2): when a collection's build tag gets a newer Koji
//! repo, resolve the base buildroot (the build group alone) and then the BuildRequires of
//! every eligible package against it, writing `resolved`, `dependency_priority`, the
//! unapplied dependency changes and the resolution history.
//!
//! Fixes over the original (§12.13): `latest_repo_id` is committed only after every
//! package of that repo has been persisted, so a crash mid-run repeats the repo instead of
//! leaving packages resolved against an older one; a dead repo or a missing build group is
//! recorded as a buildroot problem (collection unresolved), not a crash.
//!
//! Must not touch builds, the build resolver's work or the scheduler's priorities other
//! than `dependency_priority`.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::resolution::{self, ChangeRow, Solved};
use super::{BoxFuture, Outcome, Service, ServiceContext};
use crate::config::Config;
use crate::db::entities::states::package_state;
use crate::db::entities::{
    build, buildroot_problem, collection, package, repo_mapping, resolution_change,
    resolution_problem, unapplied_change,
};
use crate::db::locks::LockKey;
use crate::events::{Event, PackageStateChanged};
use crate::koji::api::{RpmRef, TaskState};

/// The service.
#[derive(Debug, Clone, Copy, Default)]
pub struct RepoResolver;

impl Service for RepoResolver {
    fn name(&self) -> &'static str {
        "repo_resolver"
    }

    fn interval(&self, config: &Config) -> Duration {
        config.services.repo_resolver.interval
    }

    fn tick<'a>(&'a self, ctx: &'a ServiceContext) -> BoxFuture<'a, anyhow::Result<Outcome>> {
        Box::pin(tick(ctx))
    }
}

/// One tick: every collection whose lock is free.
pub async fn tick(ctx: &ServiceContext) -> anyhow::Result<Outcome> {
    let collections =
        collection::Entity::find().order_by_asc(collection::Column::Id).all(&ctx.db).await?;
    let mut outcome = Outcome::Idle;
    let mut errors = Vec::new();
    for c in collections {
        let Some(guard) =
            ctx.locks.try_acquire(LockKey::RepoResolver { collection_id: c.id }).await?
        else {
            continue;
        };
        let result = process_collection(ctx, &c).await;
        guard.release().await?;
        match result {
            Ok(true) => outcome = Outcome::Progress,
            Ok(false) => {}
            Err(e) => errors.push(format!("collection {}: {e:#}", c.name)),
        }
    }
    if !errors.is_empty() {
        anyhow::bail!("{}", errors.join("; "));
    }
    Ok(outcome)
}

/// The newer READY repo of the collection's build tag, if any (secondary mode: only once
/// the primary has the mapped repo).
async fn new_repo_id(ctx: &ServiceContext, c: &collection::Model) -> anyhow::Result<Option<i64>> {
    let inst = ctx.koji.for_reading(c.secondary_mode);
    let Some(r) = inst.api.get_repo(&c.build_tag).await? else { return Ok(None) };
    if c.latest_repo_id.is_some_and(|l| l != 0 && r.id <= i64::from(l)) {
        return Ok(None);
    }
    if !(c.secondary_mode && ctx.koji.secondary_mode()) {
        return Ok(Some(r.id));
    }
    let Ok(secondary_id) = i32::try_from(r.id) else { return Ok(None) };
    let Some(m) = repo_mapping::Entity::find_by_id(secondary_id).one(&ctx.db).await? else {
        return Ok(None);
    };
    if m.primary_id.is_none() {
        return Ok(None);
    }
    let task = ctx.koji.for_building().api.get_task_info(i64::from(m.task_id)).await?;
    Ok(task.filter(|t| t.state == TaskState::Closed).map(|_| r.id))
}

/// What one package's resolution produced, before persisting.
struct PkgResult {
    package_id: i32,
    last_build_id: Option<i32>,
    resolved: bool,
    problems: BTreeSet<String>,
    changes: Vec<ChangeRow>,
    priority: i64,
}

async fn eligible(
    ctx: &ServiceContext,
    c: &collection::Model,
    only_unresolved: bool,
) -> anyhow::Result<Vec<package::Model>> {
    let mut q = package::Entity::find()
        .filter(package::Column::CollectionId.eq(c.id))
        .filter(package::Column::Blocked.eq(false))
        .filter(package::Column::Tracked.eq(true))
        .filter(package::Column::SkipResolution.eq(false))
        .filter(package::Column::LastCompleteBuildId.is_not_null());
    if only_unresolved {
        q = q.filter(package::Column::Resolved.is_null());
    }
    Ok(q.order_by_asc(package::Column::Id).all(&ctx.db).await?)
}

/// Processes one collection; `true` when something was written.
async fn process_collection(ctx: &ServiceContext, c: &collection::Model) -> anyhow::Result<bool> {
    let inst = ctx.koji.for_reading(c.secondary_mode).clone();
    let start = Instant::now();
    if let Some(repo_id) = new_repo_id(ctx, c).await? {
        let Some(desc) = resolution::descriptor(&inst, repo_id).await? else {
            let msg = format!("Repo {repo_id} of {} is no longer available", c.build_tag);
            write_collection(ctx, c, repo_id, &[msg]).await?;
            return Ok(true);
        };
        let Some(group) =
            resolution::build_group(&inst, &desc.build_tag, &c.build_group, repo_id).await?
        else {
            let msg = format!(
                "Build group {} not found in tag {} (repo {repo_id})",
                c.build_group, desc.build_tag
            );
            write_collection(ctx, c, repo_id, &[msg]).await?;
            return Ok(true);
        };
        let mut times = Timings { koji: start.elapsed(), ..Timings::default() };
        let at = Instant::now();
        let repo = resolution::fetch_repo(ctx, &inst, &desc).await?;
        times.fetch = at.elapsed();
        let at = Instant::now();
        let pkgs = eligible(ctx, c, false).await?;
        let (pkgs, brs) = with_build_requires(ctx, &inst, pkgs).await?;
        times.build_requires = at.elapsed();
        let mut stream = resolution::solve_stream(ctx, &repo, group, true, brs);
        let at = Instant::now();
        let Some(base) = stream.rx.recv().await else {
            stream.finish().await?;
            anyhow::bail!("the base buildroot of repo {repo_id} was not solved");
        };
        times.wait_solver += at.elapsed();
        let persisted = if base.resolved {
            persist_all(ctx, c, &pkgs, &mut stream.rx, &mut times).await
        } else {
            Ok(())
        };
        stream.finish().await?; // the solver's error explains a short stream
        persisted?;
        // Only now: a crash before this point repeats the whole repo (§12.13 fixed).
        let at = Instant::now();
        write_collection(ctx, c, repo_id, &base.problems).await?;
        times.write += at.elapsed();
        times.log(c, repo_id, pkgs.len(), start.elapsed());
        return Ok(true);
    }
    if c.latest_repo_resolved != Some(true) {
        return Ok(false);
    }
    let Some(repo_id) = c.latest_repo_id.map(i64::from) else { return Ok(false) };
    let pkgs = eligible(ctx, c, true).await?;
    if pkgs.is_empty() {
        return Ok(false);
    }
    let Some(desc) = resolution::descriptor(&inst, repo_id).await? else {
        tracing::warn!(collection = %c.name, repo_id, "repo gone; new packages wait for the next");
        return Ok(false);
    };
    let Some(group) =
        resolution::build_group(&inst, &desc.build_tag, &c.build_group, repo_id).await?
    else {
        tracing::warn!(collection = %c.name, repo_id, "build group gone; packages wait");
        return Ok(false);
    };
    let mut times = Timings { koji: start.elapsed(), ..Timings::default() };
    let at = Instant::now();
    let repo = resolution::fetch_repo(ctx, &inst, &desc).await?;
    times.fetch = at.elapsed();
    let at = Instant::now();
    let (pkgs, brs) = with_build_requires(ctx, &inst, pkgs).await?;
    times.build_requires = at.elapsed();
    let mut stream = resolution::solve_stream(ctx, &repo, group, false, brs);
    let persisted = persist_all(ctx, c, &pkgs, &mut stream.rx, &mut times).await;
    stream.finish().await?;
    persisted?;
    times.log(c, repo_id, pkgs.len(), start.elapsed());
    Ok(true)
}

/// Where a repo's processing spent its time (logged at the end; the solver runs on its own
/// thread, so `wait_solver` is the time the writer waited for it).
#[derive(Debug, Default)]
struct Timings {
    /// Koji calls before the download (new repo, repo info, build group).
    koji: Duration,
    /// Download of the repo (or finding it in the cache).
    fetch: Duration,
    /// Eligible packages, their last builds and BuildRequires (`getRPMDeps`).
    build_requires: Duration,
    /// Waiting for solver results.
    wait_solver: Duration,
    /// Reading the comparison builds' dependencies and computing the changes.
    compare: Duration,
    /// Writing results (package rows, history, unapplied changes, the collection).
    write: Duration,
}

impl Timings {
    fn log(&self, c: &collection::Model, repo_id: i64, packages: usize, total: Duration) {
        let ms = |d: Duration| d.as_millis() as u64;
        tracing::info!(
            collection = %c.name,
            repo_id,
            packages,
            total_ms = ms(total),
            koji_ms = ms(self.koji),
            fetch_ms = ms(self.fetch),
            build_requires_ms = ms(self.build_requires),
            wait_solver_ms = ms(self.wait_solver),
            compare_ms = ms(self.compare),
            write_ms = ms(self.write),
            "repo resolution timings"
        );
    }
}

/// The packages whose BuildRequires Koji returned, with them (SRPM of the last complete
/// build); packages whose lookup failed are left for a later tick.
async fn with_build_requires(
    ctx: &ServiceContext,
    inst: &crate::koji::instances::KojiInstance,
    pkgs: Vec<package::Model>,
) -> anyhow::Result<(Vec<package::Model>, Vec<Vec<String>>)> {
    let ids: Vec<i32> = pkgs.iter().filter_map(|p| p.last_complete_build_id).collect();
    let mut builds: HashMap<i32, build::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        for b in build::Entity::find()
            .filter(build::Column::Id.is_in(chunk.iter().copied()))
            .all(&ctx.db)
            .await?
        {
            builds.insert(b.id, b);
        }
    }
    let mut with_srpm = Vec::new();
    let mut refs = Vec::new();
    for p in pkgs {
        let Some(b) = p.last_complete_build_id.and_then(|id| builds.get(&id)) else { continue };
        let (Some(v), Some(r)) = (&b.version, &b.release) else { continue };
        refs.push(RpmRef::srpm(&p.name, None, v, r));
        with_srpm.push(p);
    }
    let results = resolution::build_requires(ctx, inst, &refs).await;
    let mut out_p = Vec::new();
    let mut out_b = Vec::new();
    for (p, r) in with_srpm.into_iter().zip(results) {
        match r {
            Ok(brs) => {
                out_p.push(p);
                out_b.push(brs);
            }
            Err(e) => tracing::warn!(package = %p.name, error = %e, "no BuildRequires"),
        }
    }
    Ok((out_p, out_b))
}

/// The build to compare a package's new dependency set with (spec §4.1): its last build if
/// finished and resolved; if finished and unresolved, the newest earlier resolved build.
async fn comparison_keys(
    ctx: &ServiceContext,
    p: &package::Model,
) -> anyhow::Result<Option<Vec<u8>>> {
    let Some(lb_id) = p.last_build_id else { return Ok(None) };
    let Some(lb) = build::Entity::find_by_id(lb_id).one(&ctx.db).await? else { return Ok(None) };
    if lb.state == 2 {
        return Ok(None);
    }
    let chosen = match lb.deps_resolved {
        Some(true) => Some(lb),
        Some(false) => {
            build::Entity::find()
                .filter(build::Column::PackageId.eq(p.id))
                .filter(build::Column::Started.lt(lb.started))
                .filter(build::Column::DepsResolved.eq(true))
                .order_by_desc(build::Column::Started)
                .one(&ctx.db)
                .await?
        }
        None => None,
    };
    Ok(chosen.and_then(|b| b.dependency_keys))
}

async fn persist_all(
    ctx: &ServiceContext,
    c: &collection::Model,
    pkgs: &[package::Model],
    solved: &mut tokio::sync::mpsc::Receiver<Solved>,
    times: &mut Timings,
) -> anyhow::Result<()> {
    let chunk_size = ctx.config.dependency.persist_chunk_size.max(1);
    let package_update = ctx.config.priorities.package_update;
    let mut chunk = Vec::with_capacity(chunk_size);
    let mut deps = resolution::DepCache::default();
    for p in pkgs {
        let at = Instant::now();
        let Some(s) = solved.recv().await else {
            anyhow::bail!("the solver stopped before package {}", p.name);
        };
        times.wait_solver += at.elapsed();
        let at = Instant::now();
        let (changes, priority) = match comparison_keys(ctx, p).await? {
            Some(keys) if s.resolved => {
                resolution::change_rows_cached(&ctx.db, &keys, &s.deps, package_update, &mut deps)
                    .await?
            }
            _ => (Vec::new(), 0),
        };
        times.compare += at.elapsed();
        chunk.push(PkgResult {
            package_id: p.id,
            last_build_id: p.last_build_id,
            resolved: s.resolved,
            problems: s.problems.into_iter().collect(),
            changes,
            priority,
        });
        if chunk.len() >= chunk_size {
            let at = Instant::now();
            persist(ctx, c, std::mem::take(&mut chunk)).await?;
            times.write += at.elapsed();
        }
    }
    if !chunk.is_empty() {
        let at = Instant::now();
        persist(ctx, c, chunk).await?;
        times.write += at.elapsed();
    }
    Ok(())
}

/// Writes one chunk of results in one transaction, then publishes state changes.
async fn persist(
    ctx: &ServiceContext,
    c: &collection::Model,
    chunk: Vec<PkgResult>,
) -> anyhow::Result<()> {
    let ids: Vec<i32> = chunk.iter().map(|r| r.package_id).collect();
    let txn = crate::db::begin_write(&ctx.db).await?;
    let mut q = package::Entity::find()
        .filter(package::Column::Id.is_in(ids.clone()))
        .order_by_asc(package::Column::Id);
    if ctx.db.get_database_backend() == DatabaseBackend::Postgres {
        q = q.lock_exclusive();
    }
    let fresh: HashMap<i32, package::Model> =
        q.all(&txn).await?.into_iter().map(|p| (p.id, p)).collect();
    // Newest resolution_change per package and its problem set.
    let mut newest: HashMap<i32, i32> = HashMap::new();
    for rc in resolution_change::Entity::find()
        .filter(resolution_change::Column::PackageId.is_in(ids.clone()))
        .order_by_asc(resolution_change::Column::PackageId)
        .order_by_desc(resolution_change::Column::Timestamp)
        .order_by_desc(resolution_change::Column::Id)
        .all(&txn)
        .await?
    {
        newest.entry(rc.package_id).or_insert(rc.id);
    }
    let mut prev_problems: HashMap<i32, BTreeSet<String>> = HashMap::new();
    let rc_ids: Vec<i32> = newest.values().copied().collect();
    for chunk_ids in rc_ids.chunks(500) {
        for rp in resolution_problem::Entity::find()
            .filter(resolution_problem::Column::ResolutionId.is_in(chunk_ids.iter().copied()))
            .all(&txn)
            .await?
        {
            prev_problems.entry(rp.resolution_id).or_default().insert(rp.problem);
        }
    }
    let now = ctx.now();
    let mut events = Vec::new();
    let mut rows = Vec::new();
    for r in chunk {
        let Some(p) = fresh.get(&r.package_id) else { continue };
        if p.last_build_id != r.last_build_id {
            continue; // a build appeared meanwhile: the result is stale (§12.14)
        }
        let before = package_state(p.blocked, p.tracked, p.resolved, p.last_complete_build_state);
        let after =
            package_state(p.blocked, p.tracked, Some(r.resolved), p.last_complete_build_state);
        package::Entity::update_many()
            .col_expr(package::Column::Resolved, Expr::value(r.resolved))
            .col_expr(
                package::Column::DependencyPriority,
                Expr::value(i32::try_from(r.priority).unwrap_or(i32::MAX)),
            )
            .filter(package::Column::Id.eq(p.id))
            .exec(&txn)
            .await?;
        let previous_set =
            newest.get(&p.id).and_then(|rc| prev_problems.get(rc)).cloned().unwrap_or_default();
        let record = p.resolved != Some(r.resolved)
            || (!r.resolved && p.resolved == Some(false) && previous_set != r.problems);
        if record {
            let rc = resolution_change::Entity::insert(resolution_change::ActiveModel {
                resolved: Set(r.resolved),
                timestamp: Set(now),
                package_id: Set(p.id),
                ..Default::default()
            })
            .exec(&txn)
            .await?;
            if !r.problems.is_empty() {
                resolution_problem::Entity::insert_many(r.problems.iter().map(|problem| {
                    resolution_problem::ActiveModel {
                        resolution_id: Set(rc.last_insert_id),
                        problem: Set(problem.clone()),
                        ..Default::default()
                    }
                }))
                .exec(&txn)
                .await?;
            }
        }
        rows.extend(r.changes.into_iter().map(|ch| unapplied_change::ActiveModel {
            package_id: Set(p.id),
            prev_dep_id: Set(ch.prev_dep_id),
            curr_dep_id: Set(ch.curr_dep_id),
            distance: Set(ch.distance),
            ..Default::default()
        }));
        if before != after {
            events.push(PackageStateChanged {
                package_id: p.id,
                name: p.name.clone(),
                collection: c.name.clone(),
                state: after.as_str().to_owned(),
                previous_state: Some(before.as_str().to_owned()),
            });
        }
    }
    unapplied_change::Entity::delete_many()
        .filter(unapplied_change::Column::PackageId.is_in(ids))
        .exec(&txn)
        .await?;
    for part in rows.chunks(500) {
        unapplied_change::Entity::insert_many(part.to_vec()).exec(&txn).await?;
    }
    txn.commit().await?;
    for e in events {
        ctx.events.publish(Event::PackageStateChanged(e));
    }
    Ok(())
}

/// Records the repo as processed: `latest_repo_id`, `latest_repo_resolved` and the
/// buildroot problems (replaced).
async fn write_collection(
    ctx: &ServiceContext,
    c: &collection::Model,
    repo_id: i64,
    problems: &[String],
) -> anyhow::Result<()> {
    let repo_id = i32::try_from(repo_id)?;
    let txn = crate::db::begin_write(&ctx.db).await?;
    buildroot_problem::Entity::delete_many()
        .filter(buildroot_problem::Column::CollectionId.eq(c.id))
        .exec(&txn)
        .await?;
    collection::Entity::update_many()
        .col_expr(collection::Column::LatestRepoId, Expr::value(repo_id))
        .col_expr(collection::Column::LatestRepoResolved, Expr::value(problems.is_empty()))
        .filter(collection::Column::Id.eq(c.id))
        .exec(&txn)
        .await?;
    if !problems.is_empty() {
        buildroot_problem::Entity::insert_many(problems.iter().map(|p| {
            buildroot_problem::ActiveModel {
                collection_id: Set(Some(c.id)),
                problem: Set(p.clone()),
                ..Default::default()
            }
        }))
        .exec(&txn)
        .await?;
    }
    txn.commit().await?;
    tracing::info!(
        collection = %c.name,
        repo_id,
        resolved = problems.is_empty(),
        "processed repo"
    );
    Ok(())
}
