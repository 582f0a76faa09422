//! Schema tests on every backend: migrations up → down → up, CHECK/UNIQUE constraints, the
//! partial indexes, and a round trip of one row through every entity (entities ↔ migrations).
//!
//! Test-only module; it must not be compiled into the server.

use chrono::{TimeZone, Utc};
use migration::{Migrator, MigratorTrait};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Statement,
};

use super::*;
use crate::db::builds;
use crate::db::test_db::{backends, empty_backends};

const ALL_TABLES: [&str; 27] = [
    "collection",
    "base_package",
    "package",
    "build",
    "koji_task",
    "dependency",
    "applied_change",
    "unapplied_change",
    "resolution_change",
    "resolution_problem",
    "buildroot_problem",
    "repo_mapping",
    "user",
    "collection_group",
    "collection_group_relation",
    "package_group",
    "package_group_relation",
    "group_acl",
    "admin_notice",
    "log_entry",
    "build_group",
    "copr_rebuild_request",
    "copr_resolution_change",
    "copr_rebuild",
    "scalar_stats",
    "resource_consumption_stats",
    "service_status",
];

async fn table_names(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        _ => "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'",
    };
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("list tables");
    let mut names: Vec<String> =
        rows.iter().map(|r| r.try_get::<String>("", "name").expect("name")).collect();
    names.retain(|n| n != "seaql_migrations");
    names.sort();
    names
}

/// Index definition SQL by name, if the index exists.
async fn index_sql(db: &DatabaseConnection, name: &str) -> Option<String> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => {
            "SELECT sql AS def FROM sqlite_master WHERE type = 'index' AND name = $1"
        }
        _ => "SELECT indexdef AS def FROM pg_indexes WHERE indexname = $1",
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [name.into()]))
        .await
        .expect("query index")?;
    row.try_get::<Option<String>>("", "def").expect("def")
}

fn ts(day: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, day, 8, 30, 15).single().expect("valid time")
}

