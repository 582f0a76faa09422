//! The `build_resolver` service (spec §4.3): for builds whose Koji repo is known but whose
//! dependencies were not resolved yet (`deps_resolved IS NULL AND repo_id IS NOT NULL`),
//! resolve the build's BuildRequires in that repo, store its dependency set
//! (`dependency_keys`), the applied changes against the package's previous resolved build,
//! and bump `build_priority` when a package's last build is unresolvable.
//!
//! Only the newest resolved build of a package keeps its keys (§1.4): the predecessor's are
//! cleared, and a build resolved out of order (an even newer one is resolved already) gets
//! no keys. A deleted repo or a missing build group marks the builds unresolved; a failed
//! download leaves them for the next tick. Must not touch package resolution state.

use std::collections::BTreeMap;
use std::time::Duration;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};

use super::resolution::{self, Solved};
use super::{BoxFuture, Outcome, Service, ServiceContext};
use crate::config::Config;
use crate::db::entities::{applied_change, build, collection, package};
use crate::db::locks::LockKey;
use crate::db::{dependencies, dependency_keys};
use crate::koji::api::RpmRef;

/// The service.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildResolver;

impl Service for BuildResolver {
    fn name(&self) -> &'static str {
        "build_resolver"
    }

    fn interval(&self, config: &Config) -> Duration {
        config.services.build_resolver.interval
    }

    fn tick<'a>(&'a self, ctx: &'a ServiceContext) -> BoxFuture<'a, anyhow::Result<Outcome>> {
        Box::pin(tick(ctx))
    }
}

/// One tick: every collection, every repo group whose lock is free.
pub async fn tick(ctx: &ServiceContext) -> anyhow::Result<Outcome> {
    let collections =
        collection::Entity::find().order_by_asc(collection::Column::Id).all(&ctx.db).await?;
    let mut outcome = Outcome::Idle;
    let mut errors = Vec::new();
    for c in collections {
        let rows = build::Entity::find()
            .find_also_related(package::Entity)
            .filter(package::Column::CollectionId.eq(c.id))
            .filter(build::Column::DepsResolved.is_null())
            .filter(build::Column::RepoId.is_not_null())
            .order_by_asc(build::Column::RepoId)
            .order_by_asc(build::Column::Started)
            .order_by_asc(build::Column::Id)
            .all(&ctx.db)
            .await?;
        let mut groups: BTreeMap<i32, Vec<(build::Model, package::Model)>> = BTreeMap::new();
        for (b, p) in rows {
            if let (Some(repo_id), Some(p)) = (b.repo_id, p) {
                groups.entry(repo_id).or_default().push((b, p));
            }
        }
        for (repo_id, builds) in groups {
            let Some(guard) = ctx.locks.try_acquire(LockKey::BuildResolver { repo_id }).await?
            else {
                continue;
            };
            let result = process_group(ctx, &c, repo_id, &builds).await;
            guard.release().await?;
            match result {
                Ok(true) => outcome = Outcome::Progress,
                Ok(false) => {}
                Err(e) => errors.push(format!("collection {} repo {repo_id}: {e:#}", c.name)),
            }
        }
    }
    if !errors.is_empty() {
        anyhow::bail!("{}", errors.join("; "));
    }
    Ok(outcome)
}

async fn process_group(
    ctx: &ServiceContext,
    c: &collection::Model,
    repo_id: i32,
    builds: &[(build::Model, package::Model)],
) -> anyhow::Result<bool> {
    let inst = ctx.koji.for_reading(c.secondary_mode).clone();
    let Some(desc) = resolution::descriptor(&inst, i64::from(repo_id)).await? else {
        for (b, _) in builds {
            mark_unresolved(ctx, b).await?;
        }
        return Ok(true);
    };
    let group = resolution::build_group(&inst, &desc.build_tag, &c.build_group, desc.repo_id)
        .await?
        .filter(|g| !g.is_empty());
    let Some(group) = group else {
        for (b, _) in builds {
            mark_unresolved(ctx, b).await?;
        }
        return Ok(true);
    };
    let repo = resolution::fetch_repo(ctx, &inst, &desc).await?;
    let mut todo = Vec::new();
    let mut refs = Vec::new();
    for (b, p) in builds {
        if let (Some(v), Some(r)) = (&b.version, &b.release) {
            refs.push(RpmRef::srpm(&p.name, None, v, r));
            todo.push(b);
        } else {
            mark_unresolved(ctx, b).await?;
        }
    }
    let brs = resolution::build_requires(ctx, &inst, &refs).await;
    let mut jobs = Vec::new();
    let mut jobs_builds = Vec::new();
    for (b, r) in todo.into_iter().zip(brs) {
        match r {
            Ok(brs) => {
                jobs.push(brs);
                jobs_builds.push(b);
            }
            Err(e) => tracing::warn!(build = b.id, error = %e, "no BuildRequires; retried later"),
        }
    }
    let solved = resolution::solve_all(ctx, &repo, group, jobs).await?;
    let mut written = builds.len() - refs.len();
    for (b, s) in jobs_builds.into_iter().zip(solved) {
        if s.resolved {
            store_resolved(ctx, b, s).await?;
        } else {
            mark_unresolved(ctx, b).await?;
        }
        written += 1;
    }
    // Builds whose BuildRequires Koji could not give are retried next tick, not at once.
    Ok(written > 0)
}

