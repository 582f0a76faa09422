//! The polling service (koschei-backend.md §5.1–§5.4): build states of running builds from
//! their Koji task trees, package lists from the collections' Koji tags, and real builds
//! (new, untagged, re-tagged). One global lock: one polling instance at a time.
//!
//! Writes builds only through `db::builds` and `blocked` only through `db::packages`; other
//! package columns (priorities, skip reason) are written here directly. Publishes
//! `PackageStateChanged` after each commit that changed a state string. It does not
//! schedule builds or resolve dependencies.
//!
//! Deliberate changes from the original:
//! * A build that ends without a verdict — canceled in Koji or by request, timed out
//!   (`koji.task_timeout`, the task is canceled), failed because of Koji (`getTaskResult`
//!   fault 1001 or an unmapped code), or finished without a repo id — is kept as
//!   **inconclusive** (state 6) instead of being deleted. It is invisible to the package's
//!   pointers, priorities stay as they were, and the scheduler retries the package after a
//!   bounded backoff (`domain::priority::retry_not_before`). A user's cancel is not a verdict
//!   on the package either, so it is inconclusive too.
//! * §12.1: the failed-build bonus compares with the previous build *of the same package*.
//! * §12.17: duplicate names in Koji's package list are tolerated (unblocked if any entry
//!   is).
//! * §12.18: untag detection is by EVR only: a (visible, not inconclusive) build is untagged
//!   when its EVR is newer than the EVR of Koji's latest tagged build of the package, and
//!   re-tagged when its EVR equals it. The original untagged every build *started* after
//!   the matching build — including scratch builds of the tagged EVR itself — and, when the
//!   matching build could not be registered, all builds of the package.
//! * §12.20: running builds are fetched once and answered by task id; a multicall fault
//!   for one task skips that task instead of crashing.
//! * Scratch builds in secondary mode translate the primary repo id through `repo_mapping`
//!   as stored; refreshing the mappings from Koji (`refresh_repo_mappings`) belongs to the
//!   repo_regen plugin, not here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::ActiveValue::{NotSet, Set, Unchanged};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::sync::{
    TaskTree, clear_priority_data, fetch_trees, publish_change, state_of, upsert_arch_tasks,
};
use super::{BoxFuture, Outcome, Service, ServiceContext};
use crate::config::Config;
use crate::db::entities::states::BuildState;
use crate::db::entities::{base_package, build, collection, package, repo_mapping};
use crate::db::locks::LockKey;
use crate::db::{builds, packages};
use crate::domain::priority::failed_build_bonus;
use crate::koji::api::{BuildState as KojiBuildState, ListTaggedOpts, TaggedBuild, TaskState};
use crate::koji::error::KojiError;
use crate::rpm::evr::cmp_evr_parts;

/// The polling service.
#[derive(Debug, Clone, Copy, Default)]
pub struct Polling;

impl Service for Polling {
    fn name(&self) -> &'static str {
        "polling"
    }

    fn interval(&self, config: &Config) -> Duration {
        config.services.polling.interval
    }

    fn tick<'a>(&'a self, ctx: &'a ServiceContext) -> BoxFuture<'a, anyhow::Result<Outcome>> {
        Box::pin(tick(ctx))
    }
}

/// Real builds registered per transaction (the original's `real_builds_insert_chunk`).
const REAL_BUILDS_CHUNK: usize = 50;

/// One polling round: build states, then per collection the package list and the real
/// builds. Errors of one collection do not stop the others (the first is returned).
pub async fn tick(ctx: &ServiceContext) -> anyhow::Result<Outcome> {
    let Some(guard) = ctx.locks.try_acquire(LockKey::Polling).await? else {
        tracing::debug!("another polling instance is running; skipped");
        return Ok(Outcome::Idle);
    };
    let result = run(ctx).await;
    guard.release().await?;
    result.map(|()| Outcome::Idle)
}