/// Insert a collection, base package, package, and a complete + a running build, so that the
/// package's pointer foreign keys are in use.
async fn populate(
    db: &DatabaseConnection,
) -> (collection::Model, base_package::Model, package::Model, build::Model) {
    let c = collection::ActiveModel {
        name: Set("f40".into()),
        display_name: Set("Fedora 40".into()),
        target: Set("f40".into()),
        dest_tag: Set("f40".into()),
        build_tag: Set("f40-build".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("collection");
    let b = base_package::ActiveModel { name: Set("rnv".into()), ..Default::default() }
        .insert(db)
        .await
        .expect("base");
    let p = package::ActiveModel {
        base_id: Set(b.id),
        name: Set("rnv".into()),
        collection_id: Set(c.id),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("package");
    let complete = builds::insert_build(
        db,
        build::ActiveModel {
            package_id: Set(Some(p.id)),
            state: Set(3),
            task_id: Set(1),
            started: Set(ts(1)),
            finished: Set(Some(ts(2))),
            repo_id: Set(Some(5)),
            version: Set(Some("1.0".into())),
            release: Set(Some("1".into())),
            dependency_keys: Set(Some(vec![0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
            ..Default::default()
        },
    )
    .await
    .expect("complete build");
    builds::insert_build(
        db,
        build::ActiveModel {
            package_id: Set(Some(p.id)),
            task_id: Set(2),
            started: Set(ts(3)),
            ..Default::default()
        },
    )
    .await
    .expect("running build");
    (c, b, p, complete)
}

#[tokio::test]
async fn migrations_up_down_up() {
    let mut expected: Vec<String> = ALL_TABLES.iter().map(|s| s.to_string()).collect();
    expected.sort();
    for tdb in empty_backends().await {
        let (db, l) = (&tdb.conn, tdb.label);
        assert!(table_names(db).await.is_empty(), "{l}: fresh database");
        Migrator::up(db, None).await.unwrap_or_else(|e| panic!("{l}: up: {e}"));
        assert_eq!(table_names(db).await, expected, "{l}: tables after up");
        populate(db).await;
        Migrator::down(db, None).await.unwrap_or_else(|e| panic!("{l}: down with data: {e}"));
        assert!(table_names(db).await.is_empty(), "{l}: tables after down");
        assert_eq!(index_sql(db, "ix_build_composite").await, None, "{l}: indexes gone");
        Migrator::up(db, None).await.unwrap_or_else(|e| panic!("{l}: up again: {e}"));
        assert_eq!(table_names(db).await, expected, "{l}: tables after second up");
        // One step down removes only the service_status table, the next the indexes.
        Migrator::down(db, Some(1)).await.unwrap_or_else(|e| panic!("{l}: down 1: {e}"));
        let without: Vec<String> =
            expected.iter().filter(|t| *t != "service_status").cloned().collect();
        assert_eq!(table_names(db).await, without, "{l}");
        assert!(index_sql(db, "ix_package_collection_id").await.is_some(), "{l}");
        Migrator::down(db, Some(1)).await.unwrap_or_else(|e| panic!("{l}: down 2: {e}"));
        assert_eq!(table_names(db).await, without, "{l}");
        assert_eq!(index_sql(db, "ix_package_collection_id").await, None, "{l}");
        Migrator::up(db, None).await.unwrap_or_else(|e| panic!("{l}: up 1: {e}"));
        assert!(index_sql(db, "ix_package_collection_id").await.is_some(), "{l}");
    }
}

#[tokio::test]
async fn indexes_exist_and_partial_ones_have_predicates() {
    let plain = [
        "ix_package_name",
        "ix_build_composite",
        "ix_koji_task_build_id",
        "ix_applied_change_build_id",
        "ix_applied_change_prev_dep_id",
        "ix_applied_change_curr_dep_id",
        "ix_unapplied_change_package_id",
        "ix_unapplied_change_prev_dep_id",
        "ix_unapplied_change_curr_dep_id",
        "ix_resolution_change_package_id",
        "ix_resolution_problem_resolution_id",
        "ix_buildroot_problem_collection_id",
        "ix_package_group_relation_base_id",
        "ix_resource_consumption_stats_time",
        "ix_dependency_composite",
        "ix_package_group_name",
    ];
    let partial = [
        ("ix_package_collection_id", "blocked"),
        ("ix_builds_unprocessed", "deps_resolved"),
        ("ix_builds_last_complete", "last_complete"),
    ];
    for tdb in backends().await {
        let (db, l) = (&tdb.conn, tdb.label);
        for name in plain {
            let def =
                index_sql(db, name).await.unwrap_or_else(|| panic!("{l}: index {name} missing"));
            assert!(
                !def.to_uppercase().contains(" WHERE "),
                "{l}: {name} must not be partial: {def}"
            );
        }
        for (name, column) in partial {
            let def =
                index_sql(db, name).await.unwrap_or_else(|| panic!("{l}: index {name} missing"));
            let upper = def.to_uppercase();
            let where_at = upper
                .find(" WHERE ")
                .unwrap_or_else(|| panic!("{l}: {name} is not partial: {def}"));
            assert!(def[where_at..].contains(column), "{l}: {name} predicate: {def}");
        }
        let composite = index_sql(db, "ix_build_composite").await.expect("exists");
        assert!(composite.to_uppercase().contains("DESC"), "{l}: started DESC: {composite}");
        // The partial index on booleans is usable: a query with its predicate works.
        let (c, ..) = populate(db).await;
        let stmt = Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM package WHERE collection_id = $1 AND NOT blocked",
            [c.id.into()],
        );
        let row = db.query_one_raw(stmt).await.expect("query").expect("row");
        assert_eq!(row.try_get::<i64>("", "n").expect("n"), 1, "{l}");
    }
}

/// Expect `result` to be a database error (constraint violation), with context.
fn rejected<T: std::fmt::Debug, E>(label: &str, what: &str, result: Result<T, E>) {
    if let Ok(v) = result {
        panic!("{label}: {what} was accepted: {v:?}");
    }
}

#[tokio::test]
async fn constraints_reject_bad_rows() {
    for tdb in backends().await {
        let (db, l) = (&tdb.conn, tdb.label);
        let (c, b, p, complete) = populate(db).await;
        let build_row = |state: i32,
                         repo: Option<i32>,
                         version: Option<&str>,
                         release: Option<&str>,
                         real: bool| {
            build::ActiveModel {
                package_id: Set(Some(p.id)),
                state: Set(state),
                task_id: Set(9),
                started: Set(ts(9)),
                repo_id: Set(repo),
                version: Set(version.map(str::to_owned)),
                release: Set(release.map(str::to_owned)),
                real: Set(real),
                untagged: Set(true), // keep the pointers out of it
                ..Default::default()
            }
        };
        // build.state
        rejected(l, "state 4", build_row(4, Some(1), Some("1"), Some("1"), false).insert(db).await);
        rejected(l, "state 1", build_row(1, Some(1), Some("1"), Some("1"), false).insert(db).await);
        // finished builds need repo_id, version, release
        rejected(
            l,
            "complete without repo_id",
            build_row(3, None, Some("1"), Some("1"), false).insert(db).await,
        );
        rejected(
            l,
            "failed without version",
            build_row(5, Some(1), None, Some("1"), false).insert(db).await,
        );
        rejected(
            l,
            "complete without release",
            build_row(3, Some(1), Some("1"), None, false).insert(db).await,
        );
        // real builds are finished
        rejected(l, "real running", build_row(2, None, None, None, true).insert(db).await);
        rejected(
            l,
            "real inconclusive",
            build_row(6, Some(1), Some("1"), Some("1"), true).insert(db).await,
        );
        // positive controls
        build_row(2, None, None, None, false).insert(db).await.expect("running without repo");
        build_row(6, None, None, None, false).insert(db).await.expect("inconclusive without repo");
        build_row(5, Some(1), Some("1"), Some("1"), true).insert(db).await.expect("real failed");

        // koji_task.state 0..5
        let task = |state: i32| koji_task::ActiveModel {
            build_id: Set(complete.id),
            task_id: Set(10),
            arch: Set("x86_64".into()),
            state: Set(state),
            started: Set(ts(1)),
            ..Default::default()
        };
        rejected(l, "koji_task state 6", task(6).insert(db).await);
        rejected(l, "koji_task state -1", task(-1).insert(db).await);
        task(5).insert(db).await.expect("koji_task state 5");

        // package
        let mut bad_pkg: package::ActiveModel = p.clone().into();
        bad_pkg.skip_resolution = Set(true);
        bad_pkg.resolved = Set(Some(true));
        rejected(l, "skip_resolution with resolved", bad_pkg.update(db).await);
        let dup = package::ActiveModel {
            base_id: Set(b.id),
            name: Set("rnv".into()),
            collection_id: Set(c.id),
            ..Default::default()
        };
        rejected(l, "package twice in a collection", dup.insert(db).await);

        // collection: latest_repo_id and latest_repo_resolved are NULL together
        let mut bad_coll: collection::ActiveModel = c.clone().into();
        bad_coll.latest_repo_id = Set(Some(3));
        rejected(l, "latest_repo_id without resolved", bad_coll.update(db).await);
        let mut good_coll: collection::ActiveModel = c.clone().into();
        good_coll.latest_repo_id = Set(Some(3));
        good_coll.latest_repo_resolved = Set(Some(false));
        good_coll.update(db).await.expect("both set");

        // dependency uniqueness and change CHECKs
        let dep = |epoch: i32| dependency::ActiveModel {
            name: Set("glibc".into()),
            epoch: Set(Some(epoch)),
            version: Set("2.39".into()),
            release: Set("1".into()),
            arch: Set("x86_64".into()),
            ..Default::default()
        };
        let d0 = dep(0).insert(db).await.expect("dependency");
        rejected(l, "duplicate dependency", dep(0).insert(db).await);
        let d1 = dep(1).insert(db).await.expect("dependency with other epoch");
        let change = |prev: Option<i32>, curr: Option<i32>| applied_change::ActiveModel {
            build_id: Set(complete.id),
            prev_dep_id: Set(prev),
            curr_dep_id: Set(curr),
            ..Default::default()
        };
        rejected(
            l,
            "applied change prev = curr",
            change(Some(d0.id), Some(d0.id)).insert(db).await,
        );
        rejected(l, "applied change both NULL", change(None, None).insert(db).await);
        change(Some(d0.id), Some(d1.id)).insert(db).await.expect("real change");
        let uchange = unapplied_change::ActiveModel {
            package_id: Set(p.id),
            prev_dep_id: Set(Some(d1.id)),
            curr_dep_id: Set(Some(d1.id)),
            ..Default::default()
        };
        rejected(l, "unapplied change prev = curr", uchange.insert(db).await);

        // log_entry: enum as text + CHECK, and user required unless backend
        let backend = db.get_database_backend();
        let raw = |sql: &str| Statement::from_string(backend, sql.to_owned());
        rejected(
            l,
            "log environment 'cli'",
            db.execute_raw(raw(
                "INSERT INTO log_entry (environment, timestamp, message) VALUES ('cli', '2024-01-01T00:00:00+00:00', 'm')",
            ))
            .await,
        );
        let entry = |env: log_entry::LogEnvironment, user: Option<i32>| log_entry::ActiveModel {
            environment: Set(env),
            user_id: Set(user),
            timestamp: Set(ts(4)),
            message: Set("m".into()),
            ..Default::default()
        };
        rejected(
            l,
            "frontend entry without user",
            entry(log_entry::LogEnvironment::Frontend, None).insert(db).await,
        );
        entry(log_entry::LogEnvironment::Backend, None).insert(db).await.expect("backend entry");

        // copr request state
        let u = user::ActiveModel { name: Set("alice".into()), ..Default::default() }
            .insert(db)
            .await
            .expect("user");
        rejected(
            l,
            "copr state 'bogus'",
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO copr_rebuild_request (user_id, collection_id, repo_source, timestamp, state) \
                 VALUES ($1, $2, 'copr:a/b', '2024-01-01T00:00:00+00:00', 'bogus')",
                [u.id.into(), c.id.into()],
            ))
            .await,
        );
        rejected(
            l,
            "duplicate user name",
            user::ActiveModel { name: Set("alice".into()), ..Default::default() }.insert(db).await,
        );
    }
}

#[tokio::test]
async fn every_entity_round_trips_a_row() {
    use copr_rebuild_request::RebuildRequestState;
    use log_entry::LogEnvironment;
    for tdb in backends().await {
        let (db, l) = (&tdb.conn, tdb.label);
        let (c, b, p, complete) = populate(db).await;

        // Defaults from the schema.
        let c_row = collection::Entity::find_by_id(c.id).one(db).await.expect("q").expect("c");
        assert_eq!(
            (
                c_row.order,
                c_row.secondary_mode,
                c_row.priority_coefficient,
                c_row.build_group.as_str(),
                c_row.poll_untracked
            ),
            (100, false, 1.0, "build", true),
            "{l}: collection defaults"
        );
        let p_row = package::Entity::find_by_id(p.id).one(db).await.expect("q").expect("p");
        assert_eq!(
            (
                p_row.tracked,
                p_row.blocked,
                p_row.skip_resolution,
                p_row.static_priority,
                p_row.manual_priority
            ),
            (false, false, false, 0, 0),
            "{l}: package defaults"
        );
        let b_row = build::Entity::find_by_id(complete.id).one(db).await.expect("q").expect("b");
        assert_eq!(b_row.started, ts(1), "{l}: timestamps round-trip in UTC");
        assert_eq!(
            b_row.dependency_keys.as_deref(),
            Some(&[0x78, 0x9c, 0x03, 0, 0, 0, 0, 1][..]),
            "{l}: blob"
        );
        assert!(!b_row.cancel_requested && !b_row.real && !b_row.untagged, "{l}: build defaults");

        let dep = dependency::ActiveModel {
            name: Set("gcc".into()),
            epoch: Set(None),
            version: Set("14".into()),
            release: Set("1".into()),
            arch: Set("x86_64".into()),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("dependency");
        koji_task::ActiveModel {
            build_id: Set(complete.id),
            task_id: Set(3),
            arch: Set("noarch".into()),
            state: Set(2),
            started: Set(ts(1)),
            finished: Set(Some(ts(2))),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("koji_task");
        applied_change::ActiveModel {
            build_id: Set(complete.id),
            curr_dep_id: Set(Some(dep.id)),
            distance: Set(Some(1)),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("applied_change");
        let uc = unapplied_change::ActiveModel {
            package_id: Set(p.id),
            prev_dep_id: Set(Some(dep.id)),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("unapplied_change");
        assert!(uc.id > 0_i64, "{l}");
        let rc = resolution_change::ActiveModel {
            resolved: Set(false),
            timestamp: Set(ts(5)),
            package_id: Set(p.id),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("resolution_change");
        resolution_problem::ActiveModel {
            resolution_id: Set(rc.id),
            problem: Set("nothing provides x".into()),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("resolution_problem");
        buildroot_problem::ActiveModel {
            collection_id: Set(Some(c.id)),
            problem: Set("p".into()),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("buildroot_problem");
        repo_mapping::ActiveModel {
            secondary_id: Set(123),
            primary_id: Set(None),
            task_id: Set(7),
        }
        .insert(db)
        .await
        .expect("repo_mapping");
        let u =
            user::ActiveModel { name: Set("bob".into()), admin: Set(true), ..Default::default() }
                .insert(db)
                .await
                .expect("user");
        let cg = collection_group::ActiveModel {
            name: Set("fedora".into()),
            display_name: Set("Fedora".into()),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("collection_group");
        collection_group_relation::ActiveModel { group_id: Set(cg.id), collection_id: Set(c.id) }
            .insert(db)
            .await
            .expect("collection_group_relation");
        let pg = package_group::ActiveModel {
            namespace: Set(Some("bob".into())),
            name: Set("java".into()),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("package_group");
        package_group_relation::ActiveModel { group_id: Set(pg.id), base_id: Set(b.id) }
            .insert(db)
            .await
            .expect("package_group_relation");
        group_acl::ActiveModel { group_id: Set(pg.id), user_id: Set(u.id) }
            .insert(db)
            .await
            .expect("group_acl");
        admin_notice::ActiveModel {
            key: Set("global_notice".into()),
            content: Set("outage".into()),
        }
        .insert(db)
        .await
        .expect("admin_notice");
        let le = log_entry::ActiveModel {
            user_id: Set(Some(u.id)),
            environment: Set(LogEnvironment::Admin),
            timestamp: Set(ts(6)),
            message: Set("did a thing".into()),
            base_id: Set(Some(b.id)),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("log_entry");
        assert_eq!(le.environment, LogEnvironment::Admin, "{l}");
        build_group::ActiveModel {
            repo_id: Set(Some(1)),
            collection_id: Set(Some(c.id)),
            base_collection_id: Set(None),
            state: Set(Some("queued".into())),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("build_group");
        let req = copr_rebuild_request::ActiveModel {
            user_id: Set(u.id),
            collection_id: Set(c.id),
            repo_source: Set("copr:bob/x".into()),
            timestamp: Set(ts(7)),
            state: Set(RebuildRequestState::InProgress),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("copr_rebuild_request");
        copr_resolution_change::ActiveModel {
            request_id: Set(req.id),
            package_id: Set(p.id),
            prev_resolved: Set(true),
            curr_resolved: Set(false),
            problems: Set(Some(r#"["nothing provides y"]"#.into())),
        }
        .insert(db)
        .await
        .expect("copr_resolution_change");
        copr_rebuild::ActiveModel {
            request_id: Set(req.id),
            package_id: Set(p.id),
            copr_build_id: Set(Some(99)),
            prev_state: Set(3),
            state: Set(Some(2)),
            approved: Set(None),
            order: Set(0),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("copr_rebuild");
        scalar_stats::ActiveModel {
            refresh_time: Set(ts(8)),
            packages: Set(1),
            tracked_packages: Set(0),
            blocked_packages: Set(0),
            builds: Set(2),
            real_builds: Set(0),
            scratch_builds: Set(2),
        }
        .insert(db)
        .await
        .expect("scalar_stats");
        resource_consumption_stats::ActiveModel {
            name: Set("rnv".into()),
            arch: Set("x86_64".into()),
            time: Set(Some(3600)),
            time_percentage: Set(Some(0.5)),
        }
        .insert(db)
        .await
        .expect("resource_consumption_stats");
        service_status::ActiveModel {
            name: Set("polling".into()),
            last_tick_at: Set(Some(ts(8))),
            last_success_at: Set(None),
            last_error: Set(Some("boom".into())),
            last_error_at: Set(Some(ts(8))),
            ticks: Set(3),
        }
        .insert(db)
        .await
        .expect("service_status");

        // Read everything back through the entities (every column must decode).
        macro_rules! count {
            ($($e:ident),*) => {
                vec![$((stringify!($e), $e::Entity::find().all(db).await.map(|v| v.len()))),*]
            };
        }
        let counts = count!(
            collection,
            base_package,
            package,
            build,
            koji_task,
            dependency,
            applied_change,
            unapplied_change,
            resolution_change,
            resolution_problem,
            buildroot_problem,
            repo_mapping,
            user,
            collection_group,
            collection_group_relation,
            package_group,
            package_group_relation,
            group_acl,
            admin_notice,
            log_entry,
            build_group,
            copr_rebuild_request,
            copr_resolution_change,
            copr_rebuild,
            scalar_stats,
            resource_consumption_stats,
            service_status
        );
        assert_eq!(counts.len(), ALL_TABLES.len(), "{l}: every table has an entity");
        for (name, n) in counts {
            let n = n.unwrap_or_else(|e| panic!("{l}: reading {name}: {e}"));
            let expected = if name == "build" { 2 } else { 1 };
            assert_eq!(n, expected, "{l}: rows in {name}");
        }
        let req_row = copr_rebuild_request::Entity::find_by_id(req.id)
            .one(db)
            .await
            .expect("q")
            .expect("request");
        assert_eq!(req_row.state, RebuildRequestState::InProgress, "{l}");
        let stats = scalar_stats::Entity::find().one(db).await.expect("q").expect("stats");
        assert_eq!(stats.refresh_time, ts(8), "{l}");

        // Relations and links resolve.
        let (_, last) = package::Entity::find_by_id(p.id)
            .find_also_linked(package::LastCompleteBuild)
            .one(db)
            .await
            .expect("q")
            .expect("package");
        assert_eq!(last.map(|b| b.id), Some(complete.id), "{l}");
        let (_, coll) = package::Entity::find_by_id(p.id)
            .find_also_related(collection::Entity)
            .one(db)
            .await
            .expect("q")
            .expect("p");
        assert_eq!(coll.map(|c| c.id), Some(c.id), "{l}");
    }
}
