//! The scheduler service (koschei-backend.md §3.3, §6.3, §6.4, §2.17): loads a snapshot
//! from the database, drives the pure planner (`scheduler::plan`) by answering its
//! questions from Koji (build tag arches, SRPM headers, host load), submits at most one
//! scratch build per tick and writes the plan's effects. One global lock: one scheduler at
//! a time. It does not poll build results (polling does).
//!
//! **Crash-safety invariant.** Every Koji `build` call is preceded by a committed *pending*
//! build row — state running, `task_id = 0` (Koji task ids start at 1) — for the package.
//! The row makes the package unschedulable at once (it has a running build), so no later
//! tick can submit it again while the submission is in doubt. After Koji answers, the task
//! id is written into the row. If the process stops in between (crash, cancelled tick,
//! transport error with unknown outcome), the row stays pending; the next scheduler tick
//! (under the same global lock, so no submission is in flight) *reconciles* every pending
//! row before planning: it lists the `build` tasks our Koji user created since shortly
//! before the row was written and adopts the one whose SRPM matches and which no other build
//! row owns; if there is none, Koji never got the request and the row is deleted (it never
//! was a build). So a build is neither lost (an orphaned Koji task is adopted) nor
//! duplicated (the package stays blocked until the doubt is resolved). A definite refusal
//! from Koji (a fault) deletes the pending row at once. Polling ignores pending rows.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::ActiveValue::{Set, Unchanged};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    Statement,
};

use super::sync::from_ts;
use super::{BoxFuture, Hooks, Outcome, Service, ServiceContext};
use crate::config::Config;
use crate::db::builds;
use crate::db::entities::states::BuildState;
use crate::db::entities::{build, collection, package};
use crate::db::locks::LockKey;
use crate::domain::arches::{HostSnapshot, SrpmHeaders};
use crate::domain::priority::{
    CollectionSnapshot, InconclusiveStreak, LastBuild, PackageSnapshot, SchedulerSkipReason,
};
use crate::koji::api::{
    self, KojiApi, ListTaggedOpts, Request, RpmRef, SRPM_ARCH_HEADERS, TaskInfo,
    scratch_build_opts, toml_to_struct,
};
use crate::koji::error::KojiError;
use crate::koji::urls::{BuildNvr, srpm_path};
use crate::koji::xmlrpc::{Call, Struct, Value};
use crate::scheduler::plan::{
    Decision, Effect, NO_ARCH_PENALTY, Outcome as PlanOutcome, SchedulerSnapshot, SubmitResult,
    plan,
};

/// The scheduler service.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scheduler;

impl Service for Scheduler {
    fn name(&self) -> &'static str {
        "scheduler"
    }

    fn interval(&self, config: &Config) -> Duration {
        config.services.scheduler.interval
    }

    fn tick<'a>(&'a self, ctx: &'a ServiceContext) -> BoxFuture<'a, anyhow::Result<Outcome>> {
        Box::pin(tick(ctx))
    }
}

/// Task-id value of a pending build row (submission not confirmed yet).
pub const PENDING_TASK_ID: i32 = 0;

/// How far before a pending row's time Koji's task may have been created (clock skew).
const RECONCILE_SLACK: TimeDelta = TimeDelta::hours(1);

/// One scheduler tick: reconcile pending submissions, plan, submit at most one build,
/// write the effects. `Progress` after a submission (another may follow at once).
pub async fn tick(ctx: &ServiceContext) -> anyhow::Result<Outcome> {
    let Some(guard) = ctx.locks.try_acquire(LockKey::Scheduler).await? else {
        tracing::debug!("another scheduler instance is running; skipped");
        return Ok(Outcome::Idle);
    };
    let result = run(ctx).await;
    guard.release().await?;
    result
}

