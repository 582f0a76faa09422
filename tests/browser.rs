//! The web app in headless Chromium: a real server with seeded data serves the built app
//! (`web/dist`), and Playwright (`tests/browser/packages.mjs`) checks that the packages page
//! shows what the API holds.
//!
//! Needs `trunk build`, node with playwright-core and `/usr/bin/chromium` (all installed by
//! `scripts/setup.sh`). Without them the test is skipped with a note, unless
//! `KOSCHEI_TEST_REQUIRE_BROWSER=1` (set by `scripts/test.sh`), which makes it fail instead.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use koschei::events::{Event, PackageStateChanged};
use serde_json::json;
use support::app::TestApp;
use support::db::Backend;
use support::seed::{self, Spec};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[allow(clippy::disallowed_methods)]
fn browser_required() -> bool {
    std::env::var("KOSCHEI_TEST_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

/// Why the browser test cannot run here, if it cannot.
fn missing_prerequisite(root: &Path) -> Option<String> {
    if !root.join("web/dist/index.html").is_file() {
        return Some("web/dist is not built (run `trunk build --release`)".into());
    }
    if !root.join("node_modules/playwright-core").is_dir() {
        return Some("node_modules/playwright-core is missing (run `npm ci`)".into());
    }
    if !Path::new("/usr/bin/chromium").exists() {
        return Some("/usr/bin/chromium is missing (apt-get install chromium)".into());
    }
    None
}

#[tokio::test]
async fn the_packages_page_shows_the_packages_from_the_api() {
    let root = repo_root();
    if let Some(why) = missing_prerequisite(&root) {
        assert!(!browser_required(), "browser test required but {why}");
        eprintln!("skipping the browser test: {why}");
        return;
    }
    let app = TestApp::start(Backend::Sqlite, Some(root.join("web/dist"))).await;
    let db = &app.ctx.db;
    let f40 = seed::collection(db, "f40", "Fedora 40", 100).await;
    let f41 = seed::collection(db, "f41", "Fedora 41", 90).await;
    seed::package(db, &f40, "rpm", Spec::built(3)).await;
    seed::package(db, &f40, "gcc", Spec::built(5)).await;
    seed::package(
        db,
        &f40,
        "broken-deps",
        Spec { tracked: true, resolved: Some(false), ..Spec::default() },
    )
    .await;
    seed::package(db, &f40, "not-tracked", Spec::default()).await;
    seed::package(db, &f41, "only-in-f41", Spec::built(3)).await;
    let flaky = seed::package(db, &f40, "flaky", Spec::built(3)).await;
    let rnv = seed::package_with_history(db, &f40, "rnv", 500).await;
    let scratch = tempfile::tempdir().expect("temporary directory");
    let ready = scratch.path().join("detail-ready");

    let expect = json!({
        "packages": [
            {"name": "rpm", "state": "ok"},
            {"name": "gcc", "state": "failing"},
            {"name": "broken-deps", "state": "unresolved"},
            {"name": "only-in-f41", "state": "ok"},
        ],
        "absent": ["not-tracked"],
        "untracked": ["not-tracked"],
        "live": [{"name": "flaky", "state": "failing", "collection": "f40"}],
        "detail": {
            "name": "rnv", "collection": "f40", "state": "ok",
            "changes": [
                {"dep": "epochy", "kind": "upgraded"},
                {"dep": "bash", "kind": "downgraded"},
                {"dep": "gcc", "kind": "upgraded"},
                {"dep": "zlib", "kind": "upgraded"},
            ],
            "builds": [503, 502, 501],
            "buildChanges": {"task": 502, "deps": ["expat", "python3", "newdep", "glibc", "libfoo"]},
            "readyFile": ready,
            "live": {"task": 504, "state": "failing"},
        },
    });
    // Live refresh of the package page: once the script says the page is shown, a failed
    // build appears and its state change is announced (repeatedly, until the page shows it).
    let detail_events = app.ctx.events.clone();
    let detail_db = app.ctx.db.clone();
    let detail_live = tokio::spawn(async move {
        while !ready.exists() {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        seed::build(&detail_db, &rnv, 5, 504, 0, None).await;
        loop {
            detail_events.publish(Event::PackageStateChanged(PackageStateChanged {
                package_id: rnv.id,
                name: "rnv".into(),
                collection: "f40".into(),
                state: "failing".into(),
                previous_state: Some("ok".into()),
            }));
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
    });
    // Live updates: publish the state change until the page has picked it up (the page
    // subscribes some time after it loads).
    let events = app.ctx.events.clone();
    let publisher = tokio::spawn(async move {
        loop {
            events.publish(Event::PackageStateChanged(PackageStateChanged {
                package_id: flaky.id,
                name: "flaky".into(),
                collection: "f40".into(),
                state: "failing".into(),
                previous_state: Some("ok".into()),
            }));
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
    });
    let shot = root.join("target/browser-packages.png");
    let out = tokio::task::spawn_blocking({
        let root = root.clone();
        let url = app.url.clone();
        move || {
            Command::new("node")
                .current_dir(&root)
                .arg("tests/browser/packages.mjs")
                .arg(&url)
                .arg(expect.to_string())
                .arg(&shot)
                .output()
                .expect("node runs")
        }
    })
    .await
    .unwrap();
    publisher.abort();
    detail_live.abort();
    drop(scratch);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "browser check failed\nstdout:\n{stdout}\nstderr:\n{stderr}");
    println!("{stdout}");
}