/// `deps_resolved = FALSE`; the package's `build_priority` = newly_added when this is its
/// last build.
async fn mark_unresolved(ctx: &ServiceContext, b: &build::Model) -> anyhow::Result<()> {
    let txn = crate::db::begin_write(&ctx.db).await?;
    let updated = build::Entity::update_many()
        .col_expr(build::Column::DepsResolved, Expr::value(false))
        .filter(build::Column::Id.eq(b.id))
        .filter(build::Column::DepsResolved.is_null())
        .exec(&txn)
        .await?;
    if updated.rows_affected > 0
        && let Some(pid) = b.package_id
    {
        package::Entity::update_many()
            .col_expr(
                package::Column::BuildPriority,
                Expr::value(ctx.config.priorities.newly_added as i32),
            )
            .filter(package::Column::Id.eq(pid))
            .filter(package::Column::LastBuildId.eq(b.id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn store_resolved(ctx: &ServiceContext, b: &build::Model, s: Solved) -> anyhow::Result<()> {
    let txn = crate::db::begin_write(&ctx.db).await?;
    let nevras: Vec<_> = s.deps.iter().map(|d| d.nevra.clone()).collect();
    let ids = dependencies::ids_for(&txn, &nevras).await?;
    let mut id_list: Vec<i32> = ids.values().copied().collect();
    id_list.sort_unstable();
    id_list.dedup();
    let keys = dependency_keys::encode(&id_list)?;
    let (prev, newer) = match b.package_id {
        Some(pid) => {
            let prev = build::Entity::find()
                .filter(build::Column::PackageId.eq(pid))
                .filter(build::Column::Started.lt(b.started))
                .filter(build::Column::DepsResolved.eq(true))
                .order_by_desc(build::Column::Started)
                .one(&txn)
                .await?;
            let newer = build::Entity::find()
                .filter(build::Column::PackageId.eq(pid))
                .filter(build::Column::Started.gt(b.started))
                .filter(build::Column::DepsResolved.eq(true))
                .count(&txn)
                .await?;
            (prev, newer > 0)
        }
        None => (None, false),
    };
    let updated = build::Entity::update_many()
        .col_expr(build::Column::DepsResolved, Expr::value(true))
        .col_expr(build::Column::DependencyKeys, Expr::value(if newer { None } else { Some(keys) }))
        .filter(build::Column::Id.eq(b.id))
        .filter(build::Column::DepsResolved.is_null())
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Ok(()); // deleted or processed meanwhile; the transaction is dropped
    }
    if let Some(prev) = prev {
        if let Some(prev_keys) = &prev.dependency_keys {
            let (rows, _) = resolution::change_rows(
                &txn,
                prev_keys,
                &s.deps,
                ctx.config.priorities.package_update,
            )
            .await?;
            if !rows.is_empty() {
                applied_change::Entity::insert_many(rows.into_iter().map(|r| {
                    applied_change::ActiveModel {
                        build_id: Set(b.id),
                        prev_dep_id: Set(r.prev_dep_id),
                        curr_dep_id: Set(r.curr_dep_id),
                        distance: Set(r.distance),
                        ..Default::default()
                    }
                }))
                .exec(&txn)
                .await?;
            }
        }
        if !newer {
            build::Entity::update_many()
                .col_expr(build::Column::DependencyKeys, Expr::value(Option::<Vec<u8>>::None))
                .filter(build::Column::Id.eq(prev.id))
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}
