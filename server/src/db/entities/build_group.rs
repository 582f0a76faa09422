//! `build_group` (osci plugin): CI state of a collection's build group per Koji repo. Row shape
//! only.

use sea_orm::entity::prelude::*;

/// A build group row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "build_group")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub repo_id: Option<i32>,
    pub collection_id: Option<i32>,
    pub base_collection_id: Option<i32>,
    /// Last published CI state (e.g. `queued`, `running`, `passed`, `failed`).
    #[sea_orm(column_type = "Text", nullable)]
    pub state: Option<String>,
}

/// Relations of `build_group` (both to `collection`, ON DELETE SET NULL).
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::collection::Entity",
        from = "Column::CollectionId",
        to = "super::collection::Column::Id",
        on_delete = "SetNull"
    )]
    Collection,
    #[sea_orm(
        belongs_to = "super::collection::Entity",
        from = "Column::BaseCollectionId",
        to = "super::collection::Column::Id",
        on_delete = "SetNull"
    )]
    BaseCollection,
}

/// Link build group → its collection.
#[derive(Clone, Copy, Debug)]
pub struct CollectionLink;

impl Linked for CollectionLink {
    type FromEntity = Entity;
    type ToEntity = super::collection::Entity;

    fn link(&self) -> Vec<RelationDef> {
        vec![Relation::Collection.def()]
    }
}

/// Link build group → its base collection.
#[derive(Clone, Copy, Debug)]
pub struct BaseCollectionLink;

impl Linked for BaseCollectionLink {
    type FromEntity = Entity;
    type ToEntity = super::collection::Entity;

    fn link(&self) -> Vec<RelationDef> {
        vec![Relation::BaseCollection.def()]
    }
}

impl ActiveModelBehavior for ActiveModel {}
