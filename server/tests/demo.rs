//! `koschei demo` as a user runs it: the binary starts on a free port with a fresh data
//! directory, and within its story's time the API (what the web app shows) has packages
//! going ok, failing (the breaking update, with the dependency change that caused it) and
//! unresolved (with the problem), and after the fix everything is ok again. Real time,
//! with short rounds (10 s) and the smallest collection (100 packages).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Demo {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Demo {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut child = Command::new(env!("CARGO_BIN_EXE_koschei"))
        .args(["demo", "--listen", "127.0.0.1:0", "--packages", "100", "--round", "10"])
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("KOSCHEI_CONFIG")
        .env("KOSCHEI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("koschei demo starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut banner = String::new();
    let mut url = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        banner.push_str(&line);
        banner.push('\n');
        if let Some(u) = line.strip_prefix("Koschei is serving on ") {
            url = Some(u.trim_end_matches('/').to_owned());
            break;
        }
    }
    let url = url.unwrap_or_else(|| panic!("no URL in the banner:\n{banner}"));
    assert!(banner.contains("100 packages"), "{banner}");
    assert!(banner.contains("every build against it fails"), "{banner}");
    Demo { child, url, _dir: dir }
}

async fn graphql(url: &str, query: &str, variables: Value) -> Value {
    let text = reqwest::Client::new()
        .post(format!("{url}/graphql"))
        .header("content-type", "application/json")
        .body(json!({ "query": query, "variables": variables }).to_string())
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    let v: Value = serde_json::from_str(&text).expect("JSON");
    assert!(v.get("errors").is_none(), "{v:#}");
    v
}

/// Package name → state.
async fn states(url: &str) -> BTreeMap<String, String> {
    let q = "{ packages(collection: \"f99\", first: 200) { edges { node { name state } } } }";
    let v = graphql(url, q, json!({})).await;
    v["data"]["packages"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let s = |k: &str| e["node"][k].as_str().unwrap_or_default().to_owned();
            (s("name"), s("state"))
        })
        .collect()
}

fn with_state<'a>(states: &'a BTreeMap<String, String>, state: &str) -> Vec<&'a str> {
    states.iter().filter(|(_, s)| *s == state).map(|(n, _)| n.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_tells_its_story() {
    let demo = tokio::task::spawn_blocking(start).await.expect("join");
    let url = demo.url.clone();
    let begun = Instant::now();
    let limit = Duration::from_secs(240);
    let (mut failing, mut unresolved) = (None, None);
    // Phase 1: ok, then failing and unresolved packages appear.
    while failing.is_none() || unresolved.is_none() {
        assert!(begun.elapsed() < limit, "no failing/unresolved in time: {:?}", states(&url).await);
        let s = states(&url).await;
        assert_eq!(s.len(), 100);
        if failing.is_none() {
            failing = with_state(&s, "FAILING").first().map(|n| (*n).to_owned());
        }
        if unresolved.is_none() {
            unresolved = with_state(&s, "UNRESOLVED").first().map(|n| (*n).to_owned());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (failing, unresolved) = (failing.expect("failing"), unresolved.expect("unresolved"));

    // The failing package's failed build lists the breaking update among its changes.
    let q = "query($n: String!) { package(collection: \"f99\", name: $n) { \
             resolutionProblems builds(first: 5) { edges { node { state real \
             dependencyChanges { depName prevEvr currEvr distance } } } } } }";
    let v = graphql(&url, q, json!({ "n": failing })).await;
    let builds = v["data"]["package"]["builds"]["edges"].as_array().expect("builds").clone();
    let changes: Vec<Value> = builds
        .iter()
        .filter(|b| b["node"]["real"] == json!(false))
        .flat_map(|b| b["node"]["dependencyChanges"].as_array().cloned().unwrap_or_default())
        .collect();
    assert!(
        changes.iter().any(|c| c["depName"] == json!("libyaml-devel")
            && c["currEvr"].as_str().is_some_and(|e| e.starts_with("0.3.0"))),
        "{failing}: {builds:#?}"
    );
    let v = graphql(&url, q, json!({ "n": unresolved })).await;
    let problems = v["data"]["package"]["resolutionProblems"].to_string();
    assert!(problems.contains("python3-roman"), "{unresolved}: {problems}");

    // Phase 2: the fix; every package is ok again.
    loop {
        let s = states(&url).await;
        let bad: Vec<(&String, &String)> = s.iter().filter(|(_, st)| *st != "OK").collect();
        if bad.is_empty() {
            break;
        }
        assert!(begun.elapsed() < limit, "not all ok again in time: {bad:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
