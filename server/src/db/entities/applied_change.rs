//! `applied_change`: dependency difference between a build and its predecessor (written by
//! build_resolver). Row shape and relations only.

use sea_orm::entity::prelude::*;

/// A dependency change row: `prev_dep_id` → `curr_dep_id` (either may be NULL, not both equal).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applied_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub build_id: i32,
    pub prev_dep_id: Option<i32>,
    pub curr_dep_id: Option<i32>,
    /// Dependency-graph distance from the package (1 = direct BuildRequires); NULL = unknown.
    pub distance: Option<i32>,
}

/// Relations of `applied_change`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::build::Entity",
        from = "Column::BuildId",
        to = "super::build::Column::Id",
        on_delete = "Cascade"
    )]
    Build,
    #[sea_orm(
        belongs_to = "super::dependency::Entity",
        from = "Column::PrevDepId",
        to = "super::dependency::Column::Id"
    )]
    PrevDep,
    #[sea_orm(
        belongs_to = "super::dependency::Entity",
        from = "Column::CurrDepId",
        to = "super::dependency::Column::Id"
    )]
    CurrDep,
}

impl Related<super::build::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Build.def()
    }
}

/// Link change → previous dependency.
#[derive(Clone, Copy, Debug)]
pub struct PrevDep;

impl Linked for PrevDep {
    type FromEntity = Entity;
    type ToEntity = super::dependency::Entity;

    fn link(&self) -> Vec<RelationDef> {
        vec![Relation::PrevDep.def()]
    }
}

/// Link change → current dependency.
#[derive(Clone, Copy, Debug)]
pub struct CurrDep;

impl Linked for CurrDep {
    type FromEntity = Entity;
    type ToEntity = super::dependency::Entity;

    fn link(&self) -> Vec<RelationDef> {
        vec![Relation::CurrDep.def()]
    }
}

impl ActiveModelBehavior for ActiveModel {}