async fn run(ctx: &ServiceContext) -> anyhow::Result<Outcome> {
    reconcile_pending(ctx).await.context("reconciling pending submissions")?;
    let loaded = load_snapshot(ctx).await.context("loading the scheduler snapshot")?;
    let now = ctx.now();
    let mut run = plan(&loaded.snapshot, now);
    let mut tag_arches: HashMap<String, Vec<String>> = HashMap::new();
    let primary = ctx.koji.for_building().api.clone();
    let outcome = loop {
        match run.decision() {
            Decision::NeedArches { package, collection, .. } => {
                let coll = loaded.collection(collection.id)?;
                let arches = match tag_arches.get(&coll.build_tag) {
                    Some(a) => a.clone(),
                    None => {
                        let a = primary.get_build_config(&coll.build_tag).await?.arch_list();
                        tag_arches.insert(coll.build_tag.clone(), a.clone());
                        a
                    }
                };
                let headers = srpm_headers(ctx, coll, package).await?;
                run.provide_arches(&arches, headers.as_ref())?;
            }
            Decision::NeedLoad { query_arches, .. } => {
                let hosts = hosts(primary.as_ref(), &query_arches).await?;
                run.provide_hosts(&hosts)?;
            }
            Decision::Submit { package, collection, arch_override, .. } => {
                let coll = loaded.collection(collection.id)?;
                let result = submit(ctx, coll, package, arch_override.as_deref()).await?;
                run.provide_submit(result)?;
            }
            Decision::Finished(o) => break o,
        }
    };
    apply_effects(ctx, run.effects()).await?;
    tracing::debug!(stats = ?run.stats(), outcome = ?outcome, "scheduler tick");
    Ok(match outcome {
        PlanOutcome::Submitted { .. } => Outcome::Progress,
        _ => Outcome::Idle,
    })
}

// ---- snapshot --------------------------------------------------------------------------

struct Loaded {
    snapshot: SchedulerSnapshot,
    collections: HashMap<i32, collection::Model>,
}

impl Loaded {
    fn collection(&self, id: i32) -> anyhow::Result<&collection::Model> {
        self.collections.get(&id).with_context(|| format!("collection {id} vanished"))
    }
}

#[derive(Debug, FromQueryResult)]
struct CandidateRow {
    id: i32,
    name: String,
    collection_id: i32,
    tracked: bool,
    blocked: bool,
    resolved: Option<bool>,
    skip_resolution: bool,
    last_build_id: i32,
    last_complete_build_id: Option<i32>,
    manual_priority: i32,
    static_priority: i32,
    dependency_priority: i32,
    build_priority: i32,
    arch_override: Option<String>,
    scheduler_skip_reason: Option<i32>,
    last_build_started: DateTime<Utc>,
}

#[derive(Debug, FromQueryResult)]
struct StreakRow {
    package_id: i32,
    n: i64,
    last_at: DateTime<Utc>,
}

/// Candidates (tracked, not blocked, with a last build — the rest can never be
/// scheduled) with their last build's start in one query, the running count, and the
/// inconclusive streaks (inconclusive builds newer than the package's newest verdict).
async fn load_snapshot(ctx: &ServiceContext) -> anyhow::Result<Loaded> {
    let db = &ctx.db;
    let backend = db.get_database_backend();
    let rows = CandidateRow::find_by_statement(Statement::from_string(
        backend,
        "SELECT p.id, p.name, p.collection_id, p.tracked, p.blocked, p.resolved, \
         p.skip_resolution, p.last_build_id, p.last_complete_build_id, p.manual_priority, \
         p.static_priority, p.dependency_priority, p.build_priority, p.arch_override, \
         p.scheduler_skip_reason, b.started AS last_build_started \
         FROM package p JOIN build b ON b.id = p.last_build_id \
         WHERE p.tracked AND NOT p.blocked",
    ))
    .all(db)
    .await?;
    let streaks: HashMap<i32, InconclusiveStreak> =
        StreakRow::find_by_statement(Statement::from_string(
            backend,
            "SELECT b.package_id AS package_id, COUNT(*) AS n, \
             MAX(COALESCE(b.finished, b.started)) AS last_at \
             FROM build b WHERE b.state = 6 AND b.package_id IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM build v WHERE v.package_id = b.package_id \
              AND v.state IN (3, 5) AND v.started > b.started) \
             GROUP BY b.package_id",
        ))
        .all(db)
        .await?
        .into_iter()
        .map(|r| {
            let count = u32::try_from(r.n).unwrap_or(u32::MAX);
            (r.package_id, InconclusiveStreak { count, last_at: r.last_at })
        })
        .collect();
    let running = build::Entity::find()
        .filter(build::Column::State.eq(BuildState::Running.as_i32()))
        .count(db)
        .await?;
    let collections: HashMap<i32, collection::Model> =
        collection::Entity::find().all(db).await?.into_iter().map(|c| (c.id, c)).collect();
    let packages = rows
        .into_iter()
        .map(|r| PackageSnapshot {
            id: r.id,
            name: r.name,
            collection_id: r.collection_id,
            tracked: r.tracked,
            blocked: r.blocked,
            resolved: r.resolved,
            skip_resolution: r.skip_resolution,
            last_build: Some(LastBuild { id: r.last_build_id, started: r.last_build_started }),
            last_complete_build_id: r.last_complete_build_id,
            manual_priority: r.manual_priority,
            static_priority: r.static_priority,
            dependency_priority: r.dependency_priority,
            build_priority: r.build_priority,
            arch_override: r.arch_override,
            scheduler_skip_reason: SchedulerSkipReason::from_code(r.scheduler_skip_reason),
            inconclusive: streaks.get(&r.id).copied(),
        })
        .collect();
    let koji = &ctx.config.koji;
    let snapshot = SchedulerSnapshot {
        packages,
        collections: collections
            .values()
            .map(|c| CollectionSnapshot {
                id: c.id,
                name: c.name.clone(),
                display_name: c.display_name.clone(),
                priority_coefficient: c.priority_coefficient,
                latest_repo_resolved: c.latest_repo_resolved,
            })
            .collect(),
        running_builds: u32::try_from(running).unwrap_or(u32::MAX),
        max_builds: koji.max_builds,
        load_threshold: koji.load_threshold,
        build_arches: koji.build_arches.clone(),
        priorities: ctx.config.priorities.clone(),
    };
    Ok(Loaded { snapshot, collections })
}

