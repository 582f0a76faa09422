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

/// Inserts a build of `pkg` (through `db::builds`) started `hours_ago` hours ago.
pub async fn build(
    db: &DatabaseConnection,
    pkg: &package::Model,
    state: i32,
    task_id: i32,
    hours_ago: i64,
    deps_resolved: Option<bool>,
) -> build::Model {
    let started = Utc::now() - Duration::hours(hours_ago);
    builds::insert_build(
        db,
        build::ActiveModel {
            package_id: Set(Some(pkg.id)),
            state: Set(state),
            task_id: Set(task_id),
            started: Set(started),
            finished: Set((state != 2).then(|| (started + Duration::minutes(30)).min(Utc::now()))),
            version: Set(Some("1.0".to_owned())),
            release: Set(Some(format!("{task_id}.fc40"))),
            repo_id: Set((state != 2).then_some(7)),
            deps_resolved: Set(deps_resolved),
            ..Default::default()
        },
    )
    .await
    .expect("insert build")
}

/// The `dependency` row id of a NEVRA such as `expat-2.6.0-1.fc40.x86_64`.
pub async fn dep(db: &DatabaseConnection, nevra: &str) -> i32 {
    let nevra = koschei::rpm::Nevra::parse(nevra).expect("NEVRA");
    let ids = koschei::db::dependencies::ids_for(db, std::slice::from_ref(&nevra))
        .await
        .expect("insert dependency");
    ids[&nevra]
}

async fn dep_opt(db: &DatabaseConnection, nevra: Option<&str>) -> Option<i32> {
    match nevra {
        Some(n) => Some(dep(db, n).await),
        None => None,
    }
}

/// Records an applied change of a build.
pub async fn applied_change(
    db: &DatabaseConnection,
    build_id: i32,
    prev: Option<&str>,
    curr: Option<&str>,
    distance: Option<i32>,
) {
    use koschei::db::entities::applied_change;
    use sea_orm::ActiveModelTrait;
    applied_change::ActiveModel {
        build_id: Set(build_id),
        prev_dep_id: Set(dep_opt(db, prev).await),
        curr_dep_id: Set(dep_opt(db, curr).await),
        distance: Set(distance),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert applied change");
}

/// Records an unapplied change of a package.
pub async fn unapplied_change(
    db: &DatabaseConnection,
    package_id: i32,
    prev: Option<&str>,
    curr: Option<&str>,
    distance: Option<i32>,
) {
    use koschei::db::entities::unapplied_change;
    use sea_orm::ActiveModelTrait;
    unapplied_change::ActiveModel {
        package_id: Set(package_id),
        prev_dep_id: Set(dep_opt(db, prev).await),
        curr_dep_id: Set(dep_opt(db, curr).await),
        distance: Set(distance),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert unapplied change");
}

/// Records a resolution change `hours_ago` hours ago with its problems.
pub async fn resolution(
    db: &DatabaseConnection,
    package_id: i32,
    resolved: bool,
    hours_ago: i64,
    problems: &[&str],
) {
    use koschei::db::entities::{resolution_change, resolution_problem};
    use sea_orm::ActiveModelTrait;
    let change = resolution_change::ActiveModel {
        package_id: Set(package_id),
        resolved: Set(resolved),
        timestamp: Set(Utc::now() - Duration::hours(hours_ago)),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert resolution change");
    for problem in problems {
        resolution_problem::ActiveModel {
            resolution_id: Set(change.id),
            problem: Set((*problem).to_owned()),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("insert resolution problem");
    }
}

/// Records a Koji `buildArch` subtask of a build (Koji state 0..5).
pub async fn koji_task(
    db: &DatabaseConnection,
    b: &build::Model,
    task_id: i32,
    arch: &str,
    state: i32,
) {
    use koschei::db::entities::koji_task;
    use sea_orm::ActiveModelTrait;
    koji_task::ActiveModel {
        build_id: Set(b.id),
        task_id: Set(task_id),
        arch: Set(arch.to_owned()),
        state: Set(state),
        started: Set(b.started),
        finished: Set(b.finished),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert koji task");
}

/// A package with history, for the package-detail tests: `name` in `coll`, tracked and
/// resolved, with three builds (tasks `base+1` complete 10 h ago with two arch tasks,
/// `base+2` failed 5 h ago with five applied changes, `base+3` complete 1 h ago, not
/// processed yet) and four unapplied changes.
pub async fn package_with_history(
    db: &DatabaseConnection,
    coll: &collection::Model,
    name: &str,
    base: i32,
) -> package::Model {
    let pkg =
        package(db, coll, name, Spec { tracked: true, resolved: Some(true), ..Spec::default() })
            .await;
    let b1 = build(db, &pkg, 3, base + 1, 10, Some(true)).await;
    koji_task(db, &b1, base + 11, "x86_64", 2).await;
    koji_task(db, &b1, base + 12, "i686", 2).await;
    let b2 = build(db, &pkg, 5, base + 2, 5, Some(true)).await;
    for (prev, curr, distance) in [
        (Some("libfoo-1.0-1.fc40.x86_64"), None, None),
        (Some("glibc-2.39-1.fc40.x86_64"), Some("glibc-2.39-2.fc40.x86_64"), Some(3)),
        (None, Some("newdep-0.1-1.fc40.noarch"), Some(2)),
        (Some("python3-1:3.12.1-1.fc40.x86_64"), Some("python3-1:3.11.9-1.fc40.x86_64"), Some(1)),
        (Some("expat-2.5.0-1.fc40.x86_64"), Some("expat-2.10.0-1.fc40.x86_64"), Some(1)),
    ] {
        applied_change(db, b2.id, prev, curr, distance).await;
    }
    build(db, &pkg, 3, base + 3, 1, None).await;
    for (prev, curr, distance) in [
        (Some("zlib-1.2.13-1.fc40.x86_64"), Some("zlib-1.3-1.fc40.x86_64"), None),
        (Some("gcc-13.2-1.fc40.x86_64"), Some("gcc-14.1-1.fc40.x86_64"), Some(2)),
        (Some("bash-5.2-1.fc40.x86_64"), Some("bash-5.1-9.fc40.x86_64"), Some(2)),
        (Some("epochy-1.0-1.fc40.noarch"), Some("epochy-2:0.5-1.fc40.noarch"), Some(1)),
    ] {
        unapplied_change(db, pkg.id, prev, curr, distance).await;
    }
    package::Entity::find_by_id(pkg.id).one(db).await.unwrap().expect("package exists")
}
