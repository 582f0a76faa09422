//! `collection_group`: named grouping of collections (frontend). Row shape only.

use sea_orm::entity::prelude::*;

/// A collection group row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "collection_group")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(column_type = "Text", unique)]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub display_name: String,
}

/// Relations of `collection_group`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::collection_group_relation::Entity")]
    Relations,
}

impl Related<super::collection_group_relation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Relations.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
