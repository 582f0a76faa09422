//! `resource_consumption_stats`: Koji task time per package name and arch, an emulated
//! materialized view refreshed by polling. Row shape only.

use sea_orm::entity::prelude::*;

/// A per-(name, arch) statistics row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "resource_consumption_stats")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub name: String,
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub arch: String,
    /// Sum of `koji_task.finished - started` in whole seconds (`interval` in the original).
    pub time: Option<i64>,
    /// `time` / total task time over all tasks.
    pub time_percentage: Option<f64>,
}

/// `resource_consumption_stats` has no foreign keys.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
