//! The real `koji` CLI against the Koji hub simulator: anonymous queries (`list-tagged`,
//! `latest-build`, `call getRepo`, `taskinfo`) and a password-authenticated scratch build
//! of an uploaded SRPM, polled until CLOSED while the test advances the simulator's clock.
//!
//! Needs the `koji` command (`pip install defusedxml && pip install --no-deps koji`); when
//! it is missing the test prints a skip note, or fails if `KOSCHEI_TEST_REQUIRE_KOJI_CLI=1`.

use std::path::Path;
use std::process::Command;

use koschei::kojisim::{KojiSim, http};

fn koji_available() -> bool {
    Command::new("koji").arg("--help").output().is_ok_and(|o| o.status.success())
}

struct Cli {
    config: std::path::PathBuf,
    home: std::path::PathBuf,
}

impl Cli {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("koji")
            .arg("-c")
            .arg(&self.config)
            .args(["-p", "kojisim"])
            .args(args)
            .env("HOME", &self.home)
            .output()
            .expect("run koji");
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "koji {args:?} failed: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["call", "--json-output"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.run(&all)).expect("json output")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(clippy::disallowed_methods, reason = "a test switch, not configuration")]
async fn koji_cli_against_the_simulator() {
    if !koji_available() {
        assert!(
            std::env::var("KOSCHEI_TEST_REQUIRE_KOJI_CLI").as_deref() != Ok("1"),
            "koji CLI not installed (pip install defusedxml && pip install --no-deps koji)"
        );
        eprintln!("skipping: koji CLI not installed");
        return;
    }
    let sim = KojiSim::builtin().expect("builtin scenario");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(http::serve(listener, sim.clone()));
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("koji.conf");
    std::fs::write(
        &config,
        format!(
            "[kojisim]\nserver = http://{addr}/kojihub\ntopurl = http://{addr}/kojifiles\n\
             weburl = http://{addr}/koji\nauthtype = noauth\n"
        ),
    )
    .expect("config");
    let cli = Cli { config, home: dir.path().to_path_buf() };

    let cli = tokio::task::spawn_blocking(move || {
        let tagged = cli.run(&["list-tagged", "f99-build", "--inherit"]);
        assert!(tagged.contains("rnv-1.7.11-15.fc99"), "{tagged}");
        assert!(tagged.contains("gcc-14.2.1-1.fc99"), "{tagged}");
        assert!(!cli.run(&["list-tagged", "f99-build"]).contains("rnv-"), "no inherit");
        let latest = cli.run(&["latest-build", "f99-build", "make"]);
        assert!(latest.contains("make-4.4.1-8.fc99"), "{latest}");
        let repo = cli.json(&["getRepo", "f99-build"]);
        assert_eq!(repo["state"], 1);
        assert_eq!(repo["tag_name"], "f99-build");
        let targets = cli.run(&["list-targets"]);
        assert!(targets.contains("f99-updates-candidate"), "{targets}");
        cli
    })
    .await
    .expect("anonymous queries");

    let srpm = dir.path().join("foo-1.0-1.fc99.src.rpm");
    std::fs::write(&srpm, vec![0xed_u8; 5000]).expect("srpm");
    let srpm_arg = srpm.display().to_string();
    let (cli, out) = tokio::task::spawn_blocking(move || {
        let args = [
            "--authtype=password",
            "--user=koschei",
            "--password=koschei",
            "build",
            "--scratch",
            "--nowait",
            "--noprogress",
            "f99",
            srpm_arg.as_str(),
        ];
        let out = cli.run(&args);
        (cli, out)
    })
    .await
    .expect("build");
    let task_id: i64 = out
        .lines()
        .find_map(|l| l.strip_prefix("Created task: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no task id in {out}"));
    let uploaded =
        sim.with_hub(|h| h.state.files.keys().any(|k| k.ends_with("/foo-1.0-1.fc99.src.rpm")));
    assert!(uploaded, "the CLI uploaded the SRPM through rawUpload");

    let mut states = Vec::new();
    let mut cli = cli;
    for _ in 0..20 {
        let (back, info) = tokio::task::spawn_blocking(move || {
            let info = cli.json(&["getTaskInfo", &task_id.to_string()]);
            (cli, info)
        })
        .await
        .expect("poll");
        cli = back;
        let state = info["state"].as_i64().expect("state");
        states.push(state);
        if state == 2 {
            break;
        }
        sim.advance(30.0);
    }
    assert_eq!(states.last(), Some(&2), "task never closed: {states:?}");
    assert!(states.contains(&1), "task was seen OPEN before CLOSED: {states:?}");
    let info =
        tokio::task::spawn_blocking(move || cli.run(&["taskinfo", "-r", &task_id.to_string()]))
            .await
            .expect("taskinfo");
    assert!(info.contains("State: closed"), "{info}");
    assert!(info.contains("Type: buildArch"), "{info}");
    assert!(info.contains("Type: rebuildSRPM"), "{info}");
    assert!(info.contains(&format!("work/tasks/{}/", task_id + 2)), "{info}");
    let _ = Path::new(&srpm);
}