async fn run(ctx: &ServiceContext) -> anyhow::Result<()> {
    poll_builds(ctx).await.context("polling build states")?;
    let collections = collection::Entity::find().order_by_asc(collection::Column::Id).all(&ctx.db);
    let collections = collections.await?;
    let mut first_error = None;
    for c in &collections {
        let res = async {
            refresh_packages(ctx, c).await.context("refreshing the package list")?;
            refresh_latest_builds(ctx, c).await.context("refreshing real builds")
        }
        .await;
        if let Err(e) = res {
            let e = e.context(format!("collection {}", c.name));
            tracing::warn!(error = format!("{e:#}"), "polling a collection failed");
            first_error.get_or_insert(e);
        }
    }
    // Step 5: the statistics views.
    crate::db::stats::refresh(&ctx.db, ctx.now()).await.context("refreshing statistics")?;
    first_error.map_or(Ok(()), Err)
}

// ---- build states ----------------------------------------------------------------------

/// Step 1: the Koji task state of every running build (one multicall per chunk, fetched
/// once and matched by task id). Rows with task id 0 are submissions still in doubt; the
/// scheduler owns them.
pub async fn poll_builds(ctx: &ServiceContext) -> anyhow::Result<()> {
    let running = build::Entity::find()
        .filter(build::Column::State.eq(BuildState::Running.as_i32()))
        .filter(build::Column::TaskId.ne(0))
        .order_by_asc(build::Column::Id)
        .all(&ctx.db)
        .await?;
    let api = ctx.koji.for_building().api.clone();
    for chunk in running.chunks(ctx.config.koji.multicall_chunk_size.max(1)) {
        let ids: Vec<i64> = chunk.iter().map(|b| i64::from(b.task_id)).collect();
        let infos = api.get_task_infos(&ids).await;
        for (b, info) in chunk.iter().zip(infos) {
            match info {
                Ok(Some(info)) => update_build_state(ctx, b, info.state)
                    .await
                    .with_context(|| format!("build {} (task {})", b.id, b.task_id))?,
                Ok(None) => tracing::warn!(task_id = b.task_id, "Koji does not know the task"),
                Err(e @ KojiError::Fault { .. }) => {
                    tracing::warn!(task_id = b.task_id, error = %e, "getTaskInfo fault");
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}

/// Why a build ended without a verdict.
fn inconclusive_reason(
    state: TaskState,
    build: &build::Model,
    now: DateTime<Utc>,
    timeout: TimeDelta,
) -> Option<&'static str> {
    match state {
        TaskState::Canceled => Some("canceled in Koji"),
        TaskState::Closed | TaskState::Failed => None,
        _ if build.cancel_requested => Some("cancel requested"),
        _ if build.started < now - timeout => Some("timed out"),
        _ => None,
    }
}

/// The original's `update_build_state` (spec §5.3) with inconclusive instead of deletion.
pub async fn update_build_state(
    ctx: &ServiceContext,
    b: &build::Model,
    state: TaskState,
) -> anyhow::Result<()> {
    let now = ctx.now();
    let api = ctx.koji.for_building().api.clone();
    let task_id = i64::from(b.task_id);
    let timeout = TimeDelta::from_std(ctx.config.koji.task_timeout).unwrap_or(TimeDelta::MAX);
    let mut reason = inconclusive_reason(state, b, now, timeout);
    let finished = matches!(state, TaskState::Closed | TaskState::Failed);
    if reason.is_some() && !matches!(state, TaskState::Canceled) {
        match api.cancel_task(task_id).await {
            Ok(()) | Err(KojiError::Fault { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let tree = fetch_trees(api.as_ref(), &[task_id]).await?.pop().flatten();
    let repo_id = match b.repo_id {
        Some(id) => Some(id),
        None => match &tree {
            Some(t) => map_repo_id(ctx, b, t.repo_id()).await?,
            None => None,
        },
    };
    if reason.is_none() && !finished {
        return sync_running(ctx, b, tree.as_ref(), repo_id).await;
    }
    if reason.is_none() && api.is_koji_fault(task_id).await? {
        reason = Some("Koji fault");
    }
    if reason.is_none() && repo_id.is_none() {
        reason = Some("no repo id");
    }
    let new_state = match (reason, state) {
        (Some(_), _) => BuildState::Inconclusive,
        (None, TaskState::Closed) => BuildState::Complete,
        (None, _) => BuildState::Failed,
    };
    let Some(package_id) = b.package_id else { return Ok(()) };
    let before = state_of(&ctx.db, package_id).await?;
    let txn = crate::db::begin_write(&ctx.db).await?;
    let current = build::Entity::find_by_id(b.id).lock_exclusive().one(&txn).await?;
    if current.is_none_or(|c| c.state != BuildState::Running.as_i32()) {
        return Ok(()); // someone else finished it meanwhile
    }
    let started = tree.as_ref().and_then(TaskTree::started).unwrap_or(b.started);
    let finished_at = tree.as_ref().and_then(TaskTree::finished).unwrap_or(now);
    builds::update_build(
        &txn,
        build::ActiveModel {
            id: Unchanged(b.id),
            state: Set(new_state.as_i32()),
            started: Set(started),
            finished: Set(Some(finished_at)),
            repo_id: Set(repo_id),
            ..Default::default()
        },
    )
    .await?;
    if let Some(t) = &tree {
        upsert_arch_tasks(&txn, b.id, t, now).await?;
    }
    if new_state.is_finished() {
        clear_priority_data(&txn, package_id).await?;
        let previous = build::Entity::find()
            .filter(build::Column::PackageId.eq(package_id))
            .filter(build::Column::Id.ne(b.id))
            .filter(build::Column::Started.lt(started))
            .filter(
                build::Column::State
                    .is_in([BuildState::Complete.as_i32(), BuildState::Failed.as_i32()]),
            )
            .order_by_desc(build::Column::Started)
            .one(&txn)
            .await?;
        let failed = new_state == BuildState::Failed;
        let prev_failed = previous.map(|p| p.state == BuildState::Failed.as_i32());
        if let Some(bonus) = failed_build_bonus(&ctx.config.priorities, failed, prev_failed) {
            package::Entity::update_many()
                .col_expr(package::Column::BuildPriority, Expr::value(bonus as i32))
                .filter(package::Column::Id.eq(package_id))
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    match reason {
        Some(r) => tracing::info!(build.id = b.id, task_id, reason = r, "build inconclusive"),
        None => tracing::info!(build.id = b.id, task_id, state = new_state.as_str(), "build done"),
    }
    if let Some(after) = state_of(&ctx.db, package_id).await? {
        publish_change(&ctx.events, before.as_ref(), &after);
    }
    Ok(())
}

/// A still-running build: record its Koji start, repo id (early, for build_resolver) and
/// arch tasks.
async fn sync_running(
    ctx: &ServiceContext,
    b: &build::Model,
    tree: Option<&TaskTree>,
    repo_id: Option<i32>,
) -> anyhow::Result<()> {
    let Some(tree) = tree else { return Ok(()) };
    let txn = crate::db::begin_write(&ctx.db).await?;
    let current = build::Entity::find_by_id(b.id).lock_exclusive().one(&txn).await?;
    let Some(current) = current.filter(|c| c.state == BuildState::Running.as_i32()) else {
        return Ok(());
    };
    let started = tree.started().unwrap_or(current.started);
    if current.started != started || current.repo_id != repo_id {
        builds::update_build(
            &txn,
            build::ActiveModel {
                id: Unchanged(b.id),
                started: Set(started),
                repo_id: Set(repo_id),
                ..Default::default()
            },
        )
        .await?;
    }
    upsert_arch_tasks(&txn, b.id, tree, ctx.now()).await?;
    txn.commit().await?;
    Ok(())
}

/// The repo id to store for a build: as Koji says, except for scratch builds of a
/// secondary-mode collection, whose primary repo id is translated to the secondary id
/// through `repo_mapping` (no mapping: none).
async fn map_repo_id(
    ctx: &ServiceContext,
    b: &build::Model,
    repo_id: Option<i32>,
) -> anyhow::Result<Option<i32>> {
    let Some(id) = repo_id else { return Ok(None) };
    if b.real || !ctx.koji.secondary_mode() {
        return Ok(Some(id));
    }
    let Some(package_id) = b.package_id else { return Ok(Some(id)) };
    let secondary = package::Entity::find_by_id(package_id)
        .find_also_related(collection::Entity)
        .one(&ctx.db)
        .await?
        .and_then(|(_, c)| c)
        .is_some_and(|c| c.secondary_mode);
    if !secondary {
        return Ok(Some(id));
    }
    let mapping = repo_mapping::Entity::find()
        .filter(repo_mapping::Column::PrimaryId.eq(id))
        .one(&ctx.db)
        .await?;
    Ok(mapping.map(|m| m.secondary_id))
}

// ---- package list ------------------------------------------------------------------------

/// Step 2 (spec §5.1, §2.16): mirror the collection's Koji package list. New packages are
/// untracked, `blocked` as in Koji; packages missing from Koji's list become blocked.
pub async fn refresh_packages(ctx: &ServiceContext, c: &collection::Model) -> anyhow::Result<()> {
    let api = ctx.koji.for_reading(c.secondary_mode).api.clone();
    let entries = api.list_packages(&c.dest_tag).await?;
    // name → unblocked somewhere (duplicates tolerated).
    let mut koji: BTreeMap<String, bool> = BTreeMap::new();
    for e in entries {
        *koji.entry(e.package_name).or_insert(false) |= !e.blocked;
    }
    let existing =
        package::Entity::find().filter(package::Column::CollectionId.eq(c.id)).all(&ctx.db).await?;
    let mut flips: Vec<&package::Model> = Vec::new();
    let (mut block, mut unblock) = (Vec::new(), Vec::new());
    for p in &existing {
        let unblocked = koji.get(&p.name).copied().unwrap_or(false);
        if p.blocked == unblocked {
            flips.push(p);
            if unblocked { unblock.push(p.id) } else { block.push(p.id) }
        }
    }
    let known: HashSet<&str> = existing.iter().map(|p| p.name.as_str()).collect();
    let new: Vec<(&String, bool)> =
        koji.iter().filter(|(n, _)| !known.contains(n.as_str())).map(|(n, u)| (n, *u)).collect();
    if flips.is_empty() && new.is_empty() {
        return Ok(());
    }
    let befores: Vec<_> = {
        let mut v = Vec::new();
        for p in &flips {
            v.push(state_of(&ctx.db, p.id).await?);
        }
        v
    };
    let txn = crate::db::begin_write(&ctx.db).await?;
    packages::set_blocked(&txn, &block, true).await?;
    packages::set_blocked(&txn, &unblock, false).await?;
    for (name, unblocked) in &new {
        let base = match base_package::Entity::find()
            .filter(base_package::Column::Name.eq(name.as_str()))
            .one(&txn)
            .await?
        {
            Some(b) => b,
            None => {
                base_package::ActiveModel {
                    id: NotSet,
                    name: Set((*name).clone()),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
            }
        };
        packages::insert_package(
            &txn,
            package::ActiveModel {
                base_id: Set(base.id),
                name: Set((*name).clone()),
                collection_id: Set(c.id),
                tracked: Set(false),
                blocked: Set(!unblocked),
                ..Default::default()
            },
        )
        .await?;
    }
    txn.commit().await?;
    tracing::info!(
        collection = c.name,
        new = new.len(),
        blocked = block.len(),
        unblocked = unblock.len(),
        "package list refreshed"
    );
    for (p, before) in flips.iter().zip(befores) {
        if let Some(after) = state_of(&ctx.db, p.id).await? {
            publish_change(&ctx.events, before.as_ref(), &after);
        }
    }
    Ok(())
}

// ---- real builds ---------------------------------------------------------------------------

fn evr_cmp(
    a: (Option<i32>, Option<&str>, Option<&str>),
    b: (Option<i64>, &str, &str),
) -> std::cmp::Ordering {
    let ea = a.0.and_then(|e| u32::try_from(e).ok()).unwrap_or(0);
    let eb = b.0.and_then(|e| u32::try_from(e).ok()).unwrap_or(0);
    cmp_evr_parts(ea, a.1.unwrap_or(""), a.2, eb, b.1, Some(b.2))
}

fn build_vs_info(b: &build::Model, info: &TaggedBuild) -> std::cmp::Ordering {
    evr_cmp(
        (b.epoch, b.version.as_deref(), b.release.as_deref()),
        (info.epoch, &info.version, &info.release),
    )
}

/// Step 4 (spec §5.1 4a–c, §2.9): register new real builds, then mark builds untagged or
/// re-tagged by comparing EVRs with Koji's latest tagged build of each package.
pub async fn refresh_latest_builds(
    ctx: &ServiceContext,
    c: &collection::Model,
) -> anyhow::Result<()> {
    let api = ctx.koji.for_reading(c.secondary_mode).api.clone();
    let opts = ListTaggedOpts { latest: true, inherit: true, ..Default::default() };
    let infos = api.list_tagged(&c.dest_tag, &opts).await?;
    let pkgs: HashMap<String, package::Model> = package::Entity::find()
        .filter(package::Column::CollectionId.eq(c.id))
        .all(&ctx.db)
        .await?
        .into_iter()
        .map(|p| (p.name.clone(), p))
        .collect();
    let mut by_package = collection_builds(ctx, c.id).await?;
    let real_tasks: HashSet<(i32, i32)> = by_package
        .values()
        .flatten()
        .filter(|b| b.real)
        .filter_map(|b| b.package_id.map(|p| (p, b.task_id)))
        .collect();
    // a. new real builds, newer than the package's last build.
    let mut new = Vec::new();
    for info in &infos {
        let Some(p) = pkgs.get(&info.package_name) else { continue };
        let Some(task_id) = info.task_id.and_then(|t| i32::try_from(t).ok()) else { continue };
        if real_tasks.contains(&(p.id, task_id)) || !(p.tracked || c.poll_untracked) {
            continue;
        }
        let last = p.last_build_id.and_then(|id| find(&by_package, p.id, id));
        if last.is_none_or(|l| build_vs_info(l, info).is_lt()) {
            new.push((p.id, info.clone()));
        }
    }
    // The tagged EVR must exist as a build when something newer is visible, or the package
    // would have no last build after untagging (spec §5.1 4b).
    for info in &infos {
        let Some(p) = pkgs.get(&info.package_name) else { continue };
        let builds = by_package.get(&p.id).map(Vec::as_slice).unwrap_or_default();
        let newer = builds.iter().any(|b| !b.untagged && build_vs_info(b, info).is_gt());
        let has_tagged = builds.iter().any(|b| build_vs_info(b, info).is_eq());
        let queued = new.iter().any(|(id, i)| *id == p.id && i.build_id == info.build_id);
        if newer && !has_tagged && !queued && info.task_id.is_some() {
            new.push((p.id, info.clone()));
        }
    }
    if !new.is_empty() {
        register_real_builds(ctx, c, &new).await?;
        by_package = collection_builds(ctx, c.id).await?;
    }
    // b/c. untagged (EVR newer than Koji's latest) and re-tagged (EVR equal to it).
    for info in &infos {
        let Some(p) = pkgs.get(&info.package_name) else { continue };
        for b in by_package.get(&p.id).map(Vec::as_slice).unwrap_or_default() {
            let ord = build_vs_info(b, info);
            let want_untagged = if ord.is_gt() {
                true
            } else if ord.is_eq() {
                false
            } else {
                continue;
            };
            if b.untagged != want_untagged {
                let before = state_of(&ctx.db, p.id).await?;
                builds::set_untagged(&ctx.db, b.id, want_untagged).await?;
                tracing::info!(build.id = b.id, untagged = want_untagged, "build tagging changed");
                if let Some(after) = state_of(&ctx.db, p.id).await? {
                    publish_change(&ctx.events, before.as_ref(), &after);
                }
            }
        }
    }
    Ok(())
}

fn find(by_package: &HashMap<i32, Vec<build::Model>>, pid: i32, id: i32) -> Option<&build::Model> {
    by_package.get(&pid)?.iter().find(|b| b.id == id)
}

/// Every build of the collection except inconclusive ones, by package.
async fn collection_builds(
    ctx: &ServiceContext,
    collection_id: i32,
) -> anyhow::Result<HashMap<i32, Vec<build::Model>>> {
    let ids: Vec<i32> = package::Entity::find()
        .select_only()
        .column(package::Column::Id)
        .filter(package::Column::CollectionId.eq(collection_id))
        .into_tuple()
        .all(&ctx.db)
        .await?;
    let mut out: HashMap<i32, Vec<build::Model>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows = build::Entity::find()
            .filter(build::Column::PackageId.is_in(chunk.iter().copied()))
            .filter(build::Column::State.ne(BuildState::Inconclusive.as_i32()))
            .all(&ctx.db)
            .await?;
        for b in rows {
            if let Some(p) = b.package_id {
                out.entry(p).or_default().push(b);
            }
        }
    }
    Ok(out)
}

/// The original's `register_real_builds` (spec §5.2): task trees give start, finish, repo
/// id and arch tasks; builds without a task tree or repo id are dropped; a build already
/// registered (same package and task) is skipped; priorities are cleared.
pub async fn register_real_builds(
    ctx: &ServiceContext,
    c: &collection::Model,
    list: &[(i32, TaggedBuild)],
) -> anyhow::Result<()> {
    let api = ctx.koji.for_reading(c.secondary_mode).api.clone();
    for chunk in list.chunks(REAL_BUILDS_CHUNK) {
        let ids: Vec<i64> = chunk.iter().filter_map(|(_, i)| i.task_id).collect();
        let trees = fetch_trees(api.as_ref(), &ids).await?;
        let mut trees: HashMap<i64, TaskTree> =
            trees.into_iter().flatten().map(|t| (t.info.id, t)).collect();
        for (package_id, info) in chunk {
            let Some(tree) = info.task_id.and_then(|t| trees.remove(&t)) else { continue };
            register_one(ctx, *package_id, info, &tree).await?;
        }
    }
    Ok(())
}

async fn register_one(
    ctx: &ServiceContext,
    package_id: i32,
    info: &TaggedBuild,
    tree: &TaskTree,
) -> anyhow::Result<()> {
    let Some(repo_id) = tree.repo_id() else {
        tracing::info!(nvr = info.nvr, "real build without repo id; not registered");
        return Ok(());
    };
    let state = match info.state {
        KojiBuildState::Complete => BuildState::Complete,
        KojiBuildState::Failed => BuildState::Failed,
        other => {
            tracing::info!(nvr = info.nvr, state = ?other, "tagged build neither complete nor failed");
            return Ok(());
        }
    };
    let Some(task_id) = info.task_id.and_then(|t| i32::try_from(t).ok()) else { return Ok(()) };
    let now = ctx.now();
    let before = state_of(&ctx.db, package_id).await?;
    let txn = crate::db::begin_write(&ctx.db).await?;
    package::Entity::find_by_id(package_id).lock_exclusive().one(&txn).await?;
    let exists = build::Entity::find()
        .filter(build::Column::PackageId.eq(package_id))
        .filter(build::Column::TaskId.eq(task_id))
        .filter(build::Column::Real.eq(true))
        .one(&txn)
        .await?;
    if exists.is_some() {
        return Ok(());
    }
    let inserted = builds::insert_build(
        &txn,
        build::ActiveModel {
            package_id: Set(Some(package_id)),
            state: Set(state.as_i32()),
            task_id: Set(task_id),
            started: Set(tree.started().unwrap_or(now)),
            finished: Set(Some(tree.finished().unwrap_or(now))),
            epoch: Set(info.epoch.and_then(|e| i32::try_from(e).ok())),
            version: Set(Some(info.version.clone())),
            release: Set(Some(info.release.clone())),
            repo_id: Set(Some(repo_id)),
            real: Set(true),
            ..Default::default()
        },
    )
    .await?;
    upsert_arch_tasks(&txn, inserted.id, tree, now).await?;
    clear_priority_data(&txn, package_id).await?;
    txn.commit().await?;
    tracing::info!(nvr = info.nvr, build.id = inserted.id, "real build registered");
    if let Some(after) = state_of(&ctx.db, package_id).await? {
        publish_change(&ctx.events, before.as_ref(), &after);
    }
    Ok(())
}
