//! The `koschei` binary: subcommands, exit codes and error messages, on SQLite and (when
//! `KOSCHEI_TEST_POSTGRES_URL` is set) PostgreSQL.

#[path = "../../tests/support/db.rs"]
mod db;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use db::{Backend, TestDb, backends};
use sea_orm::{ConnectionTrait, Statement};

fn koschei(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_koschei"));
    cmd.args(args).env_remove("KOSCHEI_CONFIG").env("KOSCHEI_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("koschei runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn count_migrations(db: &TestDb) -> i64 {
    let conn = db.connect().await;
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n FROM seaql_migrations",
        ))
        .await
        .expect("query")
        .expect("row");
    row.try_get("", "n").expect("count")
}

#[tokio::test]
async fn migrate_creates_the_schema_once_and_is_idempotent() {
    for backend in backends() {
        let db = TestDb::empty(backend).await;
        let env = [("KOSCHEI_DATABASE_URL", db.url.as_str())];
        let first = koschei(&["migrate"], &env);
        assert!(first.status.success(), "{backend:?}: {}", text(&first.stderr));
        assert!(text(&first.stdout).starts_with("applied "), "{}", text(&first.stdout));
        let applied = count_migrations(&db).await;
        assert!(applied >= 1);
        let second = koschei(&["migrate"], &env);
        assert!(second.status.success(), "{}", text(&second.stderr));
        assert!(text(&second.stdout).contains("nothing to do"), "{}", text(&second.stdout));
        assert_eq!(count_migrations(&db).await, applied);
    }
}

#[tokio::test]
async fn a_database_newer_than_the_binary_is_refused_and_left_alone() {
    for backend in backends() {
        let db = TestDb::migrated(backend).await;
        let conn = db.connect().await;
        let backend_kind = conn.get_database_backend();
        conn.execute_raw(Statement::from_string(
            backend_kind,
            "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m29990101_000001_from_the_future', 0)",
        ))
        .await
        .expect("insert a future migration");
        let before = count_migrations(&db).await;
        let env = [("KOSCHEI_DATABASE_URL", db.url.as_str())];
        for args in [&["migrate"][..], &["serve", "--listen", "127.0.0.1:0"][..]] {
            let out = koschei(args, &env);
            assert_eq!(out.status.code(), Some(3), "{backend:?} {args:?}: {}", text(&out.stderr));
            assert!(text(&out.stderr).contains("newer than this binary"), "{}", text(&out.stderr));
        }
        assert_eq!(count_migrations(&db).await, before);
    }
}

#[test]
fn bad_configuration_exits_2_naming_the_key_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_str = data.to_str().unwrap();
    let cases: [(&[(&str, &str)], &str); 3] = [
        (&[("KOSCHEI_LISTEN", "not-an-address")], "http.listen"),
        (&[("KOSCHEI_KOJI__MAX_BUILDS", "-3")], "koji.max_builds"),
        (&[("KOSCHEI_DATABASE_URL", "mysql://localhost/koschei")], "database.url"),
    ];
    for (env, key) in cases {
        let mut env = env.to_vec();
        env.push(("KOSCHEI_DATA_DIR", data_str));
        let out = koschei(&["serve"], &env);
        assert_eq!(out.status.code(), Some(2), "{env:?}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains(key), "{key}: {}", text(&out.stderr));
    }
    let file = dir.path().join("koschei.toml");
    std::fs::write(&file, "[koji]\nserver = 'https://koji.example/kojihub'\nmax_bulds = 3\n")
        .unwrap();
    let out = koschei(
        &["--config", file.to_str().unwrap(), "migrate"],
        &[("KOSCHEI_DATA_DIR", data_str)],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("max_bulds"), "{}", text(&out.stderr));
    assert!(!data.exists(), "nothing may be written on a configuration error");
}

#[test]
fn an_unreachable_database_exits_3() {
    let out = koschei(
        &["migrate"],
        &[
            ("KOSCHEI_DATABASE_URL", "postgres://koschei:secret@127.0.0.1:9/koschei"),
            ("KOSCHEI_DATABASE__CONNECT_TIMEOUT", "2s"),
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("cannot connect to the database"), "{err}");
    assert!(!err.contains("secret"), "the password must not be printed: {err}");
}

#[test]
fn config_prints_the_effective_configuration_without_secrets() {
    let out = koschei(
        &["config"],
        &[
            ("KOSCHEI_DATABASE_URL", "postgres://koschei:hunter2@db.example/koschei"),
            ("KOSCHEI_KOJI__AUTH__PASSWORD", "s3cret"),
            ("KOSCHEI_KOJI__MAX_BUILDS", "12"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("max_builds = 12"), "{shown}");
    assert!(shown.contains("postgres://koschei:********@db.example/koschei"), "{shown}");
    assert!(!shown.contains("hunter2") && !shown.contains("s3cret"), "{shown}");
    // What `config` prints is itself a valid configuration file.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("printed.toml");
    std::fs::write(&file, shown.replace("********", "x")).unwrap();
    let again = koschei(&["--config", file.to_str().unwrap(), "config"], &[]);
    assert!(again.status.success(), "{}", text(&again.stderr));
}

#[test]
fn print_schema_matches_the_committed_schema() {
    let out = koschei(&["print-schema"], &[]);
    assert!(out.status.success());
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql")).unwrap();
    assert_eq!(
        text(&out.stdout),
        committed,
        "run `cargo run -p koschei -- print-schema > schema.graphql`"
    );
}

#[tokio::test]
async fn serve_migrates_an_empty_database_and_answers() {
    let db = TestDb::empty(Backend::Sqlite).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_koschei"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("KOSCHEI_CONFIG")
        .env("KOSCHEI_DATABASE_URL", &db.url)
        .env("KOSCHEI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("koschei serve starts");
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .unwrap()
    .expect("a line on stdout");
    let url = line.trim().rsplit(' ').next().unwrap().trim_end_matches('/').to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    let body = reqwest_get(&format!("{url}/readyz")).await;
    child.kill().ok();
    child.wait().ok();
    assert!(body.contains("\"ready\""), "{body}");
    assert!(count_migrations(&db).await >= 1);
}

/// A minimal HTTP GET over a TCP stream, so this test needs no HTTP client dependency.
async fn reqwest_get(url: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap();
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut buf = String::new();
    stream.read_to_string(&mut buf).await.unwrap();
    buf
}

#[test]
fn kojisim_with_an_unusable_keytab_exits_2() {
    let out = koschei(
        &["kojisim", "--listen", "127.0.0.1:0", "--gssapi-keytab", "/nonexistent/http.keytab"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("GSSAPI"), "{}", text(&out.stderr));
}

#[test]
fn demo_prints_its_scenario_and_rejects_bad_sizes() {
    let out = koschei(&["demo", "--print-scenario", "--packages", "120"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let toml = text(&out.stdout);
    assert!(toml.contains("build_tasks = true") && toml.contains("[[update]]"), "{toml}");
    assert_eq!(toml.matches("\n[[build]]\n").count(), 120);
    let out = koschei(&["demo", "--packages", "5000"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}
