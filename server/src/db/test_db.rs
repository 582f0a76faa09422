//! Test support: fresh databases on every available backend, so each database test runs on
//! SQLite and (when `KOSCHEI_TEST_POSTGRES_URL` is set) on PostgreSQL.
//!
//! Only for `#[cfg(test)]` code. Each database is private to one test and removed when the
//! [`TestDb`] is dropped (also on panic); it must never point at a shared database.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

/// Admin URL of a PostgreSQL server where test databases may be created and dropped, e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`.
pub(crate) const POSTGRES_URL_VAR: &str = "KOSCHEI_TEST_POSTGRES_URL";

static COUNTER: AtomicU32 = AtomicU32::new(0);

enum Cleanup {
    File(PathBuf),
    Postgres { admin_url: String, name: String },
}

/// A private test database; dropped (file removed / `DROP DATABASE`) when this is dropped.
pub(crate) struct TestDb {
    /// Connection to the test database.
    pub conn: DatabaseConnection,
    /// `sqlite` or `postgres`, for assertion messages.
    pub label: &'static str,
    cleanup: Cleanup,
}

fn unique_name() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("koschei_t_{}_{}_{}", std::process::id(), nanos, n)
}

/// Replace the database name (path) of a PostgreSQL URL, keeping any query string.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

async fn sqlite_db() -> TestDb {
    let path = std::env::temp_dir().join(format!("{}.sqlite", unique_name()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let conn = Database::connect(&url).await.expect("open SQLite test database");
    TestDb { conn, label: "sqlite", cleanup: Cleanup::File(path) }
}

async fn postgres_db(admin_url: &str) -> TestDb {
    let name = unique_name();
    let admin = Database::connect(admin_url).await.expect("connect to KOSCHEI_TEST_POSTGRES_URL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create test database");
    admin.close().await.expect("close admin connection");
    let conn = Database::connect(&with_database(admin_url, &name))
        .await
        .expect("connect to test database");
    TestDb {
        conn,
        label: "postgres",
        cleanup: Cleanup::Postgres { admin_url: admin_url.to_owned(), name },
    }
}

/// Fresh, empty (not migrated) databases: SQLite always, PostgreSQL if configured.
#[allow(clippy::disallowed_methods, reason = "a test-harness switch, not a Koschei setting")]
pub(crate) async fn empty_backends() -> Vec<TestDb> {
    let mut dbs = vec![sqlite_db().await];
    if let Ok(url) = std::env::var(POSTGRES_URL_VAR)
        && !url.is_empty()
    {
        dbs.push(postgres_db(&url).await);
    }
    dbs
}

/// Fresh databases with all migrations applied.
pub(crate) async fn backends() -> Vec<TestDb> {
    let dbs = empty_backends().await;
    for db in &dbs {
        Migrator::up(&db.conn, None)
            .await
            .unwrap_or_else(|e| panic!("{}: migrate up: {e}", db.label));
    }
    dbs
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                // Drop may run inside the test's runtime: do the async cleanup on a thread with
                // its own runtime. FORCE ends the test pool's sessions.
                let admin_url = admin_url.clone();
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                let handle = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build()
                    else {
                        return;
                    };
                    rt.block_on(async move {
                        if let Ok(admin) = Database::connect(&admin_url).await {
                            let _ = admin.execute_unprepared(&sql).await;
                            let _ = admin.close().await;
                        }
                    });
                });
                let _ = handle.join();
            }
        }
    }
}

#[test]
fn postgres_url_database_is_replaced() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "x"),
        "postgres://u:p@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h:5432", "x"), "postgres://h:5432/x");
}
