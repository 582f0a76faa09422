//! THE way code changes `build` rows: insert, update (state, untagged, started, …) and delete.
//!
//! Every function runs in its own transaction (a savepoint when the caller already has one) and
//! finishes by recomputing the package's denormalized pointers (`db::last_build`), so no caller
//! can forget the maintenance the original did with triggers. Nothing else should write
//! `build` rows with plain sea-orm calls, and nobody should set `build.last_complete` by hand.
//!
//! Deletion policy (decided here): deleting a build that is a package's `last_build_id` or
//! `last_complete_build_id` is allowed; [`delete_build`] *repoints* the package first (as if
//! the build were already gone), then deletes. The `last_complete_build_id` foreign key keeps
//! its NO ACTION rule as a safety net against raw deletes that skip this module.

use sea_orm::ActiveValue::{NotSet, Set, Unchanged};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QuerySelect, TransactionSession, TransactionTrait,
};
use thiserror::Error;

use crate::db::entities::states::BuildState;
use crate::db::entities::{build, package};
use crate::db::last_build::{update_last_build, update_last_build_excluding};

/// Errors of the build-changing functions.
#[derive(Debug, Error)]
pub enum BuildError {
    /// Database error, including CHECK violations (e.g. a finished build without `repo_id`).
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// No build with this id.
    #[error("build {0} does not exist")]
    NotFound(i32),
    /// [`update_build`] was given an active model without its `id`.
    #[error("build update without an id")]
    MissingId,
}

async fn find<C: ConnectionTrait>(db: &C, build_id: i32) -> Result<build::Model, BuildError> {
    build::Entity::find_by_id(build_id).one(db).await?.ok_or(BuildError::NotFound(build_id))
}

/// Insert a build and update its package's pointers. Returns the row as stored after
/// maintenance (so `last_complete` is accurate). `last_complete` in the input is ignored.
pub async fn insert_build<C>(db: &C, build: build::ActiveModel) -> Result<build::Model, BuildError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = crate::db::begin_write(db).await?;
    let inserted = build.insert(&txn).await?;
    if let Some(package_id) = inserted.package_id {
        update_last_build(&txn, package_id).await?;
    }
    let stored = find(&txn, inserted.id).await?;
    txn.commit().await?;
    Ok(stored)
}

/// Update any columns of a build (the active model must carry the `id`; only `Set` columns are
/// written) and update the pointers of its package (and of the previous package if
/// `package_id` changed). Returns the row after maintenance.
pub async fn update_build<C>(db: &C, build: build::ActiveModel) -> Result<build::Model, BuildError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let id = match &build.id {
        Set(id) | Unchanged(id) => *id,
        NotSet => return Err(BuildError::MissingId),
    };
    let txn = crate::db::begin_write(db).await?;
    let old = find(&txn, id).await?;
    let mut build = build;
    build.id = Unchanged(id);
    let updated = build.update(&txn).await?;
    if let Some(package_id) = updated.package_id {
        update_last_build(&txn, package_id).await?;
    }
    if let Some(old_package) = old.package_id
        && old.package_id != updated.package_id
    {
        update_last_build(&txn, old_package).await?;
    }
    let stored = find(&txn, id).await?;
    txn.commit().await?;
    Ok(stored)
}

