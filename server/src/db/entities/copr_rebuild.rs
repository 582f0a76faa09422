//! `copr_rebuild` (copr plugin): a rebuild of one package in copr for a rebuild request. Row
//! shape only.

use sea_orm::entity::prelude::*;

/// A copr rebuild row (primary key: request, package).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "copr_rebuild")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub request_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub package_id: i32,
    pub copr_build_id: Option<i32>,
    /// State of the package's last complete build when this row was created.
    pub prev_state: i32,
    /// Build state code (2..5) once scheduled; NULL = not scheduled.
    pub state: Option<i32>,
    pub approved: Option<bool>,
    /// Position in the rebuild queue.
    pub order: i32,
    /// Present in the original migration, unused.
    pub running: bool,
}

/// Relations of `copr_rebuild`.
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
