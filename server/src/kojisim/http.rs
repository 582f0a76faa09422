//! HTTP front of the simulator: `POST /kojihub` (XML-RPC, plus `rawUpload` chunks sent as
//! `application/octet-stream` with query parameters), `/kojihub/ssllogin` (GSSAPI login
//! with `Authorization: Negotiate` when enabled, as mod_auth_gssapi in front of a real
//! hub; HTTP 401 otherwise), and the file tree under `/kojifiles` (topurl):
//! `repos/<tag>/<id|latest>/…`, `work/tasks/…`, `packages/…`; and `/koji/taskinfo?taskID=N`,
//! a minimal kojiweb task page (`web.rs`).
//!
//! Transport only: decoding/encoding via the codec, everything else via `dispatch`.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::koji::xmlrpc::{decode_call, encode_fault_value, encode_response};

use super::KojiSim;
use super::dispatch::{self, Credentials};
use super::state::repo_state;

/// The Koji version the simulator claims (`Koji-Version` header, `getKojiVersion`).
pub const KOJI_VERSION: &str = "1.35.3";

/// The simulator's routes.
pub fn router(sim: KojiSim) -> Router {
    Router::new()
        .route("/kojihub", post(hub).get(not_allowed))
        .route("/kojihub/ssllogin", post(ssllogin).get(not_allowed))
        .route("/kojifiles/{*path}", get(files))
        .route("/koji/taskinfo", get(taskinfo))
        .layer(DefaultBodyLimit::max(8 * 1024 * 1024))
        .with_state(sim)
}

/// Serves the simulator on `listener` until the task is dropped or the listener fails.
pub async fn serve(listener: tokio::net::TcpListener, sim: KojiSim) -> std::io::Result<()> {
    axum::serve(listener, router(sim)).await
}

async fn taskinfo(
    State(sim): State<KojiSim>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let id = query.get("taskID").and_then(|v| v.parse::<i64>().ok());
    let page =
        id.and_then(|id| sim.with_hub(|h| super::web::task_page(&h.state, id, "/kojifiles")));
    match page {
        Some(html) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        None => (StatusCode::NOT_FOUND, "No such task\n").into_response(),
    }
}

async fn not_allowed() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(header::ALLOW, "POST")],
        "Method Not Allowed: XML-RPC requires POST\n",
    )
        .into_response()
}

fn xml(body: String) -> Response {
    let mut resp = (StatusCode::OK, [(header::CONTENT_TYPE, "text/xml")], body).into_response();
    resp.headers_mut().insert("Koji-Version", HeaderValue::from_static(KOJI_VERSION));
    resp
}

fn credentials(headers: &HeaderMap, query: &HashMap<String, String>) -> Credentials {
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    Credentials {
        session_id: h("Koji-Session-Id").or_else(|| query.get("session-id").cloned()),
        session_key: h("Koji-Session-Key").or_else(|| query.get("session-key").cloned()),
        callnum: h("Koji-Session-Callnum")
            .or_else(|| h("Koji-Callnum"))
            .or_else(|| query.get("callnum").cloned()),
    }
}

async fn hub(
    State(sim): State<KojiSim>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let creds = credentials(&headers, &query);
    if let Some(filename) = query.get("filename") {
        return upload(&sim, &creds, &query, filename, &body);
    }
    call_hub(&sim, &creds, &body, None)
}

/// `/kojihub/ssllogin`: without `Authorization: Negotiate` the same as `/kojihub` (a
/// certificate `sslLogin` then faults: the simulator has no TLS), unless GSSAPI is on,
/// which demands a token (401 challenge). With a token: verified by the acceptor, then
/// `sslLogin` logs the principal's user in and the answer carries the mutual-auth token.
async fn ssllogin(
    State(sim): State<KojiSim>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let creds = credentials(&headers, &query);
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::koji::gssapi::parse_negotiate);
    match token {
        None if negotiate_enabled(&sim) => {
            unauthorized("GSSAPI (Negotiate) authentication is required here".into())
        }
        None => call_hub(&sim, &creds, &body, None),
        Some(Err(message)) => unauthorized(message),
        Some(Ok(token)) => negotiate(&sim, &creds, &body, &token),
    }
}

fn unauthorized(message: String) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Negotiate")],
        format!("Unauthorized: {message}\n"),
    )
        .into_response()
}

#[cfg(feature = "gssapi")]
fn negotiate_enabled(sim: &KojiSim) -> bool {
    sim.negotiate.is_some()
}

#[cfg(not(feature = "gssapi"))]
fn negotiate_enabled(_: &KojiSim) -> bool {
    false
}

