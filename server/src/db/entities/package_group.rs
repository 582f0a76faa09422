//! `package_group`: user-maintained grouping of base packages (frontend). Row shape only.

use sea_orm::entity::prelude::*;

/// A package group row (unique on namespace, name; NULL namespace = global group).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "package_group")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub namespace: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub name: String,
}

/// Relations of `package_group`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::package_group_relation::Entity")]
    Members,
    #[sea_orm(has_many = "super::group_acl::Entity")]
    Acls,
}

impl Related<super::package_group_relation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Members.def()
    }
}

impl Related<super::group_acl::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Acls.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