// ---- Koji questions ------------------------------------------------------------------------

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => {
            items.iter().filter_map(Value::as_str).map(ToOwned::to_owned).collect()
        }
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// The arch headers of the SRPM of the package's last complete build (`None`: no SRPM).
async fn srpm_headers(
    ctx: &ServiceContext,
    coll: &collection::Model,
    p: &PackageSnapshot,
) -> anyhow::Result<Option<SrpmHeaders>> {
    let Some(id) = p.last_complete_build_id else { return Ok(None) };
    let Some(b) = build::Entity::find_by_id(id).one(&ctx.db).await? else { return Ok(None) };
    let (Some(version), Some(release)) = (b.version.as_deref(), b.release.as_deref()) else {
        return Ok(None);
    };
    let rpm = RpmRef::srpm(&p.name, b.epoch.map(i64::from), version, release);
    let api = &ctx.koji.for_reading(coll.secondary_mode).api;
    let h: Struct = api.get_rpm_headers(&rpm, &SRPM_ARCH_HEADERS).await?;
    if h.is_empty() {
        return Ok(None);
    }
    Ok(Some(SrpmHeaders {
        build_archs: strings(h.get("BUILDARCHS")),
        exclusive_arch: strings(h.get("EXCLUSIVEARCH")),
        exclude_arch: strings(h.get("EXCLUDEARCH")),
    }))
}

/// `listHosts(arches, default channel, enabled)`; no default channel → no hosts (load 1).
async fn hosts(api: &dyn KojiApi, arches: &[String]) -> anyhow::Result<Vec<HostSnapshot>> {
    let Some(channel) = api.get_channel("default").await? else { return Ok(Vec::new()) };
    Ok(api
        .list_hosts(arches, channel.id)
        .await?
        .into_iter()
        .map(|h| HostSnapshot {
            arches: h.arches,
            capacity: h.capacity,
            task_load: h.task_load,
            ready: h.ready,
        })
        .collect())
}

// ---- submission ----------------------------------------------------------------------------

