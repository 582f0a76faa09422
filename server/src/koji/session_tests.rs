//! Session tests against a real HTTP server on 127.0.0.1 (axum) that answers canned
//! XML-RPC: session identity on the wire, login and re-login, retries and their limits,
//! timeouts, HTTP errors, multicall splitting and chunking, and a replay of recorded
//! traffic through the whole stack (session → typed API).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::*;
use crate::config::{KojiAuth, KojiConfig, LoginMethod, Secret};
use crate::koji::api::{KojiApi, RpmRef};
use crate::koji::cassettes::{data_path, yaml_entries};
use crate::koji::xmlrpc::{
    Fault, decode_call, decode_multicall_params, encode_fault_value, encode_multicall_result,
    encode_response, split_kwargs,
};

/// One request the test hub received.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    query: Option<String>,
    headers: HeaderMap,
    method: String,
    params: Vec<Value>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_string())
    }

    fn callnum(&self) -> Option<u64> {
        self.header("Koji-Session-Callnum").map(|c| c.parse().unwrap())
    }
}

/// What the test hub answers.
enum Reply {
    Value(Value),
    Fault(i64, &'static str),
    FaultValue(Fault),
    Status(u16, &'static str),
    Hang(Duration),
}

type Responder = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

struct HubState {
    seen: Mutex<Vec<Seen>>,
    respond: Box<Responder>,
}

struct Hub {
    url: String,
    state: Arc<HubState>,
}

impl Hub {
    fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }
}

async fn handle(
    State(state): State<Arc<HubState>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (method, params) = decode_call(&body).expect("client sent a valid methodCall");
    let seen = Seen {
        path: uri.path().to_string(),
        query: uri.query().map(str::to_string),
        headers,
        method,
        params,
    };
    let index = {
        let mut all = state.seen.lock().unwrap();
        all.push(seen.clone());
        all.len() - 1
    };
    let reply = (state.respond)(&seen, index);
    let xml =
        |body: String| (StatusCode::OK, [(header::CONTENT_TYPE, "text/xml")], body).into_response();
    match reply {
        Reply::Value(v) => xml(encode_response(&v)),
        Reply::Fault(code, text) => xml(encode_fault_value(&Fault::new(code, text))),
        Reply::FaultValue(fault) => xml(encode_fault_value(&fault)),
        Reply::Status(status, body) => {
            let status = StatusCode::from_u16(status).unwrap();
            (status, [(header::CONTENT_TYPE, "text/html")], body).into_response()
        }
        Reply::Hang(d) => {
            tokio::time::sleep(d).await;
            xml(encode_response(&Value::Nil))
        }
    }
}

async fn serve_on(
    listener: tokio::net::TcpListener,
    respond: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static,
) -> Hub {
    let addr = listener.local_addr().unwrap();
    let state = Arc::new(HubState { seen: Mutex::new(Vec::new()), respond: Box::new(respond) });
    let app = axum::Router::new().fallback(handle).with_state(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Hub { url: format!("http://{addr}/kojihub"), state }
}

async fn hub(respond: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Hub {
    serve_on(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(), respond).await
}

fn config(url: &str) -> KojiConfig {
    KojiConfig {
        server: url.to_string(),
        call_timeout: Duration::from_secs(5),
        max_retries: 3,
        retry_backoff: Duration::from_millis(10),
        retry_backoff_max: Duration::from_millis(40),
        ..KojiConfig::default()
    }
}

fn password_config(url: &str) -> KojiConfig {
    KojiConfig {
        login_method: LoginMethod::Password,
        auth: KojiAuth {
            user: Some("koschei".into()),
            password: Some(Secret::new("hunter2")),
            ..KojiAuth::default()
        },
        ..config(url)
    }
}

fn session_info(id: i64, key: &str) -> Value {
    Value::structure([
        ("session-id", Value::Int(id)),
        ("session-key", Value::from(key)),
        ("header-auth", Value::Bool(true)),
    ])
}

fn task(id: i64) -> Value {
    Value::structure([
        ("id", Value::Int(id)),
        ("state", Value::Int(2)),
        ("method", Value::from("build")),
        ("arch", Value::from("noarch")),
        ("create_ts", Value::Double(1425217178.04183)),
    ])
}

/// Answers a multicall by unrolling it through `one`.
fn multicall_reply(
    params: &[Value],
    one: impl Fn(&str, &[Value]) -> Result<Value, Fault>,
) -> Reply {
    let calls = decode_multicall_params(params).unwrap();
    let outcomes: Vec<_> = calls.iter().map(|c| one(&c.method, &c.params)).collect();
    Reply::Value(encode_multicall_result(&outcomes))
}

fn call(method: &str, params: Vec<Value>) -> Call {
    Call::new(method, params)
}

#[tokio::test]
async fn anonymous_calls_send_no_session_data() {
    let hub = hub(|seen, _| Reply::Value(task(seen.params[0].as_i64().unwrap()))).await;
    let session = KojiSession::new(&config(&hub.url)).unwrap();
    let info = session.get_task_info(9107738).await.unwrap().unwrap();
    assert_eq!(info.id, 9107738);
    session.get_task_info(1).await.unwrap();
    let seen = hub.seen();
    assert_eq!(seen.len(), 2, "no login request");
    for s in &seen {
        assert_eq!(s.method, "getTaskInfo");
        assert_eq!(s.path, "/kojihub");
        assert_eq!(s.query, None);
        assert!(s.headers.keys().all(|k| !k.as_str().starts_with("koji-")), "{:?}", s.headers);
        assert_eq!(s.header("content-type").as_deref(), Some("text/xml"));
    }
}

#[tokio::test]
async fn password_login_then_calls_carry_session_headers_and_increasing_callnums() {
    let hub = hub(|seen, _| match seen.method.as_str() {
        "login" => Reply::Value(session_info(42, "42-abcdef")),
        _ => Reply::Value(Value::Int(7)),
    })
    .await;
    let session = KojiSession::new(&password_config(&hub.url)).unwrap();
    for _ in 0..3 {
        session.call(call("getKojiVersion", vec![])).await.unwrap();
    }
    let seen = hub.seen();
    assert_eq!(
        seen.iter().map(|s| s.method.as_str()).collect::<Vec<_>>(),
        ["login", "getKojiVersion", "getKojiVersion", "getKojiVersion"]
    );
    assert_eq!(seen[0].params, [Value::from("koschei"), Value::from("hunter2")]);
    assert_eq!(seen[0].header("Koji-Session-Id"), None, "login itself is anonymous");
    for (i, s) in seen[1..].iter().enumerate() {
        assert_eq!(s.header("Koji-Session-Id").as_deref(), Some("42"));
        assert_eq!(s.header("Koji-Session-Key").as_deref(), Some("42-abcdef"));
        assert_eq!(s.callnum(), Some(i as u64));
        assert_eq!(s.query, None);
    }
}

#[tokio::test]
async fn without_header_auth_the_session_travels_in_the_query_string() {
    let hub = hub(|seen, _| match seen.method.as_str() {
        "login" => Reply::Value(Value::structure([
            ("session-id", Value::Int(5)),
            ("session-key", Value::from("5-key")),
        ])),
        _ => Reply::Value(Value::Nil),
    })
    .await;
    let session = KojiSession::new(&password_config(&hub.url)).unwrap();
    session.call(call("getLoggedInUser", vec![])).await.unwrap();
    session.call(call("getLoggedInUser", vec![])).await.unwrap();
    let seen = hub.seen();
    assert_eq!(seen[1].query.as_deref(), Some("session-id=5&session-key=5-key&callnum=0"));
    assert_eq!(seen[2].query.as_deref(), Some("session-id=5&session-key=5-key&callnum=1"));
    assert_eq!(seen[1].header("Koji-Session-Id"), None);
}

#[tokio::test]
async fn concurrent_authenticated_calls_arrive_with_increasing_callnums() {
    let hub = hub(|seen, _| match seen.method.as_str() {
        "login" => Reply::Value(session_info(1, "1-k")),
        _ => Reply::Value(Value::Nil),
    })
    .await;
    let session = Arc::new(KojiSession::new(&password_config(&hub.url)).unwrap());
    let handles: Vec<_> = (0..10)
        .map(|i| {
            let s = session.clone();
            tokio::spawn(async move { s.call(call("getTaskInfo", vec![Value::Int(i)])).await })
        })
        .collect();
    for h in handles {
        h.await.unwrap().unwrap();
    }
    let nums: Vec<u64> = hub.seen().iter().filter_map(Seen::callnum).collect();
    assert_eq!(
        nums,
        (0..10).collect::<Vec<u64>>(),
        "one login, then strictly increasing in arrival order"
    );
    assert_eq!(hub.seen().iter().filter(|s| s.method == "login").count(), 1);
}

#[tokio::test]
async fn an_expired_session_logs_in_again_once_and_repeats_the_call() {
    let hub = hub(|seen, index| match (seen.method.as_str(), index) {
        ("login", 0) => Reply::Value(session_info(42, "42-old")),
        ("login", _) => Reply::Value(session_info(42, "42-new")),
        ("getTaskInfo", 1) => Reply::Fault(1007, "session expired"),
        _ => Reply::Value(task(3)),
    })
    .await;
    let session = KojiSession::new(&password_config(&hub.url)).unwrap();
    let info = session.get_task_info(3).await.unwrap().unwrap();
    assert_eq!(info.id, 3);
    let seen = hub.seen();
    let methods: Vec<_> = seen.iter().map(|s| s.method.as_str()).collect();
    assert_eq!(methods, ["login", "getTaskInfo", "login", "getTaskInfo"]);
    // The renewal identifies the expired session and asks for renew=True.
    let (args, kwargs) = split_kwargs(seen[2].params.clone());
    assert_eq!(args, [Value::from("koschei"), Value::from("hunter2")]);
    assert_eq!(kwargs.get("renew"), Some(&Value::Bool(true)));
    assert_eq!(seen[2].header("Koji-Session-Key").as_deref(), Some("42-old"));
    assert_eq!(seen[3].header("Koji-Session-Key").as_deref(), Some("42-new"));
    let nums: Vec<_> = seen.iter().filter_map(Seen::callnum).collect();
    assert!(nums.windows(2).all(|w| w[0] < w[1]), "callnums never go back: {nums:?}");
}

#[tokio::test]
async fn a_session_that_stays_expired_fails_after_one_relogin() {
    let hub = hub(|seen, _| match seen.method.as_str() {
        "login" => Reply::Value(session_info(42, "42-k")),
        _ => Reply::Fault(1007, "session expired"),
    })
    .await;
    let session = KojiSession::new(&password_config(&hub.url)).unwrap();
    let err = session.call(call("getTaskInfo", vec![Value::Int(1)])).await.unwrap_err();
    assert!(err.is_session_expired(), "{err}");
    let methods: Vec<_> = hub.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(methods, ["login", "getTaskInfo", "login", "getTaskInfo"]);
}

#[tokio::test]
async fn refused_renewal_falls_back_to_a_fresh_login() {
    let hub = hub(|seen, index| match (seen.method.as_str(), index) {
        ("login", 0) => Reply::Value(session_info(1, "1-a")),
        ("getTaskInfo", 1) => Reply::Fault(1007, "expired"),
        ("login", 2) => Reply::Fault(1002, "cannot renew"),
        ("login", _) => Reply::Value(session_info(2, "2-b")),
        _ => Reply::Value(task(1)),
    })
    .await;
    let session = KojiSession::new(&password_config(&hub.url)).unwrap();
    session.get_task_info(1).await.unwrap();
    let seen = hub.seen();
    assert_eq!(seen.len(), 5);
    assert_eq!(seen[3].method, "login");
    assert_eq!(seen[3].params.len(), 2, "fresh login without renew");
    assert_eq!(seen[3].header("Koji-Session-Id"), None);
    assert_eq!(seen[4].header("Koji-Session-Id").as_deref(), Some("2"));
}

#[tokio::test]
async fn bad_credentials_are_an_auth_error() {
    let hub = hub(|_, _| Reply::Fault(1002, "invalid username or password")).await;
    let session = KojiSession::new(&password_config(&hub.url)).unwrap();
    let err = session.call(call("getTaskInfo", vec![Value::Int(1)])).await.unwrap_err();
    assert!(
        matches!(&err, KojiError::Auth { message } if message.contains("invalid username")),
        "{err}"
    );
    assert_eq!(hub.seen().len(), 1, "no retry, no call without a session");
}

// A throwaway self-signed test certificate and key (EC P-256), for loading only.
const TEST_CLIENT_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBhDCCASugAwIBAgIUcldg7BglXxjzZiZ5VNeu6jPMiKowCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMa29zY2hlaS10ZXN0MCAXDTI2MTEyNTAxMTIwN1oYDzIxMjYx
MTAxMDExMjA3WjAXMRUwEwYDVQQDDAxrb3NjaGVpLXRlc3QwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAR8YGTLiPrTR1fWG1um6G+GxjKUnKG7HYjqPal0jU+OZQC9
DS91cld5jNMngqHDoyLHUzKnSXNVe0WHNwwPc44Eo1MwUTAdBgNVHQ4EFgQU9hJS
8ej3GlMzX3NqMzfReONEatswHwYDVR0jBBgwFoAU9hJS8ej3GlMzX3NqMzfReONE
atswDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiBcYsLJPg1JFQu8
Q+BNAe+0hpQhLv1WkZ8f3YWgCwXkqQIgL5CVc/hNOh/L1vhM6cQ256u1QDt50N2s
S7wndmuf4y8=
-----END CERTIFICATE-----
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1Jknf21D7FQDU4fk
9myBWAvPxMiyBjC5w65ZvfIdQfihRANCAAR8YGTLiPrTR1fWG1um6G+GxjKUnKG7
HYjqPal0jU+OZQC9DS91cld5jNMngqHDoyLHUzKnSXNVe0WHNwwPc44E
-----END PRIVATE KEY-----
";

#[tokio::test]
async fn ssl_login_is_posted_to_ssllogin() {
    let hub = hub(|seen, _| match seen.method.as_str() {
        "sslLogin" => Reply::Value(session_info(9, "9-ssl")),
        _ => Reply::Value(Value::Int(25560834)),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("client.pem");
    std::fs::write(&pem, TEST_CLIENT_PEM).unwrap();
    let mut cfg = config(&hub.url);
    cfg.login_method = LoginMethod::Ssl;
    cfg.auth.cert = Some(pem.clone());
    cfg.auth.serverca = Some(pem);
    let session = KojiSession::new(&cfg).unwrap();
    session.login().await.unwrap();
    let task = session.build("../x.src.rpm", Some("f29"), Struct::new(), Some(30)).await.unwrap();
    assert_eq!(task, 25560834);
    let seen = hub.seen();
    assert_eq!((seen[0].path.as_str(), seen[0].method.as_str()), ("/kojihub/ssllogin", "sslLogin"));
    assert!(seen[0].params.is_empty());
    assert_eq!((seen[1].path.as_str(), seen[1].method.as_str()), ("/kojihub", "build"));
    assert_eq!(seen[1].header("Koji-Session-Key").as_deref(), Some("9-ssl"));
}

#[tokio::test]
async fn ssl_login_needs_a_certificate_and_gssapi_needs_the_feature() {
    let mut cfg = config("https://koji.example/kojihub");
    cfg.login_method = LoginMethod::Ssl;
    assert!(matches!(KojiSession::new(&cfg), Err(KojiError::Auth { .. })));
    cfg.login_method = LoginMethod::Gssapi;
    let made = KojiSession::new(&cfg);
    if cfg!(feature = "gssapi") {
        // Credentials are looked for at login time (tests/gssapi_login.rs), not here.
        assert!(made.is_ok(), "{made:?}");
    } else {
        let err = made.unwrap_err();
        assert!(
            matches!(&err, KojiError::Auth { message } if message.contains("without the `gssapi` feature")),
            "{err}"
        );
    }
    let mut cfg = config("not a url");
    cfg.login_method = LoginMethod::Anonymous;
    assert!(matches!(KojiSession::new(&cfg), Err(KojiError::Transport { .. })));
}

#[tokio::test]
async fn http_503_is_retried_with_backoff_until_it_succeeds() {
    let hub =
        hub(|_, index| if index < 2 { Reply::Status(503, "busy") } else { Reply::Value(task(1)) })
            .await;
    let session = KojiSession::new(&config(&hub.url)).unwrap();
    let started = Instant::now();
    assert!(session.get_task_info(1).await.unwrap().is_some());
    assert_eq!(hub.seen().len(), 3);
    // Two waits of at least backoff/2 each (5 ms, then 10 ms).
    assert!(started.elapsed() >= Duration::from_millis(15));
}

#[tokio::test]
async fn retries_are_bounded() {
    let hub =
        hub(|_, _| Reply::Status(503, "<html><title>503 Service Unavailable</title></html>")).await;
    let session = KojiSession::new(&config(&hub.url)).unwrap();
    let err = session.get_task_info(1).await.unwrap_err();
    assert!(matches!(&err, KojiError::Http { status: 503, .. }), "{err}");
    assert_eq!(hub.seen().len(), 4, "first attempt + max_retries (3)");
}

#[tokio::test]
async fn the_offline_fault_is_retried_and_a_request_error_fault_is_not() {
    let hub = hub(|seen, index| match seen.method.as_str() {
        "getTaskInfo" if index == 0 => Reply::Fault(1014, "database outage"),
        "getTaskInfo" => Reply::Value(task(1)),
        _ => Reply::Fault(1000, "No such entry in table tag: nope"),
    })
    .await;
    let session = KojiSession::new(&config(&hub.url)).unwrap();
    assert!(session.get_task_info(1).await.unwrap().is_some());
    assert_eq!(hub.seen().len(), 2);
    let err = session.get_repo("nope").await.unwrap_err();
    assert_eq!(
        err,
        KojiError::Fault {
            code: 1000,
            message: "No such entry in table tag: nope".into(),
            method: "getRepo".into()
        }
    );
    assert_eq!(hub.seen().len(), 3, "no retry of a request error");
}

#[tokio::test]
async fn connection_refused_is_retried_until_the_hub_appears() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = probe.local_addr().unwrap();
    drop(probe);
    let mut cfg = config(&format!("http://{addr}/kojihub"));
    cfg.max_retries = 8;
    cfg.retry_backoff = Duration::from_millis(50);
    cfg.retry_backoff_max = Duration::from_millis(200);
    let session = KojiSession::new(&cfg).unwrap();
    let late_hub = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        serve_on(listener, |_, _| Reply::Value(task(1))).await
    });
    let info = session.get_task_info(1).await.unwrap();
    assert!(info.is_some());
    let hub = late_hub.await.unwrap();
    assert_eq!(hub.seen().len(), 1);
}

#[tokio::test]
async fn connection_refused_without_retries_is_a_transport_error_naming_the_url() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/kojihub", probe.local_addr().unwrap());
    drop(probe);
    let session = KojiSession::new(&config(&url)).unwrap().with_retry_policy(RetryPolicy::NONE);
    let err = session.get_task_info(1).await.unwrap_err();
    match &err {
        KojiError::Transport { url: u, timeout, .. } => {
            assert_eq!(u, &url);
            assert!(!timeout);
        }
        other => panic!("{other}"),
    }
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_hanging_hub_hits_the_call_timeout() {
    let hub = hub(|_, _| Reply::Hang(Duration::from_secs(10))).await;
    let mut cfg = config(&hub.url);
    cfg.call_timeout = Duration::from_millis(200);
    cfg.max_retries = 0;
    let session = KojiSession::new(&cfg).unwrap();
    let started = Instant::now();
    let err = session.get_task_info(1).await.unwrap_err();
    assert!(matches!(err, KojiError::Transport { timeout: true, .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

#[tokio::test]
async fn an_html_error_page_becomes_an_http_error_with_a_snippet() {
    let page = "<!DOCTYPE html>\n<html><head>\n  <title>500 Internal Server Error</title>\n</head><body>oops</body></html>";
    let hub = hub(move |_, _| Reply::Status(500, page)).await;
    let session = KojiSession::new(&config(&hub.url)).unwrap().with_retry_policy(RetryPolicy::NONE);
    match session.get_task_info(1).await.unwrap_err() {
        KojiError::Http { status, snippet, url } => {
            assert_eq!(status, 500);
            assert!(snippet.contains("<title>500 Internal Server Error</title>"), "{snippet}");
            assert!(!snippet.contains('\n'));
            assert_eq!(url, hub.url);
        }
        other => panic!("{other}"),
    }
    assert_eq!(hub.seen().len(), 1);
}

#[tokio::test]
async fn a_result_of_the_wrong_shape_is_a_conversion_error_naming_the_field() {
    let hub = hub(|_, _| {
        Reply::Value(Value::structure([("id", Value::Int(1)), ("state", Value::from("closed"))]))
    })
    .await;
    let session = KojiSession::new(&config(&hub.url)).unwrap();
    match session.get_task_info(1).await.unwrap_err() {
        KojiError::Conversion { method, source } => {
            assert_eq!(method, "getTaskInfo");
            assert_eq!(source.path, "state");
        }
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn a_multicall_fault_in_the_middle_fails_only_that_item() {
    let hub = hub(|seen, _| {
        assert_eq!(seen.method, "multiCall");
        multicall_reply(&seen.params, |method, params| {
            assert_eq!(method, "getTaskInfo");
            match params[0].as_i64().unwrap() {
                2 => Err(Fault::new(1000, "boom").with_extra("traceback", vec!["line"])),
                id => Ok(task(id)),
            }
        })
    })
    .await;
    let session: Arc<dyn KojiApi> = Arc::new(KojiSession::new(&config(&hub.url)).unwrap());
    let results = session.get_task_infos(&[1, 2, 3]).await;
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().unwrap().as_ref().unwrap().id, 1);
    assert_eq!(
        results[1].as_ref().unwrap_err(),
        &KojiError::Fault { code: 1000, message: "boom".into(), method: "getTaskInfo".into() }
    );
    assert_eq!(results[2].as_ref().unwrap().as_ref().unwrap().id, 3);
    assert_eq!(hub.seen().len(), 1);
}

#[tokio::test]
async fn multicalls_are_chunked() {
    let hub = hub(|seen, _| {
        multicall_reply(&seen.params, |_, params| Ok(Value::Int(params[0].as_i64().unwrap() * 10)))
    })
    .await;
    let session = KojiSession::new(&config(&hub.url)).unwrap();
    let calls: Vec<Call> = (0..250).map(|i| call("getTaskResult", vec![Value::Int(i)])).collect();
    let results = session.multicall(calls).await;
    let values: Vec<i64> = results.into_iter().map(|r| r.unwrap().as_i64().unwrap()).collect();
    assert_eq!(values, (0..250).map(|i| i * 10).collect::<Vec<_>>());
    let sizes: Vec<usize> =
        hub.seen().iter().map(|s| decode_multicall_params(&s.params).unwrap().len()).collect();
    assert_eq!(sizes, [100, 100, 50]);
}

#[tokio::test]
async fn a_failed_multicall_request_fails_its_items_and_later_chunks() {
    let hub = hub(|_, index| {
        if index == 0 {
            Reply::Value(encode_multicall_result(&[Ok(Value::Int(1)), Ok(Value::Int(2))]))
        } else {
            Reply::Status(400, "Invalid request")
        }
    })
    .await;
    let mut cfg = config(&hub.url);
    cfg.multicall_chunk_size = 2;
    let session = KojiSession::new(&cfg).unwrap();
    let calls: Vec<Call> = (0..5).map(|i| call("getTaskInfo", vec![Value::Int(i)])).collect();
    let results = session.multicall(calls).await;
    assert_eq!(results.len(), 5);
    assert!(results[0].is_ok() && results[1].is_ok());
    for r in &results[2..] {
        assert!(matches!(r, Err(KojiError::Http { status: 400, .. })), "{r:?}");
    }
    assert_eq!(hub.seen().len(), 2, "400 is not retried; the last chunk is not sent");
}

#[tokio::test]
async fn a_multicall_with_a_wrong_number_of_results_is_a_decode_error() {
    let hub = hub(|_, _| Reply::Value(encode_multicall_result(&[Ok(Value::Int(1))]))).await;
    let session = KojiSession::new(&config(&hub.url)).unwrap();
    let results = session.multicall(vec![call("a", vec![]), call("b", vec![])]).await;
    assert!(results.iter().all(|r| matches!(r, Err(KojiError::Decode { .. }))), "{results:?}");
}

#[tokio::test]
async fn an_oversized_response_is_rejected() {
    let big = "x".repeat(10_000);
    let hub = hub(move |_, _| Reply::Value(Value::String(big.clone()))).await;
    let transport = Transport::new(Duration::from_secs(5), &TlsFiles::default())
        .unwrap()
        .with_limits(xmlrpc::Limits { max_body_bytes: 1024, max_depth: 8 });
    let url = url::Url::parse(&hub.url).unwrap();
    let err = transport
        .post(&url, &hub.url, &[], "getKojiVersion", xmlrpc::encode_call("getKojiVersion", &[]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            KojiError::Decode { source: xmlrpc::XmlRpcError::TooBig { limit: 1024, .. }, .. }
        ),
        "{err}"
    );
}

/// Serves recorded KojiVCR entries: a call is answered by the first entry with the same
/// method, args and kwargs (koschei-tests.md §3.1); multiCall is unrolled.
fn replay_hub_responder(
    entries: Vec<crate::koji::cassettes::Entry>,
) -> impl Fn(&Seen, usize) -> Reply {
    let lookup = move |method: &str, params: &[Value]| -> Result<Value, Fault> {
        let (args, kwargs) = split_kwargs(params.to_vec());
        let e = entries
            .iter()
            .find(|e| e.method == method && e.args == args && e.kwargs == kwargs)
            .unwrap_or_else(|| panic!("unexpected call in replay: {method}({args:?}, {kwargs:?})"));
        e.outcome.clone()
    };
    move |seen: &Seen, _| {
        if seen.method == "multiCall" {
            return multicall_reply(&seen.params, &lookup);
        }
        match lookup(&seen.method, &seen.params) {
            Ok(v) => Reply::Value(v),
            Err(f) => Reply::FaultValue(f),
        }
    }
}

fn cassette(name: &str) -> Vec<crate::koji::cassettes::Entry> {
    yaml_entries(&data_path(&format!("test/data/{name}.yml")))
}

#[tokio::test]
async fn recorded_traffic_replays_through_the_session_and_typed_api() {
    // Polling (multicall getTaskInfo) and sync_tasks (multicall getTaskChildren).
    let mut entries = cassette("PollingTest/test_poll_multiple");
    entries.extend(cassette("BackendTest/test_refresh_latest_builds"));
    entries.extend(cassette("BackendTest/test_submit_build"));
    entries.extend(cassette("SchedulerTest/test_submit_integration"));
    let hub = hub(replay_hub_responder(entries)).await;
    let koji: Arc<dyn KojiApi> = Arc::new(KojiSession::new(&config(&hub.url)).unwrap());

    let infos = koji.get_task_infos(&[26033406, 26151873]).await;
    let ids: Vec<i64> = infos.iter().map(|r| r.as_ref().unwrap().as_ref().unwrap().id).collect();
    assert_eq!(ids, [26033406, 26151873]);

    let children = koji.get_tasks_children(&[25859902, 25162638]).await;
    assert_eq!(children.len(), 2);
    for c in &children {
        let c = c.as_ref().unwrap();
        assert!(c.iter().any(|t| t.request_repo_id().is_some()), "{c:?}");
    }

    let opts = crate::koji::api::ListTaggedOpts {
        inherit: true,
        latest: true,
        package: Some("rnv".into()),
        ..Default::default()
    };
    let tagged = koji.list_tagged("f29-build", &opts).await.unwrap();
    assert_eq!(tagged[0].nvr, "rnv-1.7.11-15.fc28");
    let rpms = koji.list_rpms(tagged[0].build_id, "src").await.unwrap();
    let srpm = &rpms[0];
    let b = crate::koji::urls::BuildNvr {
        name: &tagged[0].package_name,
        version: &tagged[0].version,
        release: &tagged[0].release,
        volume_name: tagged[0].volume_name.as_deref(),
    };
    let src = crate::koji::urls::srpm_path("..", &b, &srpm.name, &srpm.version, &srpm.release);
    let opts = crate::koji::api::scratch_build_opts(&Struct::new(), None, None);
    assert_eq!(koji.build(&src, Some("f29"), opts, Some(30)).await.unwrap(), 25560834);

    let headers = koji
        .get_rpm_headers(
            &RpmRef::srpm("maven", None, "3.5.3", "2.fc29"),
            &crate::koji::api::SRPM_ARCH_HEADERS,
        )
        .await
        .unwrap();
    assert_eq!(headers.get("BUILDARCHS"), Some(&Value::from(vec!["noarch", "noarch"])));
    let channel = koji.get_channel("default").await.unwrap().unwrap();
    let arches: Vec<String> = ["armv7hl", "i686", "x86_64", "aarch64", "ppc64", "ppc64le", "s390x"]
        .map(String::from)
        .to_vec();
    let hosts = koji.list_hosts(&arches, channel.id).await.unwrap();
    assert_eq!(hosts.len(), 108);
    assert!(hosts.iter().all(|h| h.capacity > 0.0));
    assert!(hub.seen().iter().all(|s| s.header("Koji-Session-Id").is_none()));
}

#[tokio::test]
async fn is_koji_fault_classifies_replayed_task_results() {
    // Faults are answered as real XML-RPC faults here.
    let entries = cassette("KojiUtilOtherTest/test_koji_fault");
    let hub = hub(move |seen, _| {
        let e = entries.iter().find(|e| e.args == seen.params).unwrap();
        match &e.outcome {
            Ok(v) => Reply::Value(v.clone()),
            Err(f) if f.code == 1 => Reply::Fault(1, "Traceback … HTTPError: HTTP Error 503"),
            Err(f) if f.code == 1005 => Reply::Fault(1005, "error building package"),
            Err(f) => {
                assert_eq!(f.code, 1000);
                Reply::Fault(1000, "Task 12345 is canceled")
            }
        }
    })
    .await;
    let koji = KojiSession::new(&config(&hub.url)).unwrap();
    for (task, want) in [
        (1337, false),
        (12345, false),
        (41684693, false),
        (41111817, false),
        (32738401, true),
        (32738626, true),
    ] {
        assert_eq!(koji.is_koji_fault(task).await.unwrap(), want, "task {task}");
    }
    // Non-fault errors propagate.
    let down = KojiSession::new(&config("http://127.0.0.1:9/kojihub"))
        .unwrap()
        .with_retry_policy(RetryPolicy::NONE);
    assert!(matches!(down.is_koji_fault(1).await, Err(KojiError::Transport { .. })));
}
