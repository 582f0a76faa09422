//! `base_package`: collection-independent package identity. Row shape only; `all_blocked` is
//! maintained by `db::packages` (never set it by hand).

use sea_orm::entity::prelude::*;

/// A base package row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "base_package")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(column_type = "Text", unique)]
    pub name: String,
    /// AND of `package.blocked` over its packages; true when it has none (default).
    pub all_blocked: bool,
}

/// Relations of `base_package`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::package::Entity")]
    Packages,
}

impl Related<super::package::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Packages.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
