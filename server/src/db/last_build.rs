//! Maintenance of the denormalized fields the original kept with PostgreSQL triggers (spec
//! §1.5): `package.last_build_id`, `package.last_complete_build_id`,
//! `package.last_complete_build_state`, `build.last_complete` and `base_package.all_blocked`.
//!
//! The fields are a pure function of the rows:
//! * *visible* builds of a package: `state IN (2, 3, 5) AND NOT untagged` (inconclusive builds,
//!   state 6, are invisible like untagged ones);
//! * last build = newest visible build by `started`, ties broken by the higher id;
//! * last complete build = the newest visible finished (3/5) build if the last build is
//!   running, else the last build itself;
//! * `last_complete_build_state` = that build's *current* state (the original refreshed it only
//!   when the id changed; that was a bug);
//! * exactly the last complete build has `build.last_complete = true`;
//! * `base_package.all_blocked` = AND of `blocked` over its packages (true when none).
//!
//! Callers normally do not call this module: `db::builds` and `db::packages` call it after
//! every change. Nothing here changes anything but these derived columns. Run it inside the
//! same transaction as the change it follows; on PostgreSQL the package row is locked
//! (`SELECT … FOR UPDATE`) so concurrent maintenance of one package serializes.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};

use crate::db::entities::states::BuildState;
use crate::db::entities::{base_package, build, package};

/// Maximum ids per `IN (…)` list (well below both backends' bind-parameter limits).
const CHUNK: usize = 500;

/// Recompute the last-build pointers of one package and the `last_complete` flags of its
/// builds. A package id that does not exist is not an error (nothing to maintain).
pub async fn update_last_build<C: ConnectionTrait>(db: &C, package_id: i32) -> Result<(), DbErr> {
    recompute(db, package_id, None).await
}

/// Like [`update_last_build`], but treat build `excluded` as if it were already deleted. Used
/// to repoint a package before deleting one of its pointer builds.
pub(crate) async fn update_last_build_excluding<C: ConnectionTrait>(
    db: &C,
    package_id: i32,
    excluded: i32,
) -> Result<(), DbErr> {
    recompute(db, package_id, Some(excluded)).await
}

const VISIBLE_STATES: [i32; 3] =
    [BuildState::Running as i32, BuildState::Complete as i32, BuildState::Failed as i32];
const FINISHED_STATES: [i32; 2] = [BuildState::Complete as i32, BuildState::Failed as i32];

/// Newest visible build of the package among `states`, optionally ignoring one build.
async fn newest<C: ConnectionTrait>(
    db: &C,
    package_id: i32,
    states: &[i32],
    excluded: Option<i32>,
) -> Result<Option<build::Model>, DbErr> {
    build::Entity::find()
        .filter(build::Column::PackageId.eq(package_id))
        .filter(build::Column::Untagged.eq(false))
        .filter(build::Column::State.is_in(states.iter().copied()))
        .apply_if(excluded, |q, id| q.filter(build::Column::Id.ne(id)))
        .order_by_desc(build::Column::Started)
        .order_by_desc(build::Column::Id)
        .one(db)
        .await
}

