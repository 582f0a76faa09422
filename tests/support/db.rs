//! Fresh, migrated databases for tests: an SQLite file in a temporary directory always,
//! and a PostgreSQL database created for the test (and dropped after it) when
//! `KOSCHEI_TEST_POSTGRES_URL` names a server, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`.
//!
//! Shared by the workspace tests and the server's CLI tests (included by path).

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

/// Which database server a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file.
    Sqlite,
    /// A PostgreSQL database on the server named by `KOSCHEI_TEST_POSTGRES_URL`.
    Postgres,
}

/// The backends to run every database test on.
pub fn backends() -> Vec<Backend> {
    let mut out = vec![Backend::Sqlite];
    if postgres_admin_url().is_some() {
        out.push(Backend::Postgres);
    }
    out
}

#[allow(clippy::disallowed_methods)]
fn postgres_admin_url() -> Option<String> {
    std::env::var("KOSCHEI_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty())
}

/// An empty database that exists for one test.
pub struct TestDb {
    /// Its URL.
    pub url: String,
    /// Which backend it is on.
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// Creates an empty database (no schema).
    pub async fn empty(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("koschei.db").display());
                TestDb { url, backend, _dir: Some(dir), pg: None }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url().expect("KOSCHEI_TEST_POSTGRES_URL is set");
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.subsec_nanos())
                    .unwrap_or(0);
                let name = format!(
                    "koschei_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    nanos
                );
                let conn =
                    Database::connect(&admin).await.expect("connect to the PostgreSQL admin URL");
                conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create database");
                conn.close().await.ok();
                let mut url = url::Url::parse(&admin).expect("KOSCHEI_TEST_POSTGRES_URL is a URL");
                url.set_path(&format!("/{name}"));
                TestDb { url: url.to_string(), backend, _dir: None, pg: Some((admin, name)) }
            }
        }
    }

    /// Creates a database with the current schema.
    pub async fn migrated(backend: Backend) -> TestDb {
        let db = TestDb::empty(backend).await;
        let conn = db.connect().await;
        <migration::Migrator as migration::MigratorTrait>::up(&conn, None)
            .await
            .expect("migrations apply");
        conn.close().await.ok();
        db
    }

    /// A new connection pool to it.
    pub async fn connect(&self) -> DatabaseConnection {
        let conn = Database::connect(&self.url).await.expect("connect to the test database");
        if self.backend == Backend::Sqlite {
            conn.execute_unprepared("PRAGMA foreign_keys = ON").await.expect("enable foreign keys");
        }
        conn
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.pg.take() else { return };
        // Drop may run inside a runtime; use a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async {
                let conn = Database::connect(&admin).await.ok()?;
                conn.execute_unprepared(&format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                ))
                .await
                .ok()?;
                conn.close().await.ok()
            })
        })
        .join();
    }
}
