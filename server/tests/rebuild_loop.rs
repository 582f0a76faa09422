//! The rebuild loop end to end, through the real `koschei serve` process (every service)
//! against the Koji hub simulator on real time, on SQLite and (when
//! `KOSCHEI_TEST_POSTGRES_URL` is set) PostgreSQL:
//!
//! * a dependency update (libfoo, libbar bumped) leads to scratch builds of exactly the
//!   affected tracked packages, highest priority first;
//! * a BuildRequires that disappears (libgone untagged) makes its user `unresolved` with the
//!   problem text, and no build is submitted for it;
//! * a Koji fault ends a build `inconclusive` (state 6): the package keeps its state and
//!   waits for its retry backoff (the retry itself is covered by the services tests on a
//!   manual clock);
//! * the server is killed (SIGKILL) again and again while it works and restarted: no build
//!   is lost or submitted twice, and every Koji task belongs to exactly one build row.

#[path = "../../tests/support/db.rs"]
mod db;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use db::{TestDb, backends};
use koschei::db::entities::{applied_change, build, dependency, package, resolution_problem};
use koschei::koji::xmlrpc::Value;
use koschei::kojisim::scenario::{Scenario, Update, UpdateSpec};
use koschei::kojisim::{KojiSim, http, seed};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

const SCENARIO: &str = r#"
[settings]
srpm_duration = 1
arch_duration = 2
repo_duration = 1
build_tasks = true

[[user]]
name = "kojiadmin"
password = "kojiadmin"
perms = ["admin"]

[[tag]]
name = "f99"
packages = ["bash", "gcc", "libfoo", "libbar", "libbaz", "libgone", "app-a", "app-b", "app-c", "orphan", "faulty"]

[[tag]]
name = "f99-build"
arches = "x86_64"
parents = ["f99"]
[tag.groups]
build = ["bash", "gcc"]

[[tag]]
name = "f99-updates-candidate"
parents = ["f99"]

[[target]]
name = "f99"
build_tag = "f99-build"
dest_tag = "f99-updates-candidate"

[[host]]
name = "b1"
arches = "x86_64 noarch"
capacity = 16.0

[[build]]
nvr = "bash-5.2-1.fc99"
tags = ["f99"]
arches = ["x86_64"]

[[build]]
nvr = "gcc-14-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
requires = ["bash"]

[[build]]
nvr = "libfoo-1.0-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
[[build.rpm]]
name = "libfoo-devel"
requires = ["libfoo = 1.0-1.fc99"]

[[build]]
nvr = "libbar-2.0-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
[[build.rpm]]
name = "libbar-devel"
requires = ["libbar = 2.0-1.fc99"]

[[build]]
nvr = "libbaz-3.0-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
[[build.rpm]]
name = "libbaz-devel"
requires = ["libbaz = 3.0-1.fc99"]

[[build]]
nvr = "libgone-0.9-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
[[build.rpm]]
name = "libgone-devel"
requires = ["libgone = 0.9-1.fc99"]

[[build]]
nvr = "app-a-1-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
build_requires = ["gcc", "libfoo-devel", "libbar-devel"]

[[build]]
nvr = "app-b-1-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
build_requires = ["gcc", "libfoo-devel"]

[[build]]
nvr = "app-c-1-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
build_requires = ["gcc", "libbaz-devel"]

[[build]]
nvr = "orphan-1-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
build_requires = ["gcc", "libgone-devel"]

[[build]]
nvr = "faulty-1-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
build_requires = ["gcc", "libfoo-devel"]

[[rule]]
package = "faulty"
outcome = "fault"
fault_string = "<class 'koji.GenericError'>: mock chroot cleanup failed"
"#;

/// The update: libfoo and libbar bumped (with their -devel), libgone untagged, new repo.
const UPDATE: &str = r#"
at = 0
new_repo = ["f99-build"]
untag = [{ tag = "f99", nvr = "libgone-0.9-1.fc99" }]

[[build]]
nvr = "libfoo-1.1-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
[[build.rpm]]
name = "libfoo-devel"
requires = ["libfoo = 1.1-1.fc99"]

[[build]]
nvr = "libbar-2.1-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
[[build.rpm]]
name = "libbar-devel"
requires = ["libbar = 2.1-1.fc99"]
"#;

