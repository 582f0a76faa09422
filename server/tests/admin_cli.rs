//! `koschei admin create-collection | edit-collection | add-pkg` run as the binary against
//! a migrated database (SQLite, and PostgreSQL when `KOSCHEI_TEST_POSTGRES_URL` is set) and
//! the in-process Koji hub simulator (built-in scenario: target `f99` → build tag
//! `f99-build`): values written, audit entries, messages and exit codes.

#[path = "../../tests/support/db.rs"]
mod db;

use std::net::SocketAddr;
use std::process::{Command, Output};

use db::{TestDb, backends};
use koschei::db::entities::{base_package, collection, log_entry, package, user};
use koschei::kojisim::{KojiSim, http};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

const USER: &str = "admin-tester";

/// Serves the built-in scenario on a free loopback port.
async fn kojisim() -> SocketAddr {
    let sim = KojiSim::builtin().expect("builtin scenario");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(http::serve(listener, sim));
    addr
}

/// Runs `koschei admin <args>` as USER against `db` and the hub at `koji`, off the runtime.
async fn admin(db: &TestDb, koji: SocketAddr, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_koschei"));
    cmd.arg("admin")
        .args(args)
        .env_remove("KOSCHEI_CONFIG")
        .env("KOSCHEI_LOG", "warn")
        .env("KOSCHEI_DATABASE_URL", &db.url)
        .env("KOSCHEI_KOJI__SERVER", format!("http://{koji}/kojihub"))
        .env("KOSCHEI_KOJI__MAX_RETRIES", "0")
        .env("KOSCHEI_KOJI__CALL_TIMEOUT", "5s")
        .env("SUDO_USER", USER);
    tokio::task::spawn_blocking(move || cmd.output().expect("koschei runs")).await.expect("join")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_ok(out: &Output, what: &str) {
    assert!(out.status.success(), "{what}: {}{}", text(&out.stdout), text(&out.stderr));
}

fn assert_fails(out: &Output, code: i32, message: &str, what: &str) {
    assert_eq!(out.status.code(), Some(code), "{what}: {}", text(&out.stderr));
    assert!(text(&out.stderr).contains(message), "{what}: {}", text(&out.stderr));
}

async fn coll(conn: &DatabaseConnection, name: &str) -> Option<collection::Model> {
    collection::Entity::find()
        .filter(collection::Column::Name.eq(name))
        .one(conn)
        .await
        .expect("query collection")
}

/// All audit entries: (environment, user name, message, base_id), oldest first.
async fn log(
    conn: &DatabaseConnection,
) -> Vec<(log_entry::LogEnvironment, String, String, Option<i32>)> {
    let rows = log_entry::Entity::find()
        .order_by_asc(log_entry::Column::Id)
        .find_also_related(user::Entity)
        .all(conn)
        .await
        .expect("query log");
    rows.into_iter()
        .map(|(e, u)| (e.environment, u.map(|u| u.name).unwrap_or_default(), e.message, e.base_id))
        .collect()
}

fn messages(entries: &[(log_entry::LogEnvironment, String, String, Option<i32>)]) -> Vec<&str> {
    entries.iter().map(|e| e.2.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_collection_takes_the_build_tag_from_koji() {
    let koji = kojisim().await;
    for backend in backends() {
        let db = TestDb::migrated(backend).await;
        let conn = db.connect().await;
        let out = admin(
            &db,
            koji,
            &[
                "create-collection",
                "f99",
                "-d",
                "Fedora 99",
                "-t",
                "f99",
                "-o",
                "128",
                "--bugzilla-product",
                "Fedora",
                "--bugzilla-version",
                "99",
            ],
        )
        .await;
        assert_ok(&out, &format!("{backend:?} create"));
        assert_eq!(text(&out.stdout), "Collection f99 created\n");
        let c = coll(&conn, "f99").await.expect("collection created");
        assert_eq!(
            (c.display_name.as_str(), c.target.as_str(), c.build_tag.as_str()),
            ("Fedora 99", "f99", "f99-build"),
            "{backend:?}"
        );
        assert_eq!(c.dest_tag, "f99-build", "{backend:?}: dest tag defaults to the build tag");
        assert_eq!((c.order, c.priority_coefficient), (128, 1.0), "{backend:?}");
        assert_eq!(c.bugzilla_product.as_deref(), Some("Fedora"));
        assert_eq!(c.bugzilla_version.as_deref(), Some("99"));
        assert_eq!(c.build_group, "build");
        assert!(c.poll_untracked && !c.secondary_mode, "{backend:?}");
        assert_eq!((c.latest_repo_id, c.latest_repo_resolved), (None, None));

        // Explicit options, including the secondary mode (no secondary Koji configured, so
        // the primary is asked) and a given destination tag.
        let out = admin(
            &db,
            koji,
            &[
                "create-collection",
                "side",
                "-d",
                "Side",
                "-t",
                "f99",
                "--dest-tag",
                "f99-side",
                "-m",
                "secondary",
                "-p",
                "0.25",
                "--build-group",
                "srpm-build",
                "--poll-untracked",
                "false",
            ],
        )
        .await;
        assert_ok(&out, &format!("{backend:?} create side"));
        let side = coll(&conn, "side").await.expect("side created");
        assert_eq!((side.build_tag.as_str(), side.dest_tag.as_str()), ("f99-build", "f99-side"));
        assert_eq!((side.order, side.priority_coefficient), (100, 0.25));
        assert_eq!(side.build_group, "srpm-build");
        assert!(side.secondary_mode && !side.poll_untracked, "{backend:?}");

        let dup = admin(&db, koji, &["create-collection", "f99", "-d", "Again", "-t", "f99"]).await;
        assert_fails(&dup, 2, "Object already exists", "duplicate");
        assert_eq!(coll(&conn, "f99").await.expect("kept").display_name, "Fedora 99");

        let unknown =
            admin(&db, koji, &["create-collection", "f98", "-d", "F98", "-t", "f98"]).await;
        assert_fails(&unknown, 2, "Target not found in Koji", "unknown target");
        assert!(coll(&conn, "f98").await.is_none(), "{backend:?}");

        let missing = admin(&db, koji, &["create-collection", "f97", "-t", "f99"]).await;
        assert_eq!(missing.status.code(), Some(2), "-d is required");

        let entries = log(&conn).await;
        assert_eq!(messages(&entries), ["Collection f99 created", "Collection side created"]);
        for (env, who, _, base) in &entries {
            assert_eq!((*env, who.as_str(), *base), (log_entry::LogEnvironment::Admin, USER, None));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_koji_is_a_runtime_failure() {
    // Reserve a port and free it: nothing listens there.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("probe");
    let addr = dead.local_addr().expect("addr");
    drop(dead);
    let db = TestDb::migrated(db::Backend::Sqlite).await;
    let out = admin(&db, addr, &["create-collection", "f99", "-d", "F", "-t", "f99"]).await;
    assert_fails(&out, 1, "cannot reach Koji", "unreachable Koji");
    assert!(coll(&db.connect().await, "f99").await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_collection_changes_only_the_given_fields() {
    let koji = kojisim().await;
    for backend in backends() {
        let db = TestDb::migrated(backend).await;
        let conn = db.connect().await;
        let out = admin(&db, koji, &["create-collection", "f99", "-d", "F99", "-t", "f99"]).await;
        assert_ok(&out, "create");
        let before = coll(&conn, "f99").await.expect("created");

        let out = admin(
            &db,
            koji,
            &[
                "edit-collection",
                "f99",
                "--bugzilla-version",
                "rawhide",
                "-p",
                "0.5",
                "--poll-untracked",
                "false",
                "--new-name",
                "rawhide",
            ],
        )
        .await;
        assert_ok(&out, &format!("{backend:?} edit"));
        assert_eq!(text(&out.stdout), "Collection rawhide modified\n");
        assert!(coll(&conn, "f99").await.is_none(), "{backend:?}: renamed");
        let after = coll(&conn, "rawhide").await.expect("renamed");
        assert_eq!(after.id, before.id);
        assert_eq!(after.bugzilla_version.as_deref(), Some("rawhide"));
        assert_eq!(after.priority_coefficient, 0.5);
        assert!(!after.poll_untracked);
        assert_eq!(
            (after.display_name, after.target, after.build_tag, after.dest_tag, after.order),
            (before.display_name, before.target, before.build_tag, before.dest_tag, before.order),
            "{backend:?}: the other fields are unchanged"
        );

        // Giving the target reads the build tag again from Koji; the dest tag is kept.
        let mut stale: collection::ActiveModel = coll(&conn, "rawhide").await.expect("c").into();
        stale.build_tag = Set("stale-build".into());
        stale.update(&conn).await.expect("make the build tag stale");
        let out = admin(&db, koji, &["edit-collection", "rawhide", "-t", "f99", "-o", "7"]).await;
        assert_ok(&out, "edit target");
        let c = coll(&conn, "rawhide").await.expect("c");
        assert_eq!(
            (c.build_tag.as_str(), c.dest_tag.as_str(), c.order),
            ("f99-build", "f99-build", 7)
        );

        let out = admin(&db, koji, &["edit-collection", "rawhide", "-t", "nope"]).await;
        assert_fails(&out, 2, "Target not found in Koji", "unknown target");
        assert_eq!(coll(&conn, "rawhide").await.expect("c").target, "f99", "unchanged");

        let out = admin(&db, koji, &["edit-collection", "f42", "-d", "x"]).await;
        assert_fails(&out, 2, "Object not found", "unknown collection");

        let out = admin(&db, koji, &["create-collection", "other", "-d", "O", "-t", "f99"]).await;
        assert_ok(&out, "create other");
        let out = admin(&db, koji, &["edit-collection", "other", "--new-name", "rawhide"]).await;
        assert_fails(&out, 2, "Object already exists", "rename onto an existing name");

        let entries = log(&conn).await;
        assert_eq!(
            messages(&entries),
            [
                "Collection f99 created",
                "Collection rawhide modified",
                "Collection rawhide modified",
                "Collection other created"
            ],
            "{backend:?}"
        );
    }
}

async fn seed_package(conn: &DatabaseConnection, coll: i32, name: &str, tracked: bool) -> i32 {
    let base = base_package::ActiveModel { name: Set(name.into()), ..Default::default() }
        .insert(conn)
        .await
        .expect("base package");
    koschei::db::packages::insert_package(
        conn,
        package::ActiveModel {
            base_id: Set(base.id),
            name: Set(name.into()),
            collection_id: Set(coll),
            tracked: Set(tracked),
            ..Default::default()
        },
    )
    .await
    .expect("package");
    base.id
}

async fn tracked(conn: &DatabaseConnection, name: &str) -> bool {
    package::Entity::find()
        .filter(package::Column::Name.eq(name))
        .one(conn)
        .await
        .expect("query")
        .expect("package")
        .tracked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_pkg_tracks_existing_packages_and_logs_the_changes() {
    let koji = kojisim().await;
    for backend in backends() {
        let db = TestDb::migrated(backend).await;
        let conn = db.connect().await;
        let f25 = collection::ActiveModel {
            name: Set("f25".into()),
            display_name: Set("Fedora 25".into()),
            target: Set("f25".into()),
            dest_tag: Set("f25".into()),
            build_tag: Set("f25-build".into()),
            ..Default::default()
        }
        .insert(&conn)
        .await
        .expect("collection");
        seed_package(&conn, f25.id, "rnv", false).await;
        let eclipse = seed_package(&conn, f25.id, "eclipse", false).await;
        seed_package(&conn, f25.id, "maven", true).await;

        let out = admin(&db, koji, &["add-pkg", "-c", "f25", "eclipse", "maven"]).await;
        assert_ok(&out, &format!("{backend:?} add-pkg"));
        let msg = "Package eclipse (collection f25): tracked set from False to True";
        assert_eq!(text(&out.stdout), format!("{msg}\n"));
        assert!(tracked(&conn, "eclipse").await && tracked(&conn, "maven").await, "{backend:?}");
        assert!(!tracked(&conn, "rnv").await, "{backend:?}: rnv untouched");
        let entries = log(&conn).await;
        assert_eq!(
            entries,
            [(log_entry::LogEnvironment::Admin, USER.to_owned(), msg.to_owned(), Some(eclipse))],
            "{backend:?}: only the actual change is logged"
        );

        let out =
            admin(&db, koji, &["add-pkg", "--collection", "f25", "rnv", "xyzzy", "foo"]).await;
        assert_fails(&out, 2, "Packages don't exist: foo,xyzzy", "unknown packages");
        assert!(!tracked(&conn, "rnv").await, "{backend:?}: nothing changes");

        let out = admin(&db, koji, &["add-pkg", "-c", "f26", "rnv"]).await;
        assert_fails(&out, 2, "Collection not found", "unknown collection");
        assert!(!tracked(&conn, "rnv").await);
        assert_eq!(log(&conn).await.len(), 1, "{backend:?}: failures log nothing");

        let users = user::Entity::find().all(&conn).await.expect("users");
        assert_eq!(users.len(), 1, "{backend:?}: the operator's row, created once");
        assert!(!users[0].admin);
    }
}