/// Set a build's state and `finished` time (written as given, NULL included). Finishing as
/// complete/failed requires `repo_id`, `version` and `release` to be set already (CHECK); use
/// [`update_build`] to set them in the same statement.
pub async fn set_build_state<C>(
    db: &C,
    build_id: i32,
    state: BuildState,
    finished: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<build::Model, BuildError>
where
    C: ConnectionTrait + TransactionTrait,
{
    update_build(
        db,
        build::ActiveModel {
            id: Unchanged(build_id),
            state: Set(state.as_i32()),
            finished: Set(finished),
            ..Default::default()
        },
    )
    .await
}

/// Mark a build untagged (no longer tagged in Koji: invisible to the pointers) or re-tagged.
pub async fn set_untagged<C>(
    db: &C,
    build_id: i32,
    untagged: bool,
) -> Result<build::Model, BuildError>
where
    C: ConnectionTrait + TransactionTrait,
{
    update_build(
        db,
        build::ActiveModel {
            id: Unchanged(build_id),
            untagged: Set(untagged),
            ..Default::default()
        },
    )
    .await
}

/// Delete a build. Packages pointing at it (normally only its own) are repointed first, as if
/// the build were already gone, so the NO ACTION foreign key never fires.
pub async fn delete_build<C>(db: &C, build_id: i32) -> Result<(), BuildError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = crate::db::begin_write(db).await?;
    find(&txn, build_id).await?;
    let holders: Vec<i32> = package::Entity::find()
        .select_only()
        .column(package::Column::Id)
        .filter(
            Condition::any()
                .add(package::Column::LastBuildId.eq(build_id))
                .add(package::Column::LastCompleteBuildId.eq(build_id)),
        )
        .into_tuple()
        .all(&txn)
        .await?;
    for package_id in holders {
        update_last_build_excluding(&txn, package_id, build_id).await?;
    }
    build::Entity::delete_by_id(build_id).exec(&txn).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveValue::Set, EntityTrait};

    use super::*;
    use crate::db::test_db::backends;

    /// Minimal fixture: a collection, base package and package.
    async fn package_id<C: ConnectionTrait>(db: &C, name: &str) -> i32 {
        use crate::db::entities::{base_package, collection};
        let c = collection::ActiveModel {
            name: Set(name.into()),
            display_name: Set(name.into()),
            target: Set("t".into()),
            dest_tag: Set("d".into()),
            build_tag: Set("b".into()),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("collection");
        let b = base_package::ActiveModel { name: Set(name.into()), ..Default::default() }
            .insert(db)
            .await
            .expect("base");
        package::ActiveModel {
            base_id: Set(b.id),
            name: Set(name.into()),
            collection_id: Set(c.id),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("package")
        .id
    }

    #[tokio::test]
    async fn insert_returns_maintained_row_and_ignores_input_flag() {
        for tdb in backends().await {
            let (db, l) = (&tdb.conn, tdb.label);
            let pid = package_id(db, "x").await;
            let now = chrono::Utc::now();
            let running = insert_build(
                db,
                build::ActiveModel {
                    package_id: Set(Some(pid)),
                    task_id: Set(1),
                    started: Set(now),
                    last_complete: Set(true),
                    ..Default::default()
                },
            )
            .await
            .expect("insert");
            assert_eq!(running.state, 2, "{l}: default state is running");
            assert!(!running.last_complete, "{l}: a running build is never last complete");
            // A build without a package is allowed (package_id is nullable) and touches nothing.
            let orphan = insert_build(
                db,
                build::ActiveModel { task_id: Set(2), started: Set(now), ..Default::default() },
            )
            .await
            .expect("insert orphan");
            assert_eq!(orphan.package_id, None, "{l}");
            delete_build(db, orphan.id).await.expect("delete orphan");
        }
    }

    #[tokio::test]
    async fn update_errors_are_typed() {
        for tdb in backends().await {
            let (db, l) = (&tdb.conn, tdb.label);
            assert!(
                matches!(
                    update_build(db, <build::ActiveModel as Default>::default()).await,
                    Err(BuildError::MissingId)
                ),
                "{l}"
            );
            assert!(
                matches!(set_untagged(db, 4711, true).await, Err(BuildError::NotFound(4711))),
                "{l}"
            );
            assert!(
                matches!(
                    set_build_state(db, 4711, BuildState::Failed, None).await,
                    Err(BuildError::NotFound(4711))
                ),
                "{l}"
            );
        }
    }

    #[tokio::test]
    async fn moving_a_build_between_packages_maintains_both() {
        for tdb in backends().await {
            let (db, l) = (&tdb.conn, tdb.label);
            let a = package_id(db, "a").await;
            let b = package_id(db, "b").await;
            let built = insert_build(
                db,
                build::ActiveModel {
                    package_id: Set(Some(a)),
                    task_id: Set(1),
                    started: Set(chrono::Utc::now()),
                    state: Set(3),
                    repo_id: Set(Some(1)),
                    version: Set(Some("1".into())),
                    release: Set(Some("1".into())),
                    ..Default::default()
                },
            )
            .await
            .expect("insert");
            update_build(
                db,
                build::ActiveModel {
                    id: Unchanged(built.id),
                    package_id: Set(Some(b)),
                    ..Default::default()
                },
            )
            .await
            .expect("move");
            let pa = package::Entity::find_by_id(a).one(db).await.expect("q").expect("a");
            let pb = package::Entity::find_by_id(b).one(db).await.expect("q").expect("b");
            assert_eq!((pa.last_build_id, pa.last_complete_build_id), (None, None), "{l}");
            assert_eq!(
                (pb.last_build_id, pb.last_complete_build_id),
                (Some(built.id), Some(built.id)),
                "{l}"
            );
        }
    }

    #[tokio::test]
    async fn caller_transaction_rollback_undoes_maintenance() {
        for tdb in backends().await {
            let (db, l) = (&tdb.conn, tdb.label);
            let pid = package_id(db, "tx").await;
            let txn = db.begin().await.expect("begin");
            insert_build(
                &txn,
                build::ActiveModel {
                    package_id: Set(Some(pid)),
                    task_id: Set(1),
                    started: Set(chrono::Utc::now()),
                    ..Default::default()
                },
            )
            .await
            .expect("insert in caller txn");
            txn.rollback().await.expect("rollback");
            let p = package::Entity::find_by_id(pid).one(db).await.expect("q").expect("p");
            assert_eq!(p.last_build_id, None, "{l}");
            assert_eq!(build::Entity::find().all(db).await.expect("q").len(), 0, "{l}");
        }
    }
}