const TRACKED: &[&str] =
    &["app-a", "app-b", "app-c", "orphan", "faulty", "libfoo", "libbar", "libbaz", "libgone"];

/// The simulator on real time, served on a free port, its tasks stepped every 100 ms.
async fn start_hub() -> (KojiSim, String) {
    let sim = KojiSim::with_real_clock(Scenario::from_toml(SCENARIO).expect("scenario"))
        .expect("simulator");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(http::serve(listener, sim.clone()));
    sim.spawn_ticker(Duration::from_millis(100));
    (sim, url)
}

/// What a `koschei` process of the test runs against.
struct Target {
    db: TestDb,
    hub: String,
    data: tempfile::TempDir,
}

fn koschei(t: &Target) -> Command {
    let (db, hub) = (&t.db, &t.hub);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_koschei"));
    cmd.env_remove("KOSCHEI_CONFIG")
        .env("KOSCHEI_DATA_DIR", t.data.path())
        .env("KOSCHEI_LOG", "info")
        .env("KOSCHEI_DATABASE_URL", &db.url)
        .env("KOSCHEI_LISTEN", "127.0.0.1:0")
        .env("KOSCHEI_KOJI__SERVER", format!("{hub}/kojihub"))
        .env("KOSCHEI_KOJI__TOPURL", format!("{hub}/kojifiles"))
        .env("KOSCHEI_KOJI__WEBURL", format!("{hub}/koji"))
        .env("KOSCHEI_KOJI__LOGIN_METHOD", "password")
        .env("KOSCHEI_KOJI__AUTH__USER", "kojiadmin")
        .env("KOSCHEI_KOJI__AUTH__PASSWORD", "kojiadmin")
        .env("KOSCHEI_KOJI__BUILD_ARCHES", r#"["x86_64"]"#)
        .env("KOSCHEI_KOJI__MAX_BUILDS", "1")
        .env("KOSCHEI_KOJI__LOAD_THRESHOLD", "1.0")
        .env("KOSCHEI_KOJI__CALL_TIMEOUT", "10s")
        .env("KOSCHEI_SERVICES__POLLING__INTERVAL", "1s")
        .env("KOSCHEI_SERVICES__SCHEDULER__INTERVAL", "500ms")
        .env("KOSCHEI_SERVICES__REPO_RESOLVER__INTERVAL", "500ms")
        .env("KOSCHEI_SERVICES__BUILD_RESOLVER__INTERVAL", "500ms")
        .env("SUDO_USER", "loop-tester");
    cmd
}

/// Runs a one-shot `koschei` command off the runtime and checks it succeeded.
async fn run_ok(t: &Target, args: &[&str]) {
    let mut cmd = koschei(t);
    cmd.args(args);
    let what = args.join(" ");
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("koschei runs"))
        .await
        .expect("join");
    assert!(
        out.status.success(),
        "koschei {what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A running `koschei serve`; killed with SIGKILL when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    async fn start(t: &Target) -> Server {
        let mut cmd = koschei(t);
        cmd.arg("serve").stdout(Stdio::piped()).stderr(Stdio::null());
        tokio::task::spawn_blocking(move || {
            let mut child = cmd.spawn().expect("koschei serve starts");
            let stdout = child.stdout.take().expect("stdout");
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).expect("first line");
            let url = line
                .trim()
                .strip_prefix("Koschei is serving on ")
                .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
                .trim_end_matches('/')
                .to_owned();
            Server { child, url }
        })
        .await
        .expect("join")
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn packages(conn: &DatabaseConnection) -> BTreeMap<String, package::Model> {
    package::Entity::find()
        .all(conn)
        .await
        .expect("packages")
        .into_iter()
        .map(|p| (p.name.clone(), p))
        .collect()
}

async fn builds(conn: &DatabaseConnection) -> Vec<build::Model> {
    build::Entity::find().order_by_asc(build::Column::Id).all(conn).await.expect("builds")
}

/// Waits until `done` holds (checked every 300 ms), failing with `what` after `limit`.
async fn wait_for<F, Fut>(limit: Duration, what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let start = Instant::now();
    loop {
        let state = done().await;
        match state {
            Ok(()) => return,
            Err(why) if start.elapsed() > limit => {
                panic!("{what}: not reached in {limit:?}: {why}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(300)).await,
        }
    }
}

/// Top-level scratch `build` tasks the simulator has, by id.
fn koji_scratch_tasks(sim: &KojiSim) -> BTreeSet<i64> {
    sim.with_hub(|h| {
        h.state
            .tasks
            .values()
            .filter(|t| t.method == "build" && t.parent.is_none())
            .filter(|t| t.request.get(2).and_then(|o| o.get("scratch")) == Some(&Value::Bool(true)))
            .map(|t| t.id)
            .collect()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_rebuild_the_affected_packages_through_crashes() {
    for backend in backends() {
        let l = format!("{backend:?}");
        let (sim, hub) = start_hub().await;
        let db = TestDb::migrated(backend).await;
        let conn = db.connect().await;
        let t = Target { db, hub, data: tempfile::tempdir().expect("data directory") };
        run_ok(
            &t,
            &[
                "admin",
                "create-collection",
                "f99",
                "-d",
                "Fedora 99",
                "-t",
                "f99",
                "--dest-tag",
                "f99-updates-candidate",
            ],
        )
        .await;
        let server = Server::start(&t).await;

        // Polling fills the package list; then an admin tracks the packages.
        wait_for(Duration::from_secs(60), &format!("{l}: package list"), || async {
            let n = packages(&conn).await.len();
            if n == 11 { Ok(()) } else { Err(format!("{n} packages")) }
        })
        .await;
        let mut args = vec!["admin", "add-pkg"];
        args.extend(TRACKED);
        args.extend(["-c", "f99"]);
        run_ok(&t, &args).await;

        // The seeded builds are registered as real builds and their dependencies resolved.
        wait_for(Duration::from_secs(90), &format!("{l}: real builds registered"), || async {
            let pkgs = packages(&conn).await;
            let all = builds(&conn).await;
            let missing: Vec<&str> = TRACKED
                .iter()
                .copied()
                .filter(|n| {
                    let p = &pkgs[*n];
                    p.resolved != Some(true)
                        || !all.iter().any(|b| {
                            b.package_id == Some(p.id) && b.real && b.deps_resolved == Some(true)
                        })
                })
                .collect();
            if missing.is_empty() { Ok(()) } else { Err(format!("waiting for {missing:?}")) }
        })
        .await;
        assert!(
            builds(&conn).await.iter().all(|b| b.real),
            "{l}: nothing to rebuild before the update"
        );
        assert!(koji_scratch_tasks(&sim).is_empty(), "{l}");

        // The update; the server is killed and restarted again and again meanwhile.
        let update: UpdateSpec = toml::from_str(UPDATE).expect("update");
        sim.with_hub(|h| {
            let now = h.now();
            seed::apply_update(h, &Update { at: now, spec: update.clone() }, now);
        });
        server.kill();
        let pauses = [700_u64, 1100, 400, 1500, 900, 1300, 600, 2000];
        for pause in pauses {
            let s = Server::start(&t).await;
            tokio::time::sleep(Duration::from_millis(pause)).await;
            s.kill();
        }
        let server = Server::start(&t).await;

        let affected = ["app-a", "app-b", "faulty"];
        wait_for(Duration::from_secs(120), &format!("{l}: rebuilds finished"), || async {
            let pkgs = packages(&conn).await;
            let all = builds(&conn).await;
            let open: Vec<&str> = affected
                .iter()
                .copied()
                .filter(|n| {
                    !all.iter().any(|b| {
                        b.package_id == Some(pkgs[*n].id) && !b.real && b.finished.is_some()
                    })
                })
                .collect();
            let orphan = pkgs["orphan"].resolved;
            if open.is_empty() && orphan == Some(false) {
                Ok(())
            } else {
                Err(format!("open {open:?}, orphan resolved {orphan:?}"))
            }
        })
        .await;
        // A few more seconds of running: nothing else may happen.
        tokio::time::sleep(Duration::from_secs(3)).await;

        let pkgs = packages(&conn).await;
        let all = builds(&conn).await;
        let name_of: BTreeMap<i32, &str> = pkgs.values().map(|p| (p.id, p.name.as_str())).collect();
        let scratch: Vec<&build::Model> = all.iter().filter(|b| !b.real).collect();
        let rebuilt: Vec<&str> =
            scratch.iter().filter_map(|b| b.package_id.map(|id| name_of[&id])).collect();
        // Exactly the affected packages, once each, highest priority (app-a: two direct and two
        // indirect changes) first.
        let mut sorted = rebuilt.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, ["app-a", "app-b", "faulty"], "{l}: {scratch:#?}");
        assert_eq!(rebuilt[0], "app-a", "{l}: highest priority first: {rebuilt:?}");
        // Every Koji scratch task belongs to exactly one build row, and back.
        let task_ids: BTreeSet<i64> = scratch.iter().map(|b| i64::from(b.task_id)).collect();
        assert_eq!(task_ids.len(), scratch.len(), "{l}: task ids unique");
        assert_eq!(koji_scratch_tasks(&sim), task_ids, "{l}: no orphaned or lost Koji task");

        for name in ["app-a", "app-b"] {
            let b = scratch.iter().find(|b| b.package_id == Some(pkgs[name].id)).expect("build");
            assert_eq!(b.state, 3, "{l}: {name} built fine");
            assert!(b.repo_id.is_some(), "{l}: {name}");
            assert_eq!(pkgs[name].last_complete_build_state, Some(3), "{l}: {name} ok");
        }
        // app-a's build records the changes that caused it.
        let a = scratch.iter().find(|b| b.package_id == Some(pkgs["app-a"].id)).expect("app-a");
        let changes = applied_change::Entity::find()
            .filter(applied_change::Column::BuildId.eq(a.id))
            .all(&conn)
            .await
            .expect("changes");
        let mut changed = BTreeSet::new();
        for c in &changes {
            if let Some(id) = c.curr_dep_id {
                let d =
                    dependency::Entity::find_by_id(id).one(&conn).await.expect("q").expect("dep");
                changed.insert((d.name, d.version));
            }
        }
        for want in [("libfoo-devel", "1.1"), ("libbar-devel", "2.1"), ("libfoo", "1.1")] {
            assert!(
                changed.contains(&(want.0.to_owned(), want.1.to_owned())),
                "{l}: app-a's build lists {want:?}: {changed:?}"
            );
        }

        // faulty: the Koji fault is inconclusive, its state stays ok.
        let f = scratch.iter().find(|b| b.package_id == Some(pkgs["faulty"].id)).expect("faulty");
        assert_eq!(f.state, 6, "{l}: inconclusive");
        assert_eq!(pkgs["faulty"].last_complete_build_state, Some(3), "{l}: faulty stays ok");

        // orphan: unresolved with the problem, never built; app-c: untouched.
        let problems: Vec<String> = resolution_problem::Entity::find()
            .all(&conn)
            .await
            .expect("problems")
            .into_iter()
            .map(|p| p.problem)
            .collect();
        assert!(problems.iter().any(|p| p.contains("libgone-devel")), "{l}: {problems:?}");
        for name in ["orphan", "app-c"] {
            assert!(
                all.iter().filter(|b| b.package_id == Some(pkgs[name].id)).all(|b| b.real),
                "{l}: {name} is not rebuilt"
            );
        }

        // The API shows it: states and the problem text.
        let body = serde_json::json!({
            "query": "{ packages(collection: \"f99\", first: 50) { edges { node { name state } } } }"
        });
        let text = reqwest::Client::new()
            .post(format!("{}/graphql", server.url))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("body");
        let res: serde_json::Value = serde_json::from_str(&text).expect("json");
        let states: BTreeMap<String, String> = res["data"]["packages"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{l}: {res}"))
            .iter()
            .map(|e| {
                (
                    e["node"]["name"].as_str().unwrap_or_default().to_owned(),
                    e["node"]["state"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        for (name, state) in
            [("app-a", "OK"), ("faulty", "OK"), ("orphan", "UNRESOLVED"), ("app-c", "OK")]
        {
            assert_eq!(
                states.get(name).map(String::as_str),
                Some(state),
                "{l}: {name} in {states:?}"
            );
        }
        server.kill();
    }
}
