//! `koji_task`: Koji `buildArch` subtasks of a build. Row shape only.

use sea_orm::entity::prelude::*;

/// A Koji subtask row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "koji_task")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub build_id: i32,
    pub task_id: i32,
    /// Koji task arch, e.g. `armhfp`, `i386`, `noarch`.
    #[sea_orm(column_type = "Text")]
    pub arch: String,
    /// Raw Koji TASK_STATES value 0..5 (0 FREE, 1 OPEN, 2 CLOSED, 3 CANCELED, 4 ASSIGNED, 5 FAILED).
    pub state: i32,
    pub started: DateTimeUtc,
    pub finished: Option<DateTimeUtc>,
}

/// Relations of `koji_task`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::build::Entity",
        from = "Column::BuildId",
        to = "super::build::Column::Id",
        on_delete = "Cascade"
    )]
    Build,
}

impl Related<super::build::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Build.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
