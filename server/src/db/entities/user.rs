//! `"user"` (a reserved word: sea-query always quotes it): frontend users. Row shape only.

use sea_orm::entity::prelude::*;

/// A user row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(column_type = "Text", unique)]
    pub name: String,
    pub admin: bool,
}

/// Relations of `user`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::group_acl::Entity")]
    GroupAcls,
}

impl Related<super::group_acl::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::GroupAcls.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
