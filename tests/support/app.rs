//! A real server on a free port over a fresh database, for end-to-end tests.

#![allow(dead_code)]

use std::path::PathBuf;

use koschei::config::{Config, Secret};
use koschei::{AppContext, db};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::db::{Backend, TestDb};

/// A running server. Stops when dropped.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The process context (database, events) the server uses.
    pub ctx: AppContext,
    /// The database, dropped after the server.
    pub db: TestDb,
    stop: CancellationToken,
    http: reqwest::Client,
}

impl TestApp {
    /// Starts a server over a freshly migrated database, serving `web_dist` (a directory
    /// without an index.html when `None`).
    pub async fn start(backend: Backend, web_dist: Option<PathBuf>) -> TestApp {
        let test_db = TestDb::empty(backend).await;
        let mut config = Config::default();
        config.database.url = Some(Secret::new(test_db.url.clone()));
        config.http.web_dist = web_dist.unwrap_or_else(|| PathBuf::from("/nonexistent/web/dist"));
        let conn = db::connect(&config).await.expect("connect");
        db::migrate(&conn).await.expect("migrate");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let ctx = AppContext::new(conn, config);
        let stop = CancellationToken::new();
        let server = koschei::serve(ctx.clone(), listener, stop.clone());
        tokio::spawn(async move { server.await.expect("server runs") });
        TestApp { url, ctx, db: test_db, stop, http: reqwest::Client::new() }
    }

    /// POSTs a GraphQL request and returns the whole response body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let res = self
            .http
            .post(format!("{}/graphql", self.url))
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .expect("request");
        res.json().await.expect("JSON response")
    }

    /// GETs a path.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.url)).send().await.expect("request")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// The `data` of a response, failing the test on errors.
pub fn data(res: &Value) -> &Value {
    assert!(res.get("errors").is_none(), "unexpected GraphQL errors: {res:#}");
    &res["data"]
}

/// The `extensions.code` of the first error.
pub fn error_code(res: &Value) -> String {
    res["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {res:#}"))
        .to_owned()
}
