//! `resolution_problem`: one solver problem string of a resolution change. Row shape only.

use sea_orm::entity::prelude::*;

/// A resolution problem row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resolution_problem")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub resolution_id: i32,
    #[sea_orm(column_type = "Text")]
    pub problem: String,
}

/// Relations of `resolution_problem`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::resolution_change::Entity",
        from = "Column::ResolutionId",
        to = "super::resolution_change::Column::Id",
        on_delete = "Cascade"
    )]
    ResolutionChange,
}

impl Related<super::resolution_change::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ResolutionChange.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
