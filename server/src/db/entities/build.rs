//! `build`: Koschei scratch builds (`real = false`) and maintainers' real builds. Row shape and
//! relations only; insert/update/delete builds through `db::builds`, which keeps the package
//! pointers and `last_complete` correct.

use sea_orm::entity::prelude::*;

use super::states::{BuildState, UnknownBuildState};

/// A build row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "build")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub package_id: Option<i32>,
    /// 2 running, 3 complete, 5 failed, 6 inconclusive (see [`BuildState`]).
    pub state: i32,
    /// Koji top-level task id (not unique).
    pub task_id: i32,
    /// Koji task creation time (submission time until synced). Orders builds.
    pub started: DateTimeUtc,
    pub finished: Option<DateTimeUtc>,
    /// NULL ≡ 0.
    pub epoch: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub version: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub release: Option<String>,
    /// Koji repo the build used (secondary id in secondary mode).
    pub repo_id: Option<i32>,
    /// Maintained: true only on the package's last complete build.
    pub last_complete: bool,
    pub cancel_requested: bool,
    /// build_resolver result; NULL = not processed.
    pub deps_resolved: Option<bool>,
    pub real: bool,
    /// No longer tagged / deleted in Koji: invisible to the package pointers.
    pub untagged: bool,
    /// Compressed sorted `dependency.id` list (see `db::dependency_keys`).
    #[sea_orm(column_type = "Blob", nullable)]
    pub dependency_keys: Option<Vec<u8>>,
}

/// Relations of `build`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::package::Entity",
        from = "Column::PackageId",
        to = "super::package::Column::Id",
        on_delete = "Cascade"
    )]
    Package,
    #[sea_orm(has_many = "super::koji_task::Entity")]
    KojiTasks,
    #[sea_orm(has_many = "super::applied_change::Entity")]
    AppliedChanges,
}

impl Related<super::package::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Package.def()
    }
}

impl Related<super::koji_task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::KojiTasks.def()
    }
}

impl Related<super::applied_change::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AppliedChanges.def()
    }
}

impl Model {
    /// The typed build state; errors on a code the schema would not accept.
    pub fn build_state(&self) -> Result<BuildState, UnknownBuildState> {
        BuildState::try_from(self.state)
    }
}

impl ActiveModelBehavior for ActiveModel {}