async fn recompute<C: ConnectionTrait>(
    db: &C,
    package_id: i32,
    excluded: Option<i32>,
) -> Result<(), DbErr> {
    let Some(pkg) = package::Entity::find_by_id(package_id).lock_exclusive().one(db).await? else {
        return Ok(());
    };
    let last = newest(db, package_id, &VISIBLE_STATES, excluded).await?;
    let last_complete = match &last {
        Some(b) if b.state == BuildState::Running as i32 => {
            newest(db, package_id, &FINISHED_STATES, excluded).await?
        }
        other => other.clone(),
    };
    let want_last = last.as_ref().map(|b| b.id);
    let want_lc = last_complete.as_ref().map(|b| b.id);
    let want_lc_state = last_complete.as_ref().map(|b| b.state);

    if pkg.last_build_id != want_last
        || pkg.last_complete_build_id != want_lc
        || pkg.last_complete_build_state != want_lc_state
    {
        package::Entity::update_many()
            .col_expr(package::Column::LastBuildId, Expr::value(want_last))
            .col_expr(package::Column::LastCompleteBuildId, Expr::value(want_lc))
            .col_expr(package::Column::LastCompleteBuildState, Expr::value(want_lc_state))
            .filter(package::Column::Id.eq(package_id))
            .exec(db)
            .await?;
    }

    // Flags: clear every other flagged build of the package, then set the chosen one.
    build::Entity::update_many()
        .col_expr(build::Column::LastComplete, Expr::value(false))
        .filter(build::Column::PackageId.eq(package_id))
        .filter(build::Column::LastComplete.eq(true))
        .apply_if(want_lc, |q, id| q.filter(build::Column::Id.ne(id)))
        .exec(db)
        .await?;
    if let Some(id) = want_lc {
        build::Entity::update_many()
            .col_expr(build::Column::LastComplete, Expr::value(true))
            .filter(build::Column::Id.eq(id))
            .filter(build::Column::LastComplete.eq(false))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Recompute `base_package.all_blocked` (AND of `package.blocked` over the base's packages;
/// true when it has none) for the given base ids, writing only rows whose value differs.
/// Unknown ids and duplicates are ignored.
pub async fn refresh_all_blocked<C: ConnectionTrait>(
    db: &C,
    base_ids: &[i32],
) -> Result<(), DbErr> {
    let unique: Vec<i32> = base_ids.iter().copied().collect::<BTreeSet<_>>().into_iter().collect();
    for chunk in unique.chunks(CHUNK) {
        let mut wanted: BTreeMap<i32, bool> = chunk.iter().map(|&id| (id, true)).collect();
        let rows: Vec<(i32, bool)> = package::Entity::find()
            .select_only()
            .column(package::Column::BaseId)
            .column(package::Column::Blocked)
            .filter(package::Column::BaseId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        for (base_id, blocked) in rows {
            if let Some(all) = wanted.get_mut(&base_id) {
                *all = *all && blocked;
            }
        }
        let current: Vec<(i32, bool)> = base_package::Entity::find()
            .select_only()
            .column(base_package::Column::Id)
            .column(base_package::Column::AllBlocked)
            .filter(base_package::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        let mut to_true = Vec::new();
        let mut to_false = Vec::new();
        for (id, all_blocked) in current {
            match wanted.get(&id) {
                Some(&want) if want != all_blocked => {
                    if want {
                        to_true.push(id);
                    } else {
                        to_false.push(id);
                    }
                }
                _ => {}
            }
        }
        for (ids, value) in [(to_true, true), (to_false, false)] {
            if ids.is_empty() {
                continue;
            }
            base_package::Entity::update_many()
                .col_expr(base_package::Column::AllBlocked, Expr::value(value))
                .filter(base_package::Column::Id.is_in(ids))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! Every transition the original's triggers handled, on every backend (see `test_db`).

    use chrono::{DateTime, Duration, TimeZone, Utc};
    use sea_orm::{
        ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
        QueryFilter,
    };

    use super::*;
    use crate::db::builds::{self, BuildError};
    use crate::db::entities::{collection, package};
    use crate::db::packages;
    use crate::db::test_db::backends;

    pub(crate) fn t(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).single().expect("valid time")
            + Duration::minutes(minutes)
    }

    pub(crate) async fn collection(db: &DatabaseConnection, name: &str) -> collection::Model {
        collection::ActiveModel {
            name: Set(name.to_owned()),
            display_name: Set(format!("Fedora {name}")),
            target: Set(format!("{name}-target")),
            dest_tag: Set(name.to_owned()),
            build_tag: Set(format!("{name}-build")),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("insert collection")
    }

    pub(crate) async fn base(db: &DatabaseConnection, name: &str) -> base_package::Model {
        base_package::ActiveModel { name: Set(name.to_owned()), ..Default::default() }
            .insert(db)
            .await
            .expect("insert base package")
    }

    pub(crate) async fn pkg(db: &DatabaseConnection, name: &str) -> package::Model {
        let c = collection(db, &format!("c-{name}")).await;
        let b = base(db, name).await;
        packages::insert_package(
            db,
            package::ActiveModel {
                base_id: Set(b.id),
                name: Set(name.to_owned()),
                collection_id: Set(c.id),
                tracked: Set(true),
                ..Default::default()
            },
        )
        .await
        .expect("insert package")
    }

    /// Insert a build through `db::builds` (so maintenance runs).
    pub(crate) async fn add_build(
        db: &DatabaseConnection,
        package_id: i32,
        state: BuildState,
        started_min: i64,
    ) -> build::Model {
        let has_verdict = state != BuildState::Running && state != BuildState::Inconclusive;
        builds::insert_build(
            db,
            build::ActiveModel {
                package_id: Set(Some(package_id)),
                state: Set(state.as_i32()),
                task_id: Set(1000 + i32::try_from(started_min).expect("small")),
                started: Set(t(started_min)),
                version: Set(has_verdict.then(|| "1.0".to_owned())),
                release: Set(has_verdict.then(|| "1.fc40".to_owned())),
                repo_id: Set(has_verdict.then_some(77)),
                ..Default::default()
            },
        )
        .await
        .expect("insert build")
    }

    async fn reload(db: &DatabaseConnection, id: i32) -> package::Model {
        package::Entity::find_by_id(id).one(db).await.expect("query").expect("package exists")
    }

    async fn flagged(db: &DatabaseConnection, package_id: i32) -> Vec<i32> {
        let mut ids: Vec<i32> = build::Entity::find()
            .filter(build::Column::PackageId.eq(package_id))
            .filter(build::Column::LastComplete.eq(true))
            .all(db)
            .await
            .expect("query")
            .into_iter()
            .map(|b| b.id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Assert (last_build_id, last_complete_build_id, last_complete_build_state) and that
    /// exactly the last complete build carries the flag.
    async fn expect(
        db: &DatabaseConnection,
        label: &str,
        pkg_id: i32,
        last: Option<i32>,
        lc: Option<i32>,
        lcs: Option<i32>,
    ) {
        let p = reload(db, pkg_id).await;
        assert_eq!(
            (p.last_build_id, p.last_complete_build_id, p.last_complete_build_state),
            (last, lc, lcs),
            "{label}: package pointers"
        );
        assert_eq!(
            flagged(db, pkg_id).await,
            lc.into_iter().collect::<Vec<_>>(),
            "{label}: last_complete flags"
        );
    }

    #[tokio::test]
    async fn first_build_then_completion_then_next_running() {
        for tdb in backends().await {
            let (db, l) = (&tdb.conn, tdb.label);
            let p = pkg(db, "rnv").await;
            expect(db, l, p.id, None, None, None).await;

            // insert first build (running): last set, last complete NULL
            let b1 = add_build(db, p.id, BuildState::Running, 0).await;
            expect(db, l, p.id, Some(b1.id), None, None).await;
            assert!(reload(db, p.id).await.has_running_build(), "{l}");

            // running → complete
            builds::update_build(
                db,
                build::ActiveModel {
                    id: sea_orm::ActiveValue::Unchanged(b1.id),
                    state: Set(3),
                    repo_id: Set(Some(5)),
                    version: Set(Some("1".into())),
                    release: Set(Some("1".into())),
                    finished: Set(Some(t(30))),
                    ..Default::default()
                },
            )
            .await
            .expect("complete");
            expect(db, l, p.id, Some(b1.id), Some(b1.id), Some(3)).await;
            assert!(!reload(db, p.id).await.has_running_build(), "{l}");

            // new running build while a complete one exists: last complete stays
            let b2 = add_build(db, p.id, BuildState::Running, 60).await;
            expect(db, l, p.id, Some(b2.id), Some(b1.id), Some(3)).await;

            // failing without repo/version violates the CHECK: the update must be refused...
            let res = builds::set_build_state(db, b2.id, BuildState::Failed, Some(t(90))).await;
            assert!(
                matches!(res, Err(BuildError::Db(_))),
                "{l}: failed build without repo_id must be rejected"
            );
            // ...and nothing changed.
            expect(db, l, p.id, Some(b2.id), Some(b1.id), Some(3)).await;
            // it fails properly: becomes last complete with state 5, flag moves
            builds::update_build(
                db,
                build::ActiveModel {
                    id: sea_orm::ActiveValue::Unchanged(b2.id),
                    state: Set(5),
                    repo_id: Set(Some(6)),
                    version: Set(Some("2".into())),
                    release: Set(Some("1".into())),
                    ..Default::default()
                },
            )
            .await
            .expect("fail");
            expect(db, l, p.id, Some(b2.id), Some(b2.id), Some(5)).await;
            assert_eq!(reload(db, p.id).await.state().as_str(), "failing", "{l}");
        }
    }

    #[tokio::test]
    async fn ordering_is_by_started_not_id() {
        for tdb in backends().await {
            let (db, l) = (&tdb.conn, tdb.label);
            let p = pkg(db, "order").await;
            let newer = add_build(db, p.id, BuildState::Complete, 100).await;
            // An older build inserted later (higher id) must not take over.
            let older = add_build(db, p.id, BuildState::Failed, 50).await;
            assert!(older.id > newer.id);
            expect(db, l, p.id, Some(newer.id), Some(newer.id), Some(3)).await;
            // Sub-second differences order correctly too (text timestamps on SQLite).
            let frac = builds::insert_build(
                db,
                build::ActiveModel {
                    package_id: Set(Some(p.id)),
                    state: Set(5),
                    task_id: Set(1),
                    started: Set(t(100) + Duration::milliseconds(250)),
                    version: Set(Some("1".into())),
                    release: Set(Some("1".into())),
                    repo_id: Set(Some(1)),
                    ..Default::default()
                },
            )
            .await
            .expect("insert");
            expect(db, l, p.id, Some(frac.id), Some(frac.id), Some(5)).await;
            // Equal `started`: the higher id wins.
            let tie = add_build(db, p.id, BuildState::Complete, 200).await;
            let tie2 = add_build(db, p.id, BuildState::Failed, 200).await;
            assert!(tie2.id > tie.id);
            expect(db, l, p.id, Some(tie2.id), Some(tie2.id), Some(5)).await;
            // Moving `started` (task sync) reorders.
            builds::update_build(
                db,
                build::ActiveModel {
                    id: sea_orm::ActiveValue::Unchanged(tie.id),
                    started: Set(t(300)),
                    ..Default::default()
                },
            )
            .await
            .expect("update started");
            expect(db, l, p.id, Some(tie.id), Some(tie.id), Some(3)).await;
        }
    }

    #[tokio::test]
    async fn untag_and_retag() {
        for tdb in backends().await {
            let (db, l) = (&tdb.conn, tdb.label);
            let p = pkg(db, "untag").await;
            let b1 = add_build(db, p.id, BuildState::Failed, 0).await;
            let b2 = add_build(db, p.id, BuildState::Complete, 10).await;
            expect(db, l, p.id, Some(b2.id), Some(b2.id), Some(3)).await;

            // untag the last complete build → pointers move back
            builds::set_untagged(db, b2.id, true).await.expect("untag");
            expect(db, l, p.id, Some(b1.id), Some(b1.id), Some(5)).await;

            // with a running build on top, untagging the last complete one moves only lc
            builds::set_untagged(db, b2.id, false).await.expect("retag");
            let b3 = add_build(db, p.id, BuildState::Running, 20).await;
            expect(db, l, p.id, Some(b3.id), Some(b2.id), Some(3)).await;
            builds::set_untagged(db, b2.id, true).await.expect("untag");
            expect(db, l, p.id, Some(b3.id), Some(b1.id), Some(5)).await;

            // untag all → NULL
            for id in [b1.id, b3.id] {
                builds::set_untagged(db, id, true).await.expect("untag");
            }
            expect(db, l, p.id, None, None, None).await;
            assert_eq!(reload(db, p.id).await.state().as_str(), "unknown", "{l}");

            // re-tag the old failed build
            builds::set_untagged(db, b1.id, false).await.expect("retag");
            expect(db, l, p.id, Some(b1.id), Some(b1.id), Some(5)).await;
            // re-tag the newest (running) one
            builds::set_untagged(db, b3.id, false).await.expect("retag");
            expect(db, l, p.id, Some(b3.id), Some(b1.id), Some(5)).await;
        }
    }

    #[tokio::test]
    async fn deleting_builds_restores_pointers() {
        for tdb in backends().await {
            let (db, l) = (&tdb.conn, tdb.label);
            let p = pkg(db, "del").await;
            let b1 = add_build(db, p.id, BuildState::Complete, 0).await;
            let b2 = add_build(db, p.id, BuildState::Running, 10).await;
            expect(db, l, p.id, Some(b2.id), Some(b1.id), Some(3)).await;

            // delete of a running last build → pointers restored
            builds::delete_build(db, b2.id).await.expect("delete running");
            expect(db, l, p.id, Some(b1.id), Some(b1.id), Some(3)).await;

            // deleting a non-pointer build changes nothing
            let old = add_build(db, p.id, BuildState::Failed, -10).await;
            builds::delete_build(db, old.id).await.expect("delete old");
            expect(db, l, p.id, Some(b1.id), Some(b1.id), Some(3)).await;

            // deleting the last complete build (also the last build) repoints first
            let b0 = add_build(db, p.id, BuildState::Failed, -20).await;
            expect(db, l, p.id, Some(b1.id), Some(b1.id), Some(3)).await;
            builds::delete_build(db, b1.id).await.expect("delete last complete");
            expect(db, l, p.id, Some(b0.id), Some(b0.id), Some(5)).await;

            // last complete under a running build
            let b3 = add_build(db, p.id, BuildState::Running, 30).await;
            builds::delete_build(db, b0.id).await.expect("delete lc under running");
            expect(db, l, p.id, Some(b3.id), None, None).await;

            // deleting everything
            builds::delete_build(db, b3.id).await.expect("delete last");
            expect(db, l, p.id, None, None, None).await;

            // unknown build is a typed error
            assert!(
                matches!(
                    builds::delete_build(db, 999_999).await,
                    Err(BuildError::NotFound(999_999))
                ),
                "{l}"
            );

            // The FK is still a safety net for raw SQL: deleting the pointer build directly fails.
            let b4 = add_build(db, p.id, BuildState::Complete, 40).await;
            let raw = build::Entity::delete_by_id(b4.id).exec(db).await;
            assert!(raw.is_err(), "{l}: raw delete of last complete build must hit the FK");
            expect(db, l, p.id, Some(b4.id), Some(b4.id), Some(3)).await;
        }
    }

    #[tokio::test]
    async fn inconclusive_builds_are_invisible() {
        for tdb in backends().await {
            let (db, l) = (&tdb.conn, tdb.label);
            let p = pkg(db, "inc").await;
            // only an inconclusive build → no pointers
            let i0 = add_build(db, p.id, BuildState::Inconclusive, 0).await;
            expect(db, l, p.id, None, None, None).await;

            let b1 = add_build(db, p.id, BuildState::Complete, 10).await;
            let i1 = add_build(db, p.id, BuildState::Inconclusive, 20).await;
            expect(db, l, p.id, Some(b1.id), Some(b1.id), Some(3)).await;

            // a running build that ends inconclusive drops out again
            let r = add_build(db, p.id, BuildState::Running, 30).await;
            expect(db, l, p.id, Some(r.id), Some(b1.id), Some(3)).await;
            builds::set_build_state(db, r.id, BuildState::Inconclusive, Some(t(40)))
                .await
                .expect("inconclusive");
            expect(db, l, p.id, Some(b1.id), Some(b1.id), Some(3)).await;

            // an inconclusive build can be deleted without touching pointers
            builds::delete_build(db, i1.id).await.expect("delete");
            builds::delete_build(db, i0.id).await.expect("delete");
            expect(db, l, p.id, Some(b1.id), Some(b1.id), Some(3)).await;
        }
    }

    #[tokio::test]
    async fn last_complete_state_follows_the_build() {
        for tdb in backends().await {
            let (db, l) = (&tdb.conn, tdb.label);
            let p = pkg(db, "statefollow").await;
            let b1 = add_build(db, p.id, BuildState::Complete, 0).await;
            expect(db, l, p.id, Some(b1.id), Some(b1.id), Some(3)).await;
            // Same id, new state: the original left last_complete_build_state stale here.
            builds::set_build_state(db, b1.id, BuildState::Failed, None).await.expect("set failed");
            expect(db, l, p.id, Some(b1.id), Some(b1.id), Some(5)).await;
            assert_eq!(reload(db, p.id).await.state().as_str(), "failing", "{l}");

            // Under a running build too.
            let r = add_build(db, p.id, BuildState::Running, 10).await;
            builds::set_build_state(db, b1.id, BuildState::Complete, None)
                .await
                .expect("set complete");
            expect(db, l, p.id, Some(r.id), Some(b1.id), Some(3)).await;
        }
    }

    #[tokio::test]
    async fn only_one_build_is_flagged_and_stale_state_is_repaired() {
        for tdb in backends().await {
            let (db, l) = (&tdb.conn, tdb.label);
            let p = pkg(db, "flag").await;
            let b1 = add_build(db, p.id, BuildState::Complete, 0).await;
            let b2 = add_build(db, p.id, BuildState::Failed, 10).await;
            let b3 = add_build(db, p.id, BuildState::Complete, 20).await;
            expect(db, l, p.id, Some(b3.id), Some(b3.id), Some(3)).await;

            // Corrupt the derived data by hand (as the original's skip_no_srpm did) …
            build::Entity::update_many()
                .col_expr(build::Column::LastComplete, Expr::value(true))
                .filter(build::Column::PackageId.eq(p.id))
                .exec(db)
                .await
                .expect("corrupt flags");
            package::Entity::update_many()
                .col_expr(package::Column::LastBuildId, Expr::value(Option::<i32>::None))
                .col_expr(package::Column::LastCompleteBuildId, Expr::value(b1.id))
                .col_expr(package::Column::LastCompleteBuildState, Expr::value(5))
                .filter(package::Column::Id.eq(p.id))
                .exec(db)
                .await
                .expect("corrupt pointers");
            assert_eq!(flagged(db, p.id).await, vec![b1.id, b2.id, b3.id], "{l}");

            // … and one maintenance call repairs all of it.
            update_last_build(db, p.id).await.expect("maintain");
            expect(db, l, p.id, Some(b3.id), Some(b3.id), Some(3)).await;

            // Nonexistent packages are ignored.
            update_last_build(db, 424_242).await.expect("missing package is fine");
        }
    }

    #[tokio::test]
    async fn packages_are_independent() {
        for tdb in backends().await {
            let (db, l) = (&tdb.conn, tdb.label);
            let p1 = pkg(db, "a").await;
            let p2 = pkg(db, "b").await;
            let a1 = add_build(db, p1.id, BuildState::Complete, 0).await;
            let b1 = add_build(db, p2.id, BuildState::Failed, 50).await;
            let a2 = add_build(db, p1.id, BuildState::Running, 100).await;
            expect(db, l, p1.id, Some(a2.id), Some(a1.id), Some(3)).await;
            expect(db, l, p2.id, Some(b1.id), Some(b1.id), Some(5)).await;
            builds::delete_build(db, b1.id).await.expect("delete");
            expect(db, l, p1.id, Some(a2.id), Some(a1.id), Some(3)).await;
            expect(db, l, p2.id, None, None, None).await;
        }
    }

    #[tokio::test]
    async fn all_blocked_over_collections() {
        for tdb in backends().await {
            let (db, l) = (&tdb.conn, tdb.label);
            let all_blocked = |id: i32| async move {
                base_package::Entity::find_by_id(id)
                    .one(db)
                    .await
                    .expect("q")
                    .expect("base")
                    .all_blocked
            };
            let c1 = collection(db, "f40").await;
            let c2 = collection(db, "f41").await;
            let c3 = collection(db, "f42").await;
            let foo = base(db, "foo").await;
            let bar = base(db, "bar").await;
            // No packages: default true.
            assert!(all_blocked(foo.id).await, "{l}");

            let mk = |c: i32, b: i32, blocked: bool| package::ActiveModel {
                base_id: Set(b),
                name: Set(format!("p{b}")),
                collection_id: Set(c),
                blocked: Set(blocked),
                ..Default::default()
            };
            // insert unblocked → false
            let f1 = packages::insert_package(db, mk(c1.id, foo.id, false)).await.expect("insert");
            assert!(!all_blocked(foo.id).await, "{l}: one unblocked package");
            // insert blocked elsewhere → still false
            let f2 = packages::insert_package(db, mk(c2.id, foo.id, true)).await.expect("insert");
            assert!(!all_blocked(foo.id).await, "{l}");
            // block the unblocked one → true
            packages::set_blocked(db, &[f1.id], true).await.expect("block");
            assert!(all_blocked(foo.id).await, "{l}: all blocked");
            // add an unblocked third → false; block it → true
            let f3 = packages::insert_package(db, mk(c3.id, foo.id, false)).await.expect("insert");
            assert!(!all_blocked(foo.id).await, "{l}");
            // bar only blocked → true; unblock → false
            let b1 = packages::insert_package(db, mk(c1.id, bar.id, true)).await.expect("insert");
            assert!(all_blocked(bar.id).await, "{l}");
            packages::set_blocked(db, &[b1.id, f3.id], false).await.expect("unblock");
            assert!(!all_blocked(bar.id).await && !all_blocked(foo.id).await, "{l}");
            packages::set_blocked(db, &[b1.id, f3.id], true).await.expect("block");
            assert!(all_blocked(bar.id).await && all_blocked(foo.id).await, "{l}");
            // unblock one, then delete it → back to true
            packages::set_blocked(db, &[f2.id], false).await.expect("unblock");
            assert!(!all_blocked(foo.id).await, "{l}");
            packages::delete_packages(db, &[f2.id]).await.expect("delete");
            assert!(all_blocked(foo.id).await, "{l}: remaining packages all blocked");
            // delete everything → default true again (also for a base that was false)
            packages::set_blocked(db, &[b1.id], false).await.expect("unblock");
            packages::delete_packages(db, &[f1.id, f3.id, b1.id]).await.expect("delete");
            assert!(all_blocked(foo.id).await && all_blocked(bar.id).await, "{l}");
            // Empty input and unknown ids are fine.
            refresh_all_blocked(db, &[]).await.expect("empty");
            refresh_all_blocked(db, &[987_654, foo.id, foo.id]).await.expect("unknown");
        }
    }
}
