//! The `service_status` rows: written by the runner after every tick, read by the GraphQL
//! `services` query. Only bookkeeping; it must not decide anything about the work itself.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder};

use crate::db::entities::service_status;

/// Records a tick of `name` that ended at `now`, failed with `error` or succeeded.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    name: &str,
    now: DateTime<Utc>,
    error: Option<&str>,
) -> Result<(), DbErr> {
    let row = service_status::ActiveModel {
        name: Set(name.to_owned()),
        last_tick_at: Set(Some(now)),
        last_success_at: Set(error.is_none().then_some(now)),
        last_error: Set(error.map(ToOwned::to_owned)),
        last_error_at: Set(error.map(|_| now)),
        ticks: Set(1),
    };
    use service_status::Column as C;
    let mut on_conflict = OnConflict::column(C::Name);
    on_conflict
        .update_column(C::LastTickAt)
        .value(C::Ticks, Expr::col((service_status::Entity, C::Ticks)).add(1));
    if error.is_some() {
        on_conflict.update_columns([C::LastError, C::LastErrorAt]);
    } else {
        on_conflict.update_column(C::LastSuccessAt);
    }
    service_status::Entity::insert(row).on_conflict(on_conflict).exec(db).await?;
    Ok(())
}

/// All status rows, by name.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<service_status::Model>, DbErr> {
    service_status::Entity::find().order_by_asc(service_status::Column::Name).all(db).await
}

/// Seconds from the last success to `now` (never negative); `None` without a success.
pub fn lag_seconds(row: &service_status::Model, now: DateTime<Utc>) -> Option<f64> {
    row.last_success_at.map(|t| Ord::max((now - t).num_milliseconds(), 0) as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::db::test_db::backends;

    #[tokio::test]
    async fn ticks_successes_and_errors_are_recorded() {
        let t = |m| Utc.with_ymd_and_hms(2026, 1, 1, 0, m, 0).single().expect("time");
        for tdb in backends().await {
            let (db, l) = (&tdb.conn, tdb.label);
            record(db, "polling", t(1), None).await.expect("ok tick");
            record(db, "polling", t(2), Some("koji down")).await.expect("failed tick");
            record(db, "scheduler", t(3), Some("boom")).await.expect("failed tick");
            let rows = list(db).await.expect("list");
            assert_eq!(rows.len(), 2, "{l}");
            let p = &rows[0];
            assert_eq!(p.name, "polling", "{l}");
            assert_eq!(p.ticks, 2, "{l}");
            assert_eq!(p.last_tick_at, Some(t(2)), "{l}");
            assert_eq!(p.last_success_at, Some(t(1)), "{l}: a failure keeps the last success");
            assert_eq!(p.last_error.as_deref(), Some("koji down"), "{l}");
            assert_eq!(lag_seconds(p, t(5)), Some(240.0), "{l}");
            let s = &rows[1];
            assert_eq!((s.ticks, s.last_success_at), (1, None), "{l}");
            assert_eq!(lag_seconds(s, t(5)), None, "{l}");
            record(db, "scheduler", t(4), None).await.expect("ok");
            let s = list(db).await.expect("list").remove(1);
            assert_eq!(s.last_error.as_deref(), Some("boom"), "{l}: the last error stays");
            assert_eq!(s.last_success_at, Some(t(4)), "{l}");
        }
    }
}
