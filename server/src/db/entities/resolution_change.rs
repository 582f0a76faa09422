//! `resolution_change`: history of changes of `package.resolved` / its problem set. Row shape
//! and relations only; `timestamp` is set by the application (UTC).

use sea_orm::entity::prelude::*;

/// A resolution change row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resolution_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub resolved: bool,
    pub timestamp: DateTimeUtc,
    pub package_id: i32,
}

/// Relations of `resolution_change`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::package::Entity",
        from = "Column::PackageId",
        to = "super::package::Column::Id",
        on_delete = "Cascade"
    )]
    Package,
    #[sea_orm(has_many = "super::resolution_problem::Entity")]
    Problems,
}

impl Related<super::package::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Package.def()
    }
}

impl Related<super::resolution_problem::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Problems.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
