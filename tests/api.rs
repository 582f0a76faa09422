//! The GraphQL API, health endpoints and static serving of a real server on a free port,
//! on SQLite and (when configured) PostgreSQL.

mod support;

use std::collections::BTreeSet;

use koschei::db::entities::states::package_state;
use serde_json::{Value, json};
use support::app::{TestApp, data, error_code};
use support::db::backends;
use support::seed::{self, Spec};

const PACKAGES: &str = r#"
query($collection: String, $filter: PackageFilter, $first: Int, $after: String, $last: Int, $before: String) {
  packages(collection: $collection, filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { name state tracked blocked hasRunningBuild
      collection { name }
      lastBuild { taskId state version release real }
      lastCompleteBuild { state } } }
  }
}"#;

fn names(res: &Value) -> Vec<String> {
    data(res)["packages"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["name"].as_str().expect("name").to_owned())
        .collect()
}

#[tokio::test]
async fn health_and_readiness_answer() {
    for backend in backends() {
        let app = TestApp::start(backend, None).await;
        let res = app.get("/healthz").await;
        assert_eq!(res.status(), 200);
        let res = app.get("/readyz").await;
        assert_eq!(res.status(), 200, "{backend:?}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], "ready");
    }
}

#[tokio::test]
async fn collections_come_in_the_global_order() {
    for backend in backends() {
        let app = TestApp::start(backend, None).await;
        let db = &app.ctx.db;
        seed::collection(db, "f39", "Fedora 39", 100).await;
        seed::collection(db, "f40", "Fedora 40", 100).await;
        seed::collection(db, "epel9", "EPEL 9", 50).await;
        seed::collection(db, "rawhide", "Fedora Rawhide", 200).await;
        let res = app
            .graphql("{ collections { name displayName state buildrootProblems } }", json!({}))
            .await;
        let got: Vec<&str> = data(&res)["collections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(got, ["rawhide", "f40", "f39", "epel9"], "{backend:?}");
        assert_eq!(data(&res)["collections"][0]["state"], "OK");
        let one = app.graphql(r#"{ collection(name: "f40") { displayName } }"#, json!({})).await;
        assert_eq!(data(&one)["collection"]["displayName"], "Fedora 40");
        let none = app.graphql(r#"{ collection(name: "f1") { displayName } }"#, json!({})).await;
        assert_eq!(data(&none)["collection"], Value::Null);
    }
}

#[tokio::test]
async fn packages_show_states_and_builds() {
    for backend in backends() {
        let app = TestApp::start(backend, None).await;
        let db = &app.ctx.db;
        let f40 = seed::collection(db, "f40", "Fedora 40", 100).await;
        seed::package(db, &f40, "rpm", Spec::built(3)).await;
        seed::package(db, &f40, "gcc", Spec::built(5)).await;
        seed::package(db, &f40, "bash", Spec { running: true, ..Spec::built(3) }).await;
        seed::package(
            db,
            &f40,
            "broken",
            Spec { tracked: true, resolved: Some(false), ..Spec::default() },
        )
        .await;
        seed::package(db, &f40, "fresh", Spec { tracked: true, ..Spec::default() }).await;
        seed::package(db, &f40, "ignored", Spec::default()).await;
        seed::package(db, &f40, "retired", Spec { blocked: true, ..Spec::built(3) }).await;

        let res = app.graphql(PACKAGES, json!({"collection": "f40"})).await;
        assert_eq!(
            names(&res),
            ["bash", "broken", "fresh", "gcc", "rpm"],
            "{backend:?}: untracked and blocked hidden"
        );
        let by_name = |name: &str| -> Value {
            data(&res)["packages"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["node"]["name"] == name)
                .map(|e| e["node"].clone())
                .unwrap()
        };
        assert_eq!(by_name("rpm")["state"], "OK");
        assert_eq!(by_name("gcc")["state"], "FAILING");
        assert_eq!(by_name("broken")["state"], "UNRESOLVED");
        assert_eq!(by_name("fresh")["state"], "UNKNOWN");
        let bash = by_name("bash");
        assert_eq!(bash["state"], "OK");
        assert_eq!(bash["hasRunningBuild"], true);
        assert_eq!(bash["lastBuild"]["state"], "RUNNING");
        assert_eq!(bash["lastBuild"]["version"], "1.1");
        assert_eq!(bash["lastCompleteBuild"]["state"], "COMPLETE");
        assert_eq!(by_name("rpm")["hasRunningBuild"], false);
        assert_eq!(by_name("rpm")["collection"]["name"], "f40");
        assert_eq!(data(&res)["packages"]["totalCount"], 5);

        let all = app
            .graphql(
                PACKAGES,
                json!({"filter": {"includeUntracked": true, "includeBlocked": true}}),
            )
            .await;
        assert_eq!(data(&all)["packages"]["totalCount"], 7);
        let states: BTreeSet<String> = data(&all)["packages"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["state"].as_str().unwrap().to_owned())
            .collect();
        let expected: BTreeSet<String> =
            ["BLOCKED", "FAILING", "OK", "UNKNOWN", "UNRESOLVED", "UNTRACKED"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        assert_eq!(states, expected);
    }
}

/// The SQL state filter and the Rust state rules must agree on every combination.
#[tokio::test]
async fn the_state_filter_agrees_with_the_state_rules() {
    for backend in backends() {
        let app = TestApp::start(backend, None).await;
        let db = &app.ctx.db;
        let c = seed::collection(db, "f40", "Fedora 40", 100).await;
        let mut expected: Vec<(String, String)> = Vec::new();
        let mut n = 0;
        for blocked in [false, true] {
            for tracked in [false, true] {
                for resolved in [None, Some(true), Some(false)] {
                    for finished_build in [None, Some(3), Some(5)] {
                        for running in [false, true] {
                            n += 1;
                            let name = format!("p{n:03}");
                            let spec = Spec { tracked, blocked, resolved, finished_build, running };
                            let p = seed::package(db, &c, &name, spec).await;
                            let state = package_state(
                                p.blocked,
                                p.tracked,
                                p.resolved,
                                p.last_complete_build_state,
                            );
                            expected.push((name, state.as_str().to_uppercase()));
                        }
                    }
                }
            }
        }
        for state in ["OK", "FAILING", "UNRESOLVED", "BLOCKED", "UNTRACKED", "UNKNOWN"] {
            let res = app
                .graphql(
                    PACKAGES,
                    json!({"collection": "f40", "filter": {"states": [state]}, "first": 500}),
                )
                .await;
            let want: Vec<String> =
                expected.iter().filter(|(_, s)| s == state).map(|(n, _)| n.clone()).collect();
            assert!(!want.is_empty(), "the seed covers {state}");
            assert_eq!(names(&res), want, "{backend:?}: state {state}");
        }
    }
}

#[tokio::test]
async fn pages_walk_forward_and_back() {
    for backend in backends() {
        let app = TestApp::start(backend, None).await;
        let db = &app.ctx.db;
        let f40 = seed::collection(db, "f40", "Fedora 40", 100).await;
        let f41 = seed::collection(db, "f41", "Fedora 41", 100).await;
        for name in ["a", "b", "c", "d"] {
            seed::package(db, &f40, name, Spec::built(3)).await;
            seed::package(db, &f41, name, Spec::built(3)).await;
        }
        // All collections: 8 rows ordered by name, then id.
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let res = app.graphql(PACKAGES, json!({"first": 3, "after": after})).await;
            let page = &data(&res)["packages"];
            assert_eq!(page["totalCount"], 8);
            for e in page["edges"].as_array().unwrap() {
                seen.push(format!(
                    "{}/{}",
                    e["node"]["name"].as_str().unwrap(),
                    e["node"]["collection"]["name"].as_str().unwrap()
                ));
            }
            assert_eq!(page["pageInfo"]["hasPreviousPage"], after.is_some());
            if page["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(
            seen,
            ["a/f40", "a/f41", "b/f40", "b/f41", "c/f40", "c/f41", "d/f40", "d/f41"],
            "{backend:?}"
        );

        // Backwards from the end, then from a cursor.
        let res = app.graphql(PACKAGES, json!({"collection": "f41", "last": 2})).await;
        assert_eq!(names(&res), ["c", "d"]);
        assert_eq!(data(&res)["packages"]["pageInfo"]["hasPreviousPage"], true);
        assert_eq!(data(&res)["packages"]["pageInfo"]["hasNextPage"], false);
        let start = data(&res)["packages"]["pageInfo"]["startCursor"].clone();
        let res =
            app.graphql(PACKAGES, json!({"collection": "f41", "last": 5, "before": start})).await;
        assert_eq!(names(&res), ["a", "b"]);
        assert_eq!(data(&res)["packages"]["pageInfo"]["hasPreviousPage"], false);
        assert_eq!(data(&res)["packages"]["pageInfo"]["hasNextPage"], true);
    }
}

#[tokio::test]
async fn search_matches_substrings_wildcards_and_literal_metacharacters() {
    for backend in backends() {
        let app = TestApp::start(backend, None).await;
        let db = &app.ctx.db;
        let c = seed::collection(db, "f40", "Fedora 40", 100).await;
        for name in ["python-requests", "python3-docs", "Perl-Test", "perl_test", "perlXtest"] {
            seed::package(db, &c, name, Spec::built(3)).await;
        }
        let search = |term: &str| json!({"filter": {"search": term}});
        assert_eq!(names(&app.graphql(PACKAGES, search("requests")).await), ["python-requests"]);
        assert_eq!(names(&app.graphql(PACKAGES, search("py*docs")).await), ["python3-docs"]);
        // Case-insensitive on both backends; `_` is literal, not a one-character wildcard.
        assert_eq!(
            names(&app.graphql(PACKAGES, search("PERL_")).await),
            ["perl_test"],
            "{backend:?}"
        );
        assert_eq!(names(&app.graphql(PACKAGES, search("perl-test")).await), ["Perl-Test"]);
        assert_eq!(names(&app.graphql(PACKAGES, search("%")).await), Vec::<String>::new());
    }
}

#[tokio::test]
async fn bad_requests_get_errors_with_codes() {
    let app = TestApp::start(support::db::Backend::Sqlite, None).await;
    seed::collection(&app.ctx.db, "f40", "Fedora 40", 100).await;
    let cases: Vec<(&str, Value, &str)> = vec![
        (PACKAGES, json!({"collection": "nope"}), "NOT_FOUND"),
        (PACKAGES, json!({"after": "garbage"}), "BAD_USER_INPUT"),
        (PACKAGES, json!({"first": 2, "last": 2}), "BAD_USER_INPUT"),
        (PACKAGES, json!({"first": -1}), "BAD_USER_INPUT"),
        (PACKAGES, json!({"first": 100000}), "BAD_USER_INPUT"),
        ("{ packages { edges { node { name } }", json!({}), "GRAPHQL_PARSE_FAILED"),
        ("{ packages { nosuchfield } }", json!({}), "GRAPHQL_VALIDATION_FAILED"),
        (PACKAGES, json!({"filter": {"states": ["SHINY"]}}), "GRAPHQL_VALIDATION_FAILED"),
    ];
    for (query, vars, code) in cases {
        let res = app.graphql(query, vars.clone()).await;
        assert_eq!(error_code(&res), code, "{vars} -> {res:#}");
        assert!(res.get("data").is_none_or(|d| d.is_null() || d["packages"].is_null()), "{res:#}");
    }
    let deep = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }";
    assert_eq!(error_code(&app.graphql(deep, json!({})).await), "QUERY_TOO_DEEP");
    let wide: String = (0..1200).map(|i| format!("v{i}: version ")).collect();
    assert_eq!(
        error_code(&app.graphql(&format!("{{ {wide} }}"), json!({})).await),
        "QUERY_TOO_COMPLEX"
    );

    // A body that is not JSON is refused by the HTTP layer with a 4xx, not a crash.
    let res = reqwest::Client::new()
        .post(format!("{}/graphql", app.url))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
}

#[tokio::test]
async fn graphql_answers_get_requests_too() {
    let app = TestApp::start(support::db::Backend::Sqlite, None).await;
    let res: Value = app.get("/graphql?query=%7Bversion%7D").await.json().await.unwrap();
    assert_eq!(data(&res)["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn the_web_app_is_served_with_an_spa_fallback_and_cache_headers() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), "<html>koschei app</html>").unwrap();
    std::fs::write(dist.path().join("web-0123456789abcdef.js"), "console.log(1)").unwrap();
    let app = TestApp::start(support::db::Backend::Sqlite, Some(dist.path().to_owned())).await;

    for path in ["/", "/packages", "/package/rpm"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-cache", "{path}");
        assert!(res.text().await.unwrap().contains("koschei app"));
    }
    let res = app.get("/web-0123456789abcdef.js").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    let res = app.get("/graphiql").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().to_lowercase().contains("graphiql"));
}

#[tokio::test]
async fn without_a_built_web_app_the_api_still_works() {
    let app = TestApp::start(support::db::Backend::Sqlite, None).await;
    let res = app.get("/packages").await;
    assert_eq!(res.status(), 503);
    assert!(res.text().await.unwrap().contains("trunk build"));
    assert_eq!(
        data(&app.graphql("{ version }", json!({})).await)["version"],
        env!("CARGO_PKG_VERSION")
    );
}

mod subscriptions {
    use futures::{SinkExt, StreamExt};
    use koschei::events::{Event, PackageStateChanged};
    use serde_json::{Value, json};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    use super::support::app::TestApp;
    use super::support::db::Backend;

    const SUB: &str = r#"subscription { packageStateChanged(collection: "f40") { name collection state previousState } }"#;

    async fn next_json<S>(ws: &mut S) -> Value
    where
        S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
    {
        loop {
            let msg = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
                .await
                .expect("a message within 10 s")
                .expect("stream open")
                .expect("no websocket error");
            if let Message::Text(text) = msg {
                return serde_json::from_str(&text).expect("JSON message");
            }
        }
    }

    fn event(collection: &str, name: &str) -> Event {
        Event::PackageStateChanged(PackageStateChanged {
            package_id: 1,
            name: name.to_owned(),
            collection: collection.to_owned(),
            state: "failing".to_owned(),
            previous_state: Some("ok".to_owned()),
        })
    }

    /// Runs one subscription over `protocol` and checks that only the f40 event arrives.
    async fn roundtrip(protocol: &str, subscribe_type: &str, data_type: &str) {
        let app = TestApp::start(Backend::Sqlite, None).await;
        let url = format!("{}/graphql/ws", app.url.replacen("http", "ws", 1));
        let mut req = url.into_client_request().unwrap();
        req.headers_mut().insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
        let (mut ws, _) = tokio_tungstenite::connect_async(req).await.expect("websocket connects");
        ws.send(Message::text(json!({"type": "connection_init", "payload": {}}).to_string()))
            .await
            .unwrap();
        assert_eq!(next_json(&mut ws).await["type"], "connection_ack");
        ws.send(Message::text(
            json!({"id": "1", "type": subscribe_type, "payload": {"query": SUB}}).to_string(),
        ))
        .await
        .unwrap();
        // The subscription is registered asynchronously; publish until the first event
        // arrives, the other collection's event first each time.
        let mut got = None;
        for _ in 0..50 {
            app.ctx.events.publish(event("f41", "other"));
            app.ctx.events.publish(event("f40", "rpm"));
            match tokio::time::timeout(std::time::Duration::from_millis(200), next_json(&mut ws))
                .await
            {
                Ok(v) => {
                    got = Some(v);
                    break;
                }
                Err(_) => continue,
            }
        }
        let msg = got.expect("an event is delivered");
        assert_eq!(msg["type"], data_type, "{msg}");
        let payload = &msg["payload"]["data"]["packageStateChanged"];
        assert_eq!(payload["name"], "rpm", "the other collection's event is filtered out: {msg}");
        assert_eq!(payload["state"], "FAILING");
        assert_eq!(payload["previousState"], "OK");
    }

    #[tokio::test]
    async fn events_arrive_over_graphql_transport_ws() {
        roundtrip("graphql-transport-ws", "subscribe", "next").await;
    }

    #[tokio::test]
    async fn events_arrive_over_the_legacy_graphql_ws_protocol() {
        roundtrip("graphql-ws", "start", "data").await;
    }
}

#[tokio::test]
async fn the_services_query_reports_ticks_errors_and_lag() {
    use chrono::{Duration, Utc};
    use koschei::services::status::record;
    for backend in backends() {
        let app = TestApp::start(backend, None).await;
        let db = &app.ctx.db;
        let t = Utc::now() - Duration::seconds(90);
        record(db, "polling", t, None).await.unwrap();
        record(db, "scheduler", t, Some("koji is down")).await.unwrap();
        record(db, "scheduler", t + Duration::seconds(30), None).await.unwrap();
        let res = app
            .graphql("{ services { name enabled lastTick lastSuccess lag lastError lastErrorAt ticks } }", json!({}))
            .await;
        let services = data(&res)["services"].as_array().unwrap().clone();
        let by_name = |n: &str| {
            services.iter().find(|s| s["name"] == n).cloned().unwrap_or_else(|| panic!("{n}"))
        };
        let names: Vec<&str> = services.iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            ["build_resolver", "polling", "repo_resolver", "scheduler"],
            "{backend:?}"
        );

        let polling = by_name("polling");
        assert_eq!(polling["ticks"], 1);
        assert_eq!(polling["lastError"], Value::Null);
        let lag = polling["lag"].as_f64().unwrap();
        assert!((85.0..600.0).contains(&lag), "lag {lag}");
        assert_eq!(polling["enabled"], false, "the test server runs no services");

        let scheduler = by_name("scheduler");
        assert_eq!(scheduler["ticks"], 2);
        assert_eq!(scheduler["lastError"], "koji is down");
        assert!(scheduler["lastErrorAt"].is_string() && scheduler["lastSuccess"].is_string());
        assert!(scheduler["lag"].as_f64().unwrap() < lag, "the later success has the smaller lag");

        let idle = by_name("repo_resolver");
        assert_eq!(idle["ticks"], 0);
        assert_eq!(idle["lastTick"], Value::Null);
        assert_eq!(idle["lag"], Value::Null);
    }
}

const PACKAGE: &str = r#"
query($collection: String, $name: String!, $first: Int, $after: String) {
  package(collection: $collection, name: $name) {
    name state tracked blocked resolved currentPriority skipReasons resolutionProblems
    collection { name }
    inCollections { state collection { name } }
    dependencyChanges { depName prevEvr currEvr distance kind }
    resolutionHistory { resolved problems }
    lastBuild { taskId } lastCompleteBuild { taskId }
    builds(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      nodes { taskId state depsResolved taskUrl release repoId
        kojiTasks { arch taskId state taskUrl buildLogUrl rootLogUrl }
        dependencyChanges { depName prevEvr currEvr distance kind } }
    }
  }
}"#;

fn change_list(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {} {}",
                c["depName"].as_str().unwrap(),
                c["prevEvr"].as_str().unwrap_or("-"),
                c["currEvr"].as_str().unwrap_or("-"),
                c["distance"].as_i64().map_or("null".to_owned(), |d| d.to_string()),
                c["kind"].as_str().unwrap(),
            )
        })
        .collect()
}

fn task_ids(page: &Value) -> Vec<i64> {
    page["nodes"].as_array().unwrap().iter().map(|b| b["taskId"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn the_package_query_shows_changes_builds_and_tasks() {
    for backend in backends() {
        let app = TestApp::start(backend, None).await;
        let db = &app.ctx.db;
        let f40 = seed::collection(db, "f40", "Fedora 40", 100).await;
        let f41 = seed::collection(db, "f41", "Fedora 41", 90).await;
        seed::package_with_history(db, &f40, "rnv", 100).await;
        seed::package(db, &f41, "rnv", Spec::built(5)).await;

        let res = app.graphql(PACKAGE, json!({"collection": "f40", "name": "rnv"})).await;
        let p = &data(&res)["package"];
        assert_eq!(p["name"], "rnv", "{backend:?}");
        assert_eq!(p["collection"]["name"], "f40");
        assert_eq!(p["state"], "OK", "the newest complete build succeeded");
        assert_eq!(p["lastBuild"]["taskId"], 103);
        assert_eq!(p["lastCompleteBuild"]["taskId"], 103);
        assert_eq!(p["resolutionProblems"], json!([]));
        assert_eq!(p["skipReasons"], json!([]), "{backend:?}: schedulable");
        assert!(p["currentPriority"].is_i64(), "{p:#}");
        let elsewhere: Vec<(&str, &str)> = p["inCollections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (x["collection"]["name"].as_str().unwrap(), x["state"].as_str().unwrap()))
            .collect();
        assert_eq!(elsewhere, [("f40", "OK"), ("f41", "FAILING")], "global collection order");
        // Unapplied changes: by distance (unknown last), then name; kinds by RPM order.
        assert_eq!(
            change_list(&p["dependencyChanges"]),
            [
                "epochy 1.0-1.fc40 2:0.5-1.fc40 1 UPGRADED",
                "bash 5.2-1.fc40 5.1-9.fc40 2 DOWNGRADED",
                "gcc 13.2-1.fc40 14.1-1.fc40 2 UPGRADED",
                "zlib 1.2.13-1.fc40 1.3-1.fc40 null UPGRADED",
            ],
            "{backend:?}"
        );
        // Builds newest first, each with its own changes and tasks.
        let builds = &p["builds"];
        assert_eq!(builds["totalCount"], 3);
        assert_eq!(task_ids(builds), [103, 102, 101]);
        let nodes = builds["nodes"].as_array().unwrap();
        assert_eq!(nodes[0]["depsResolved"], Value::Null);
        assert_eq!(nodes[0]["dependencyChanges"], json!([]));
        assert_eq!(nodes[1]["state"], "FAILED");
        assert_eq!(nodes[1]["taskUrl"], "https://koji.fedoraproject.org/koji/taskinfo?taskID=102");
        assert_eq!(
            change_list(&nodes[1]["dependencyChanges"]),
            [
                "expat 2.5.0-1.fc40 2.10.0-1.fc40 1 UPGRADED",
                "python3 1:3.12.1-1.fc40 1:3.11.9-1.fc40 1 DOWNGRADED",
                "newdep - 0.1-1.fc40 2 ADDED",
                "glibc 2.39-1.fc40 2.39-2.fc40 3 UPGRADED",
                "libfoo 1.0-1.fc40 - null REMOVED",
            ],
            "{backend:?}"
        );
        let tasks = nodes[2]["kojiTasks"].as_array().unwrap();
        let arches: Vec<&str> = tasks.iter().map(|t| t["arch"].as_str().unwrap()).collect();
        assert_eq!(arches, ["i686", "x86_64"]);
        assert_eq!(tasks[0]["taskId"], 112);
        assert_eq!(tasks[0]["state"], "CLOSED");
        assert_eq!(
            tasks[0]["buildLogUrl"],
            "https://kojipkgs.fedoraproject.org/work/tasks/112/112/build.log"
        );
        assert_eq!(nodes[1]["kojiTasks"], json!([]));
    }
}

#[tokio::test]
async fn build_history_pages_and_default_collection() {
    for backend in backends() {
        let app = TestApp::start(backend, None).await;
        let db = &app.ctx.db;
        let f40 = seed::collection(db, "f40", "Fedora 40", 100).await;
        let f41 = seed::collection(db, "f41", "Fedora 41", 90).await;
        seed::package_with_history(db, &f40, "rnv", 100).await;
        seed::package_with_history(db, &f41, "rnv", 200).await;
        seed::package(db, &f41, "only-f41", Spec::built(3)).await;

        let vars = |after: Option<&str>| json!({"name": "rnv", "first": 2, "after": after});
        let res = app.graphql(PACKAGE, vars(None)).await;
        let p = &data(&res)["package"];
        assert_eq!(p["collection"]["name"], "f40", "{backend:?}: first collection in order");
        assert_eq!(task_ids(&p["builds"]), [103, 102]);
        assert_eq!(p["builds"]["pageInfo"]["hasNextPage"], true);
        assert_eq!(p["builds"]["pageInfo"]["hasPreviousPage"], false);
        let cursor = p["builds"]["pageInfo"]["endCursor"].as_str().unwrap().to_owned();
        let res = app.graphql(PACKAGE, vars(Some(&cursor))).await;
        let page = &data(&res)["package"]["builds"];
        assert_eq!(task_ids(page), [101], "{backend:?}");
        assert_eq!(page["pageInfo"]["hasNextPage"], false);
        assert_eq!(page["pageInfo"]["hasPreviousPage"], true);

        // A cursor of f40's history is not one of f41's.
        let res = app
            .graphql(PACKAGE, json!({"collection": "f41", "name": "rnv", "after": cursor}))
            .await;
        assert_eq!(error_code(&res), "BAD_USER_INPUT", "{res:#}");

        let res = app.graphql(PACKAGE, json!({"name": "only-f41"})).await;
        assert_eq!(data(&res)["package"]["collection"]["name"], "f41");
    }
}

#[tokio::test]
async fn unresolved_packages_show_their_problems() {
    for backend in backends() {
        let app = TestApp::start(backend, None).await;
        let db = &app.ctx.db;
        let f40 = seed::collection(db, "f40", "Fedora 40", 100).await;
        let p = seed::package(
            db,
            &f40,
            "broken",
            Spec { tracked: true, resolved: Some(false), ..Spec::built(3) },
        )
        .await;
        seed::resolution(db, p.id, false, 30, &["old problem"]).await;
        seed::resolution(db, p.id, true, 20, &[]).await;
        seed::resolution(db, p.id, false, 2, &["nothing provides foo", "bar conflicts with baz"])
            .await;
        let res = app.graphql(PACKAGE, json!({"collection": "f40", "name": "broken"})).await;
        let p = &data(&res)["package"];
        assert_eq!(p["state"], "UNRESOLVED", "{backend:?}");
        assert_eq!(
            p["resolutionProblems"],
            json!(["nothing provides foo", "bar conflicts with baz"])
        );
        assert_eq!(p["currentPriority"], Value::Null);
        assert!(
            p["skipReasons"]
                .as_array()
                .unwrap()
                .contains(&json!("Package dependencies are not resolvable")),
            "{p:#}"
        );
        let history: Vec<(bool, usize)> = p["resolutionHistory"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["resolved"].as_bool().unwrap(), r["problems"].as_array().unwrap().len()))
            .collect();
        assert_eq!(history, [(false, 2), (true, 0), (false, 1)], "{backend:?}: newest first");
    }
}

#[tokio::test]
async fn package_errors_carry_codes() {
    let app = TestApp::start(support::db::Backend::Sqlite, None).await;
    let db = &app.ctx.db;
    let f40 = seed::collection(db, "f40", "Fedora 40", 100).await;
    let f41 = seed::collection(db, "f41", "Fedora 41", 90).await;
    seed::package(db, &f40, "rpm", Spec::built(3)).await;
    seed::package(db, &f41, "only-f41", Spec::built(3)).await;
    let cases = [
        (json!({"collection": "nope", "name": "rpm"}), "NOT_FOUND"),
        (json!({"name": "nosuch"}), "NOT_FOUND"),
        (json!({"collection": "f40", "name": "only-f41"}), "NOT_FOUND"),
        (json!({"name": "rpm", "after": "garbage"}), "BAD_USER_INPUT"),
        (json!({"name": "rpm", "first": -1}), "BAD_USER_INPUT"),
        (json!({"name": "rpm", "first": 100000}), "BAD_USER_INPUT"),
        (json!({"collection": "f40"}), "BAD_USER_INPUT"), // missing required variable
    ];
    for (vars, code) in cases {
        let res = app.graphql(PACKAGE, vars.clone()).await;
        assert_eq!(error_code(&res), code, "{vars} -> {res:#}");
    }
    let res = app.graphql("{ build(id: 424242) { id } }", json!({})).await;
    assert_eq!(error_code(&res), "NOT_FOUND");
    let res = app.graphql(r#"{ package(name: "nosuch") { id } }"#, json!({})).await;
    assert_eq!(res["errors"][0]["message"], "package not found: nosuch");
}
