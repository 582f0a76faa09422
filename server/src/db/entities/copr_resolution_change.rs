//! `copr_resolution_change` (copr plugin): a package whose resolvability changed when the copr
//! repo was added. Row shape only.

use sea_orm::entity::prelude::*;

/// A copr resolution change row (primary key: request, package).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "copr_resolution_change")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub request_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub package_id: i32,
    pub prev_resolved: bool,
    pub curr_resolved: bool,
    /// JSON array of problem strings (`text[]` in the original), or NULL.
    #[sea_orm(column_type = "Text", nullable)]
    pub problems: Option<String>,
}

/// Relations of `copr_resolution_change`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::copr_rebuild_request::Entity",
        from = "Column::RequestId",
        to = "super::copr_rebuild_request::Column::Id",
        on_delete = "Cascade"
    )]
    Request,
    #[sea_orm(
        belongs_to = "super::package::Entity",
        from = "Column::PackageId",
        to = "super::package::Column::Id",
        on_delete = "Cascade"
    )]
    Package,
}

impl Related<super::copr_rebuild_request::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Request.def()
    }
}

impl Related<super::package::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Package.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