/// The original's `submit_build` (spec §3.3, §2.17) with the pending-row protocol of the
/// module docs.
async fn submit(
    ctx: &ServiceContext,
    coll: &collection::Model,
    p: &PackageSnapshot,
    arch_override: Option<&str>,
) -> anyhow::Result<SubmitResult> {
    let reader = ctx.koji.for_reading(coll.secondary_mode);
    let opts = ListTaggedOpts {
        latest: true,
        inherit: true,
        package: Some(p.name.clone()),
        ..Default::default()
    };
    let tagged = reader.api.list_tagged(&coll.dest_tag, &opts).await?;
    let Some(info) = tagged.first() else { return Ok(SubmitResult::NoSrpm) };
    let srpms = reader.api.list_rpms(info.build_id, "src").await?;
    let Some(srpm) = srpms.first() else { return Ok(SubmitResult::NoSrpm) };
    let nvr = BuildNvr {
        name: info.name.as_deref().unwrap_or(&info.package_name),
        version: &info.version,
        release: &info.release,
        volume_name: info.volume_name.as_deref(),
    };
    let root = &reader.config.srpm_relative_path_root;
    let url = srpm_path(root, &nvr, &srpm.name, &srpm.version, &srpm.release);
    let koji_cfg = &ctx.config.koji;
    let repo_id = if koji_cfg.build_from_repo_id { coll.latest_repo_id } else { None };
    let target = (!koji_cfg.build_from_repo_id).then_some(coll.target.as_str());
    let opts = scratch_build_opts(
        &toml_to_struct(&koji_cfg.build_opts),
        arch_override,
        repo_id.map(i64::from),
    );
    // 1. The pending row, with the submission's package changes, committed first.
    let txn = crate::db::begin_write(&ctx.db).await?;
    let pending = builds::insert_build(
        &txn,
        build::ActiveModel {
            package_id: Set(Some(p.id)),
            state: Set(BuildState::Running.as_i32()),
            task_id: Set(PENDING_TASK_ID),
            started: Set(ctx.now()),
            epoch: Set(srpm.epoch.and_then(|e| i32::try_from(e).ok())),
            version: Set(Some(srpm.version.clone())),
            release: Set(Some(srpm.release.clone())),
            repo_id: Set(repo_id),
            ..Default::default()
        },
    )
    .await?;
    apply_effect(&txn, Effect::Submitted(p.id)).await?;
    txn.commit().await?;
    Hooks::run(&ctx.hooks.before_submit).await;
    // 2. The Koji call.
    let priority = Some(i64::from(koji_cfg.task_priority));
    let api = ctx.koji.for_building().api.clone();
    let task_id = match api.build(&url, target, opts, priority).await {
        Ok(id) => id,
        Err(e @ KojiError::Fault { .. }) => {
            // A definite refusal: no task exists, so the pending row is not a build.
            builds::delete_build(&ctx.db, pending.id).await?;
            return Err(e).context(format!("Koji refused the build of {}", p.name));
        }
        Err(e) => return Err(e).context("build submission in doubt; reconciled next tick"),
    };
    Hooks::run(&ctx.hooks.after_submit).await;
    // 3. Confirm.
    let task_id = i32::try_from(task_id).context("Koji task id out of range")?;
    builds::update_build(
        &ctx.db,
        build::ActiveModel {
            id: Unchanged(pending.id),
            task_id: Set(task_id),
            ..Default::default()
        },
    )
    .await?;
    tracing::info!(package = p.name, task_id, url, "scratch build submitted");
    Ok(SubmitResult::Submitted)
}

