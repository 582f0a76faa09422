//! `/healthz`: the process answers. `/readyz`: the database answers and its schema is
//! exactly the one this binary expects.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::context::AppContext;
use crate::db::{self, SchemaStatus};

/// Liveness: always 200 while the process serves requests.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: 200 with `{"status": "ready"}`, or 503 with the reason.
pub async fn readyz(State(ctx): State<AppContext>) -> (StatusCode, Json<Value>) {
    let unavailable = |reason: String| {
        (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable", "reason": reason})))
    };
    if let Err(e) = ctx.db.execute_unprepared("SELECT 1").await {
        return unavailable(format!("database unreachable: {e}"));
    }
    match db::schema_status(&ctx.db).await {
        Ok(SchemaStatus::UpToDate) => (StatusCode::OK, Json(json!({"status": "ready"}))),
        Ok(SchemaStatus::Pending(p)) => {
            unavailable(format!("{} migrations pending; run `koschei migrate`", p.len()))
        }
        Ok(SchemaStatus::TooNew(u)) => {
            unavailable(format!("database schema is newer than this binary: {}", u.join(", ")))
        }
        Err(e) => unavailable(format!("cannot read the schema version: {e}")),
    }
}
