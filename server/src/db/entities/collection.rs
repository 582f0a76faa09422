//! `collection`: one Koji configuration (≈ a Fedora release). Row shape only.

use sea_orm::entity::prelude::*;

/// A collection row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "collection")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Display order only (default 100).
    pub order: i32,
    /// Machine name, e.g. `f40` (URLs, messages).
    #[sea_orm(column_type = "Text", unique)]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub display_name: String,
    /// Read data from the secondary Koji, build on the primary.
    pub secondary_mode: bool,
    /// Koji build target for scratch builds.
    #[sea_orm(column_type = "Text")]
    pub target: String,
    /// Tag for the package list, real builds and SRPMs.
    #[sea_orm(column_type = "Text")]
    pub dest_tag: String,
    /// The target's build tag.
    #[sea_orm(column_type = "Text")]
    pub build_tag: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub bugzilla_product: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub bugzilla_version: Option<String>,
    /// Multiplies the dynamic priority (default 1).
    pub priority_coefficient: f64,
    /// Comps group of the minimal buildroot (default `build`).
    #[sea_orm(column_type = "Text")]
    pub build_group: String,
    /// Koji repo id last processed by repo_resolver (secondary id in secondary mode).
    pub latest_repo_id: Option<i32>,
    /// Whether the build group was installable in that repo; NULL iff `latest_repo_id` is NULL.
    pub latest_repo_resolved: Option<bool>,
    /// Register real builds also for untracked packages (default true).
    pub poll_untracked: bool,
}

/// Relations of `collection`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::package::Entity")]
    Packages,
    #[sea_orm(has_many = "super::buildroot_problem::Entity")]
    BuildrootProblems,
}

impl Related<super::package::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Packages.def()
    }
}

impl Related<super::buildroot_problem::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::BuildrootProblems.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
