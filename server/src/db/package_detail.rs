//! Reads behind the package detail (spec koschei-frontend §2.4–2.6): the package by name,
//! its builds newest first with keyset paging, dependency changes (applied per build,
//! unapplied per package), Koji subtasks, resolution history and the inputs of its current
//! priority. Read-only; the batch functions take many ids so GraphQL loaders can call them
//! once per request tick.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::entities::{
    applied_change, build, collection, dependency, koji_task, package, resolution_change,
    resolution_problem, unapplied_change,
};
use crate::domain::changes::{DepEvr, display_order};
use crate::domain::priority::{
    CollectionSnapshot, InconclusiveStreak, LastBuild, PackageSnapshot, SchedulerSkipReason,
};

/// Ids per `IN (…)` list, well below the bind-parameter limits of both backends.
const CHUNK: usize = 500;

/// One dependency change, resolved to names and EVRs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRow {
    /// The dependency's name.
    pub name: String,
    /// Before (None: added).
    pub prev: Option<DepEvr>,
    /// After (None: removed).
    pub curr: Option<DepEvr>,
    /// 1 = direct BuildRequires; None = buildroot group, too distant, or unknown.
    pub distance: Option<i32>,
}

/// The package `name` in the collection named `collection`, or, without a collection, in the
/// first collection of the global order that has it. `Err(what)` names what is missing.
pub async fn find_package(
    db: &impl ConnectionTrait,
    collection: Option<&str>,
    name: &str,
) -> Result<Result<package::Model, Missing>, DbErr> {
    if let Some(coll) = collection {
        let Some(c) =
            collection::Entity::find().filter(collection::Column::Name.eq(coll)).one(db).await?
        else {
            return Ok(Err(Missing::Collection));
        };
        let found = package::Entity::find()
            .filter(package::Column::CollectionId.eq(c.id))
            .filter(package::Column::Name.eq(name))
            .one(db)
            .await?;
        return Ok(found.ok_or(Missing::Package));
    }
    Ok(in_all_collections(db, name).await?.into_iter().next().ok_or(Missing::Package))
}

/// What [`find_package`] did not find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// No collection of that name.
    Collection,
    /// No such package there.
    Package,
}

/// The package `name` in every collection that has it, in the global collection order
/// (order descending, then name descending).
pub async fn in_all_collections(
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<Vec<package::Model>, DbErr> {
    let rows = package::Entity::find()
        .filter(package::Column::Name.eq(name))
        .find_also_related(collection::Entity)
        .order_by_desc(collection::Column::Order)
        .order_by_desc(collection::Column::Name)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(p, _)| p).collect())
}

/// A page of a package's builds.
#[derive(Debug, Clone)]
pub struct BuildPage {
    /// Newest first (started descending, then id descending).
    pub builds: Vec<build::Model>,
    /// More builds follow.
    pub has_next: bool,
    /// All builds of the package.
    pub total: u64,
}