/// Resolves every pending row (see the module docs): adopt the matching Koji task or delete
/// the row.
pub async fn reconcile_pending(ctx: &ServiceContext) -> anyhow::Result<()> {
    let pending = build::Entity::find()
        .filter(build::Column::State.eq(BuildState::Running.as_i32()))
        .filter(build::Column::TaskId.eq(PENDING_TASK_ID))
        .find_also_related(package::Entity)
        .all(&ctx.db)
        .await?;
    if pending.is_empty() {
        return Ok(());
    }
    let api = ctx.koji.for_building().api.clone();
    let Some(earliest) = pending.iter().map(|(b, _)| b.started).min() else { return Ok(()) };
    let since = earliest - RECONCILE_SLACK;
    let tasks = our_build_tasks(api.as_ref(), since).await?;
    let used: HashSet<i32> = {
        let ids: Vec<i32> = tasks.iter().filter_map(|t| i32::try_from(t.id).ok()).collect();
        let mut used = HashSet::new();
        for chunk in ids.chunks(500) {
            let rows = build::Entity::find()
                .filter(build::Column::TaskId.is_in(chunk.iter().copied()))
                .all(&ctx.db)
                .await?;
            used.extend(rows.into_iter().map(|b| b.task_id));
        }
        used
    };
    let mut used = used;
    for (b, p) in pending {
        let name = p.map(|p| p.name).unwrap_or_default();
        let suffix = format!(
            "/{name}-{}-{}.src.rpm",
            b.version.as_deref().unwrap_or_default(),
            b.release.as_deref().unwrap_or_default()
        );
        let mut adopted = None;
        for t in &tasks {
            let Ok(id) = i32::try_from(t.id) else { continue };
            let created = t.create_ts.and_then(from_ts);
            if used.contains(&id) || created.is_some_and(|c| c < b.started - RECONCILE_SLACK) {
                continue;
            }
            let full = api::run(api.as_ref(), api::requests::get_task_info_with_request(t.id));
            let Some(full) = full.await? else { continue };
            let request = full.request.unwrap_or_default();
            let src_matches =
                request.first().and_then(Value::as_str).is_some_and(|s| s.ends_with(&suffix));
            let scratch = request
                .iter()
                .filter_map(Value::as_struct)
                .any(|o| o.get("scratch").and_then(Value::as_bool) == Some(true));
            if src_matches && scratch {
                adopted = Some((id, created));
                break;
            }
        }
        match adopted {
            Some((task_id, created)) => {
                used.insert(task_id);
                builds::update_build(
                    &ctx.db,
                    build::ActiveModel {
                        id: Unchanged(b.id),
                        task_id: Set(task_id),
                        started: Set(created.unwrap_or(b.started)),
                        ..Default::default()
                    },
                )
                .await?;
                tracing::info!(build.id = b.id, task_id, "pending submission adopted");
            }
            None => {
                builds::delete_build(&ctx.db, b.id).await?;
                tracing::info!(build.id = b.id, "pending submission never reached Koji; removed");
            }
        }
    }
    Ok(())
}

/// `build` tasks created since `since` by the logged-in user (all users when anonymous).
async fn our_build_tasks(api: &dyn KojiApi, since: DateTime<Utc>) -> anyhow::Result<Vec<TaskInfo>> {
    let mut opts = Struct::new();
    opts.insert("method".into(), "build".into());
    opts.insert("createdAfter".into(), Value::Double(since.timestamp() as f64));
    if let Some(user) = api.get_logged_in_user().await? {
        opts.insert("owner".into(), user.id.into());
    }
    let call = Call::new("listTasks", vec![Value::Struct(opts)]);
    let tasks: Vec<TaskInfo> = api::run(api, Request::new(call)).await?;
    Ok(tasks.into_iter().filter(|t| t.parent.is_none()).collect())
}

// ---- effects -------------------------------------------------------------------------------

async fn apply_effect<C: ConnectionTrait>(db: &C, effect: Effect) -> anyhow::Result<()> {
    let (id, update) = match effect {
        Effect::SkipNoSrpm(id) => (
            id,
            package::Entity::update_many().col_expr(
                package::Column::SchedulerSkipReason,
                Expr::value(SchedulerSkipReason::NoSrpm.code()),
            ),
        ),
        Effect::SkipNoArch(id) => (
            id,
            package::Entity::update_many()
                .col_expr(
                    package::Column::SchedulerSkipReason,
                    Expr::value(SchedulerSkipReason::NoArch.code()),
                )
                .col_expr(
                    package::Column::ManualPriority,
                    Expr::col(package::Column::ManualPriority).sub(NO_ARCH_PENALTY),
                ),
        ),
        Effect::Submitted(id) => (
            id,
            package::Entity::update_many()
                .col_expr(package::Column::SchedulerSkipReason, Expr::value(Option::<i32>::None))
                .col_expr(package::Column::ManualPriority, Expr::value(0)),
        ),
    };
    update.filter(package::Column::Id.eq(id)).exec(db).await?;
    Ok(())
}

/// Writes the plan's effects in one transaction (the submission's own effect was written
/// with its pending row already; writing it again changes nothing).
async fn apply_effects(ctx: &ServiceContext, effects: &[Effect]) -> anyhow::Result<()> {
    let effects: Vec<Effect> =
        effects.iter().copied().filter(|e| !matches!(e, Effect::Submitted(_))).collect();
    if effects.is_empty() {
        return Ok(());
    }
    let txn = crate::db::begin_write(&ctx.db).await?;
    for e in effects {
        apply_effect(&txn, e).await?;
    }
    txn.commit().await?;
    Ok(())
}
