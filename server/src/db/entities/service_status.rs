//! `service_status`: one row per background service (its last tick, last success and last
//! error), written by `services::runner` after every tick. Row shape only.

use sea_orm::entity::prelude::*;

/// A service's status row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_status")]
pub struct Model {
    /// The service's name (`polling`, `scheduler`, …).
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub name: String,
    /// When the last tick ended (success or failure).
    pub last_tick_at: Option<DateTimeUtc>,
    /// When the last successful tick ended.
    pub last_success_at: Option<DateTimeUtc>,
    /// The last error (with its causes), cleared by nothing: compare the timestamps.
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    /// When the last error happened.
    pub last_error_at: Option<DateTimeUtc>,
    /// Number of ticks since the row was created.
    pub ticks: i64,
}

/// `service_status` has no foreign keys.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