/// Up to `limit` builds of the package, newest first, after the build with id `after`.
/// `None` when `after` is not a build of this package.
pub async fn builds_page(
    db: &impl ConnectionTrait,
    package_id: i32,
    after: Option<i32>,
    limit: u64,
) -> Result<Option<BuildPage>, DbErr> {
    let of_package = build::Column::PackageId.eq(package_id);
    let mut query = build::Entity::find().filter(of_package.clone());
    if let Some(after) = after {
        let Some(at) = build::Entity::find_by_id(after).filter(of_package.clone()).one(db).await?
        else {
            return Ok(None);
        };
        query = query.filter(
            Condition::any().add(build::Column::Started.lt(at.started)).add(
                Condition::all()
                    .add(build::Column::Started.eq(at.started))
                    .add(build::Column::Id.lt(at.id)),
            ),
        );
    }
    let mut builds = query
        .order_by_desc(build::Column::Started)
        .order_by_desc(build::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let has_next = builds.len() as u64 > limit;
    builds.truncate(limit as usize);
    let total = build::Entity::find().filter(of_package).count(db).await?;
    Ok(Some(BuildPage { builds, has_next, total }))
}

/// Applied changes of each build, in display order.
pub async fn applied_changes(
    db: &impl ConnectionTrait,
    build_ids: &[i32],
) -> Result<HashMap<i32, Vec<ChangeRow>>, DbErr> {
    let mut raw = Vec::new();
    for ids in build_ids.chunks(CHUNK) {
        let rows = applied_change::Entity::find()
            .filter(applied_change::Column::BuildId.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        raw.extend(
            rows.into_iter().map(|r| (r.build_id, r.prev_dep_id, r.curr_dep_id, r.distance)),
        );
    }
    resolve_changes(db, raw).await
}

/// Unapplied changes (since the last build) of each package, in display order.
pub async fn unapplied_changes(
    db: &impl ConnectionTrait,
    package_ids: &[i32],
) -> Result<HashMap<i32, Vec<ChangeRow>>, DbErr> {
    let mut raw = Vec::new();
    for ids in package_ids.chunks(CHUNK) {
        let rows = unapplied_change::Entity::find()
            .filter(unapplied_change::Column::PackageId.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        raw.extend(
            rows.into_iter().map(|r| (r.package_id, r.prev_dep_id, r.curr_dep_id, r.distance)),
        );
    }
    resolve_changes(db, raw).await
}

type RawChange = (i32, Option<i32>, Option<i32>, Option<i32>);

async fn resolve_changes(
    db: &impl ConnectionTrait,
    raw: Vec<RawChange>,
) -> Result<HashMap<i32, Vec<ChangeRow>>, DbErr> {
    let dep_ids: Vec<i32> = raw
        .iter()
        .flat_map(|(_, p, c, _)| [*p, *c])
        .flatten()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut deps: HashMap<i32, dependency::Model> = HashMap::new();
    for ids in dep_ids.chunks(CHUNK) {
        let rows = dependency::Entity::find()
            .filter(dependency::Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        deps.extend(rows.into_iter().map(|d| (d.id, d)));
    }
    let evr = |id: Option<i32>| -> Option<(&str, DepEvr)> {
        let d = deps.get(&id?)?;
        Some((
            d.name.as_str(),
            DepEvr { epoch: d.epoch, version: d.version.clone(), release: d.release.clone() },
        ))
    };
    let mut out: HashMap<i32, Vec<ChangeRow>> = HashMap::new();
    for (owner, prev_id, curr_id, distance) in raw {
        let (prev, curr) = (evr(prev_id), evr(curr_id));
        let Some(name) = curr.as_ref().or(prev.as_ref()).map(|(n, _)| (*n).to_owned()) else {
            continue;
        };
        out.entry(owner).or_default().push(ChangeRow {
            name,
            prev: prev.map(|(_, e)| e),
            curr: curr.map(|(_, e)| e),
            distance,
        });
    }
    for rows in out.values_mut() {
        rows.sort_by(|a, b| display_order((a.distance, &a.name), (b.distance, &b.name)));
    }
    Ok(out)
}

/// Koji subtasks of each build, by arch then task id.
pub async fn koji_tasks(
    db: &impl ConnectionTrait,
    build_ids: &[i32],
) -> Result<HashMap<i32, Vec<koji_task::Model>>, DbErr> {
    let mut out: HashMap<i32, Vec<koji_task::Model>> = HashMap::new();
    for ids in build_ids.chunks(CHUNK) {
        let rows = koji_task::Entity::find()
            .filter(koji_task::Column::BuildId.is_in(ids.iter().copied()))
            .order_by_asc(koji_task::Column::Arch)
            .order_by_asc(koji_task::Column::TaskId)
            .all(db)
            .await?;
        for r in rows {
            out.entry(r.build_id).or_default().push(r);
        }
    }
    Ok(out)
}

/// A resolution change with its problems.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// Whether the package became installable.
    pub resolved: bool,
    /// When.
    pub timestamp: DateTime<Utc>,
    /// The solver's problems (empty when resolved).
    pub problems: Vec<String>,
}

/// The newest `limit` resolution changes of a package, newest first.
pub async fn resolution_history(
    db: &impl ConnectionTrait,
    package_id: i32,
    limit: u64,
) -> Result<Vec<Resolution>, DbErr> {
    let changes = resolution_change::Entity::find()
        .filter(resolution_change::Column::PackageId.eq(package_id))
        .order_by_desc(resolution_change::Column::Timestamp)
        .order_by_desc(resolution_change::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let problems = problems_of(db, &changes.iter().map(|c| c.id).collect::<Vec<_>>()).await?;
    Ok(changes
        .into_iter()
        .map(|c| Resolution {
            resolved: c.resolved,
            timestamp: c.timestamp,
            problems: problems.get(&c.id).cloned().unwrap_or_default(),
        })
        .collect())
}

/// Problems of the newest resolution change of each package, for packages whose newest
/// change is a failure (others are absent from the map).
pub async fn current_problems(
    db: &impl ConnectionTrait,
    package_ids: &[i32],
) -> Result<HashMap<i32, Vec<String>>, DbErr> {
    let mut newest: HashMap<i32, resolution_change::Model> = HashMap::new();
    for ids in package_ids.chunks(CHUNK) {
        let rows = resolution_change::Entity::find()
            .filter(resolution_change::Column::PackageId.is_in(ids.iter().copied()))
            .filter(
                resolution_change::Column::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .expr(resolution_change::Column::Id.max())
                        .from(resolution_change::Entity)
                        .and_where(resolution_change::Column::PackageId.is_in(ids.iter().copied()))
                        .group_by_col(resolution_change::Column::PackageId)
                        .to_owned(),
                ),
            )
            .all(db)
            .await?;
        newest.extend(rows.into_iter().map(|r| (r.package_id, r)));
    }
    let failed: Vec<&resolution_change::Model> = newest.values().filter(|c| !c.resolved).collect();
    let problems = problems_of(db, &failed.iter().map(|c| c.id).collect::<Vec<_>>()).await?;
    Ok(failed
        .into_iter()
        .map(|c| (c.package_id, problems.get(&c.id).cloned().unwrap_or_default()))
        .collect())
}

async fn problems_of(
    db: &impl ConnectionTrait,
    resolution_ids: &[i32],
) -> Result<HashMap<i32, Vec<String>>, DbErr> {
    let mut out: HashMap<i32, Vec<String>> = HashMap::new();
    for ids in resolution_ids.chunks(CHUNK) {
        let rows = resolution_problem::Entity::find()
            .filter(resolution_problem::Column::ResolutionId.is_in(ids.iter().copied()))
            .order_by_asc(resolution_problem::Column::Id)
            .all(db)
            .await?;
        for r in rows {
            out.entry(r.resolution_id).or_default().push(r.problem);
        }
    }
    Ok(out)
}

/// What the package's current priority and skip reasons depend on.
pub async fn priority_inputs(
    db: &impl ConnectionTrait,
    p: &package::Model,
    c: &collection::Model,
) -> Result<(PackageSnapshot, CollectionSnapshot), DbErr> {
    let last_build = match p.last_build_id {
        Some(id) => build::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|b| LastBuild { id: b.id, started: b.started }),
        None => None,
    };
    // Inconclusive builds newer than the newest verdict.
    let verdict = build::Entity::find()
        .filter(build::Column::PackageId.eq(p.id))
        .filter(build::Column::State.is_in([3, 5]))
        .order_by_desc(build::Column::Started)
        .one(db)
        .await?;
    let mut streak = build::Entity::find()
        .filter(build::Column::PackageId.eq(p.id))
        .filter(build::Column::State.eq(6));
    if let Some(v) = &verdict {
        streak = streak.filter(build::Column::Started.gt(v.started));
    }
    let streak = streak.all(db).await?;
    let inconclusive =
        streak.iter().map(|b| b.finished.unwrap_or(b.started)).max().map(|last_at| {
            InconclusiveStreak { count: u32::try_from(streak.len()).unwrap_or(u32::MAX), last_at }
        });
    let package = PackageSnapshot {
        id: p.id,
        name: p.name.clone(),
        collection_id: p.collection_id,
        tracked: p.tracked,
        blocked: p.blocked,
        resolved: p.resolved,
        skip_resolution: p.skip_resolution,
        last_build,
        last_complete_build_id: p.last_complete_build_id,
        manual_priority: p.manual_priority,
        static_priority: p.static_priority,
        dependency_priority: p.dependency_priority,
        build_priority: p.build_priority,
        arch_override: p.arch_override.clone(),
        scheduler_skip_reason: SchedulerSkipReason::from_code(p.scheduler_skip_reason),
        inconclusive,
    };
    let collection = CollectionSnapshot {
        id: c.id,
        name: c.name.clone(),
        display_name: c.display_name.clone(),
        priority_coefficient: c.priority_coefficient,
        latest_repo_resolved: c.latest_repo_resolved,
    };
    Ok((package, collection))
}
