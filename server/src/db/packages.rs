//! Package changes that affect `base_package.all_blocked`: inserting, deleting and
//! (un)blocking packages. Each function refreshes `all_blocked` for the affected base packages
//! (the original's statement-level trigger on `package`).
//!
//! Other package columns (priorities, tracked, resolved, …) are written directly by their
//! owners; this module must not grow general package logic. Deleting a collection or base
//! package cascades to packages without passing through here: afterwards call
//! `db::last_build::refresh_all_blocked` for the base ids involved.

use std::collections::BTreeSet;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use crate::db::entities::package;
use crate::db::last_build::refresh_all_blocked;

/// Maximum ids per `IN (…)` list.
const CHUNK: usize = 500;

async fn base_ids_of<C: ConnectionTrait>(db: &C, package_ids: &[i32]) -> Result<Vec<i32>, DbErr> {
    let mut bases = BTreeSet::new();
    for chunk in package_ids.chunks(CHUNK) {
        let rows: Vec<i32> = package::Entity::find()
            .select_only()
            .column(package::Column::BaseId)
            .filter(package::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        bases.extend(rows);
    }
    Ok(bases.into_iter().collect())
}

/// Insert a package and refresh its base package's `all_blocked`.
pub async fn insert_package<C: ConnectionTrait>(
    db: &C,
    package: package::ActiveModel,
) -> Result<package::Model, DbErr> {
    let inserted = package.insert(db).await?;
    refresh_all_blocked(db, &[inserted.base_id]).await?;
    Ok(inserted)
}

/// Set `blocked` on the given packages and refresh `all_blocked` of their base packages.
/// Returns the number of package rows updated.
pub async fn set_blocked<C: ConnectionTrait>(
    db: &C,
    package_ids: &[i32],
    blocked: bool,
) -> Result<u64, DbErr> {
    let mut updated = 0;
    for chunk in package_ids.chunks(CHUNK) {
        updated += package::Entity::update_many()
            .col_expr(package::Column::Blocked, Expr::value(blocked))
            .filter(package::Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?
            .rows_affected;
    }
    let bases = base_ids_of(db, package_ids).await?;
    refresh_all_blocked(db, &bases).await?;
    Ok(updated)
}

/// Delete packages (their builds, changes etc. cascade) and refresh `all_blocked` of their base
/// packages. Returns the number of package rows deleted.
pub async fn delete_packages<C: ConnectionTrait>(
    db: &C,
    package_ids: &[i32],
) -> Result<u64, DbErr> {
    let bases = base_ids_of(db, package_ids).await?;
    let mut deleted = 0;
    for chunk in package_ids.chunks(CHUNK) {
        deleted += package::Entity::delete_many()
            .filter(package::Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?
            .rows_affected;
    }
    refresh_all_blocked(db, &bases).await?;
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use sea_orm::ActiveValue::Set;

    use super::*;
    use crate::db::builds;
    use crate::db::entities::{base_package, build, collection};
    use crate::db::test_db::backends;

    #[tokio::test]
    async fn deleting_a_package_with_pointer_builds_cascades() {
        for tdb in backends().await {
            let (db, l) = (&tdb.conn, tdb.label);
            let c = collection::ActiveModel {
                name: Set("f40".into()),
                display_name: Set("F40".into()),
                target: Set("t".into()),
                dest_tag: Set("d".into()),
                build_tag: Set("b".into()),
                ..Default::default()
            }
            .insert(db)
            .await
            .expect("collection");
            let b = base_package::ActiveModel { name: Set("foo".into()), ..Default::default() }
                .insert(db)
                .await
                .expect("base");
            let p = insert_package(
                db,
                package::ActiveModel {
                    base_id: Set(b.id),
                    name: Set("foo".into()),
                    collection_id: Set(c.id),
                    ..Default::default()
                },
            )
            .await
            .expect("package");
            for (state, minute) in [(3, 0), (2, 10)] {
                builds::insert_build(
                    db,
                    build::ActiveModel {
                        package_id: Set(Some(p.id)),
                        state: Set(state),
                        task_id: Set(minute),
                        started: Set(
                            chrono::Utc::now() + chrono::Duration::minutes(i64::from(minute))
                        ),
                        repo_id: Set(Some(1)),
                        version: Set(Some("1".into())),
                        release: Set(Some("1".into())),
                        ..Default::default()
                    },
                )
                .await
                .expect("build");
            }
            assert_eq!(delete_packages(db, &[p.id]).await.expect("delete"), 1, "{l}");
            assert_eq!(
                build::Entity::find().all(db).await.expect("q").len(),
                0,
                "{l}: builds cascade"
            );
            let base =
                base_package::Entity::find_by_id(b.id).one(db).await.expect("q").expect("base");
            assert!(base.all_blocked, "{l}");
            assert_eq!(set_blocked(db, &[p.id], true).await.expect("no rows"), 0, "{l}");
        }
    }
}
