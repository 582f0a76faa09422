//! `dependency`: flyweight NEVRA of a binary RPM, referenced by applied/unapplied changes and
//! by `build.dependency_keys`. Row shape only.

use sea_orm::entity::prelude::*;

/// A dependency row (unique on name, epoch, version, release, arch).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dependency")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub epoch: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub version: String,
    #[sea_orm(column_type = "Text")]
    pub release: String,
    #[sea_orm(column_type = "Text")]
    pub arch: String,
}

/// `dependency` has no outgoing foreign keys.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
