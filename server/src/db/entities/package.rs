//! `package`: a package within a collection. Row shape and relations only.
//!
//! `last_build_id`, `last_complete_build_id`, `last_complete_build_state` are maintained by
//! `db::last_build` (via `db::builds`); `blocked` must be changed through `db::packages` so that
//! `base_package.all_blocked` follows.

use sea_orm::entity::prelude::*;

/// A package row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "package")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub base_id: i32,
    /// Denormalized copy of the base package's name.
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub collection_id: i32,
    /// Space-separated arch list, or `^`-prefixed exclusion list.
    #[sea_orm(column_type = "Text", nullable)]
    pub arch_override: Option<String>,
    /// Never resolve; treated as resolved by the scheduler.
    pub skip_resolution: bool,
    /// Maintained: newest visible finished build (see `db::last_build`).
    pub last_complete_build_id: Option<i32>,
    /// Maintained: state (3/5) of `last_complete_build_id`.
    pub last_complete_build_state: Option<i32>,
    /// Maintained: newest visible build.
    pub last_build_id: Option<i32>,
    /// Result of the last repo resolution; NULL = not attempted.
    pub resolved: Option<bool>,
    pub static_priority: i32,
    pub manual_priority: i32,
    pub build_priority: i32,
    pub dependency_priority: i32,
    pub tracked: bool,
    pub blocked: bool,
    /// 1 = no SRPM, 2 = no allowed arch.
    pub scheduler_skip_reason: Option<i32>,
}

/// Relations of `package`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::base_package::Entity",
        from = "Column::BaseId",
        to = "super::base_package::Column::Id",
        on_delete = "Cascade"
    )]
    BasePackage,
    #[sea_orm(
        belongs_to = "super::collection::Entity",
        from = "Column::CollectionId",
        to = "super::collection::Column::Id",
        on_delete = "Cascade"
    )]
    Collection,
    #[sea_orm(
        belongs_to = "super::build::Entity",
        from = "Column::LastBuildId",
        to = "super::build::Column::Id",
        on_delete = "SetNull"
    )]
    LastBuild,
    #[sea_orm(
        belongs_to = "super::build::Entity",
        from = "Column::LastCompleteBuildId",
        to = "super::build::Column::Id"
    )]
    LastCompleteBuild,
    /// All builds of the package (`build.package_id`).
    #[sea_orm(has_many = "super::build::Entity")]
    Builds,
    #[sea_orm(has_many = "super::unapplied_change::Entity")]
    UnappliedChanges,
    #[sea_orm(has_many = "super::resolution_change::Entity")]
    ResolutionChanges,
}

impl Related<super::base_package::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::BasePackage.def()
    }
}

impl Related<super::collection::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Collection.def()
    }
}

/// `Related<build>` means *all builds*; use [`LastBuild`] / [`LastCompleteBuild`] links for
/// the pointers.
impl Related<super::build::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Builds.def()
    }
}

impl Related<super::unapplied_change::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::UnappliedChanges.def()
    }
}

impl Related<super::resolution_change::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ResolutionChanges.def()
    }
}

/// Link package → its last build (`find_also_linked(package::LastBuild)`).
#[derive(Clone, Copy, Debug)]
pub struct LastBuild;

impl Linked for LastBuild {
    type FromEntity = Entity;
    type ToEntity = super::build::Entity;

    fn link(&self) -> Vec<RelationDef> {
        vec![Relation::LastBuild.def()]
    }
}

/// Link package → its last complete build.
#[derive(Clone, Copy, Debug)]
pub struct LastCompleteBuild;

impl Linked for LastCompleteBuild {
    type FromEntity = Entity;
    type ToEntity = super::build::Entity;

    fn link(&self) -> Vec<RelationDef> {
        vec![Relation::LastCompleteBuild.def()]
    }
}

impl Model {
    /// The package state string (§2.2) of this row.
    pub fn state(&self) -> super::states::PackageState {
        super::states::package_state(
            self.blocked,
            self.tracked,
            self.resolved,
            self.last_complete_build_state,
        )
    }

    /// Whether the package has a running build (`last_build_id` differs from
    /// `last_complete_build_id`, NULL-safe).
    pub fn has_running_build(&self) -> bool {
        self.last_build_id != self.last_complete_build_id
    }
}

impl ActiveModelBehavior for ActiveModel {}
