//! Test data written through the same domain functions the services use.

#![allow(dead_code)]

use chrono::{Duration, Utc};
use koschei::db::entities::{base_package, build, collection, package};
use koschei::db::{builds, packages};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

/// Inserts a collection.
pub async fn collection(
    db: &DatabaseConnection,
    name: &str,
    display: &str,
    order: i32,
) -> collection::Model {
    use sea_orm::ActiveModelTrait;
    collection::ActiveModel {
        name: Set(name.to_owned()),
        display_name: Set(display.to_owned()),
        order: Set(order),
        target: Set(format!("{name}-build")),
        build_tag: Set(format!("{name}-build")),
        dest_tag: Set(name.to_owned()),
        latest_repo_id: Set(Some(1)),
        latest_repo_resolved: Set(Some(true)),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert collection")
}

/// What a seeded package looks like.
#[derive(Debug, Clone, Copy, Default)]
pub struct Spec {
    /// Tracked by Koschei.
    pub tracked: bool,
    /// Blocked in Koji.
    pub blocked: bool,
    /// Resolution result.
    pub resolved: Option<bool>,
    /// State of a finished build to insert (3 complete, 5 failed).
    pub finished_build: Option<i32>,
    /// Insert a running build after the finished one.
    pub running: bool,
}

impl Spec {
    /// A tracked package with a finished build in `state`.
    pub fn built(state: i32) -> Spec {
        Spec { tracked: true, resolved: Some(true), finished_build: Some(state), ..Spec::default() }
    }
}

/// Inserts a package (and its base package when new) with builds as `spec` says.
pub async fn package(
    db: &DatabaseConnection,
    coll: &collection::Model,
    name: &str,
    spec: Spec,
) -> package::Model {
    use sea_orm::ActiveModelTrait;
    let base = match base_package::Entity::find()
        .filter(base_package::Column::Name.eq(name))
        .one(db)
        .await
        .unwrap()
    {
        Some(b) => b,
        None => base_package::ActiveModel { name: Set(name.to_owned()), ..Default::default() }
            .insert(db)
            .await
            .expect("insert base package"),
    };
    let pkg = packages::insert_package(
        db,
        package::ActiveModel {
            base_id: Set(base.id),
            name: Set(name.to_owned()),
            collection_id: Set(coll.id),
            tracked: Set(spec.tracked),
            blocked: Set(spec.blocked),
            resolved: Set(spec.resolved),
            ..Default::default()
        },
    )
    .await
    .expect("insert package");
    let t0 = Utc::now() - Duration::hours(10);
    let mut task_id = 1000 + pkg.id * 10;
    if let Some(state) = spec.finished_build {
        task_id += 1;
        builds::insert_build(
            db,
            build::ActiveModel {
                package_id: Set(Some(pkg.id)),
                state: Set(state),
                task_id: Set(task_id),
                started: Set(t0),
                finished: Set(Some(t0 + Duration::hours(1))),
                version: Set(Some("1.0".to_owned())),
                release: Set(Some("1.fc40".to_owned())),
                repo_id: Set(Some(1)),
                ..Default::default()
            },
        )
        .await
        .expect("insert finished build");
    }
    if spec.running {
        builds::insert_build(
            db,
            build::ActiveModel {
                package_id: Set(Some(pkg.id)),
                state: Set(2),
                task_id: Set(task_id + 1),
                started: Set(t0 + Duration::hours(5)),
                version: Set(Some("1.1".to_owned())),
                release: Set(Some("1.fc40".to_owned())),
                ..Default::default()
            },
        )
        .await
        .expect("insert running build");
    }
    package::Entity::find_by_id(pkg.id).one(db).await.unwrap().expect("package exists")
}