#[cfg(feature = "gssapi")]
fn negotiate(sim: &KojiSim, creds: &Credentials, body: &[u8], token: &[u8]) -> Response {
    let Some(acceptor) = &sim.negotiate else {
        return unauthorized("GSSAPI is not enabled on this simulator (no service keytab)".into());
    };
    match acceptor.accept(token) {
        Err(message) => unauthorized(format!("GSSAPI authentication failed: {message}")),
        Ok(accepted) => {
            tracing::debug!(principal = %accepted.principal, "kojisim: GSSAPI client verified");
            let mut resp = call_hub(sim, creds, body, Some(&accepted.principal));
            if let Some(reply) = &accepted.reply
                && let Ok(value) =
                    HeaderValue::from_str(&crate::koji::gssapi::negotiate_header(reply))
            {
                resp.headers_mut().insert(header::WWW_AUTHENTICATE, value);
            }
            resp
        }
    }
}

#[cfg(not(feature = "gssapi"))]
fn negotiate(_: &KojiSim, _: &Credentials, _: &[u8], _: &[u8]) -> Response {
    unauthorized("GSSAPI is not supported: kojisim was built without the `gssapi` feature".into())
}

/// Decodes and runs one XML-RPC call; `principal` is set when GSSAPI verified the
/// client (then `sslLogin` logs that principal in).
fn call_hub(sim: &KojiSim, creds: &Credentials, body: &[u8], principal: Option<&str>) -> Response {
    if body.is_empty() {
        return (StatusCode::BAD_REQUEST, "Invalid request: empty body\n").into_response();
    }
    let (method, params) = match decode_call(body) {
        Ok(call) => call,
        Err(e) => {
            return (StatusCode::BAD_REQUEST, format!("Invalid request: {e}\n")).into_response();
        }
    };
    let result = sim.with_hub(|hub| {
        hub.step();
        match principal {
            Some(principal) if method == "sslLogin" => {
                dispatch::gssapi_login(hub, principal, params)
            }
            _ => dispatch::handle(hub, creds, &method, params),
        }
    });
    match result {
        Ok(value) => xml(encode_response(&value)),
        Err(fault) => xml(encode_fault_value(&fault)),
    }
}

fn upload(
    sim: &KojiSim,
    creds: &Credentials,
    query: &HashMap<String, String>,
    filename: &str,
    body: &[u8],
) -> Response {
    let filepath = query.get("filepath").map_or("", String::as_str);
    let offset = query.get("offset").and_then(|o| o.parse::<usize>().ok()).unwrap_or(0);
    let overwrite = query.get("overwrite").is_some_and(|o| o == "1" || o == "true");
    let result = sim.with_hub(|hub| {
        let ctx = dispatch::authenticate(hub, creds, "rawUpload")?;
        super::task_api::upload(hub, &ctx, filepath, filename, offset, overwrite, body)
    });
    match result {
        Ok(value) => xml(encode_response(&value)),
        Err(fault) => xml(encode_fault_value(&fault)),
    }
}

fn content_type(path: &str) -> &'static str {
    if path.ends_with(".xml") {
        "text/xml"
    } else if path.ends_with(".gz") {
        "application/gzip"
    } else if path.ends_with(".log") || path.ends_with("pkglist") {
        "text/plain; charset=utf-8"
    } else if path.ends_with(".json") {
        "application/json"
    } else if path.ends_with(".rpm") {
        "application/x-rpm"
    } else {
        "application/octet-stream"
    }
}

/// Maps `repos/<tag>/latest/…` to the newest READY repo of the tag.
fn resolve_latest(sim: &KojiSim, path: &str) -> String {
    let parts: Vec<&str> = path.splitn(4, '/').collect();
    if let ["repos", tag, "latest", rest @ ..] = parts.as_slice() {
        let id = sim.with_hub(|hub| {
            let tag_id = hub.state.tag_named(tag).map(|t| t.id)?;
            super::query::latest_repo(&hub.state, tag_id, Some(repo_state::READY)).map(|r| r.id)
        });
        if let Some(id) = id {
            let rest = rest.first().map(|r| format!("/{r}")).unwrap_or_default();
            return format!("repos/{tag}/{id}{rest}");
        }
    }
    path.to_string()
}

async fn files(State(sim): State<KojiSim>, Path(path): Path<String>) -> Response {
    let path = resolve_latest(&sim, path.trim_start_matches('/'));
    match sim.with_hub(|hub| hub.state.files.get(&path).cloned()) {
        Some(data) => ([(header::CONTENT_TYPE, content_type(&path))], data).into_response(),
        None => (StatusCode::NOT_FOUND, format!("Not Found: /kojifiles/{path}\n")).into_response(),
    }
}
