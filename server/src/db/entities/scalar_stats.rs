//! `scalar_stats`: global counts, an emulated materialized view refreshed by polling
//! (`DELETE` + `INSERT` in one transaction). Row shape only.

use sea_orm::entity::prelude::*;

/// The statistics row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scalar_stats")]
pub struct Model {
    /// When the row was computed (UTC).
    #[sea_orm(primary_key, auto_increment = false)]
    pub refresh_time: DateTimeUtc,
    pub packages: i32,
    pub tracked_packages: i32,
    pub blocked_packages: i32,
    pub builds: i32,
    pub real_builds: i32,
    pub scratch_builds: i32,
}

/// `scalar_stats` has no foreign keys.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
