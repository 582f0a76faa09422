//! Hand-written sea-orm entities, one module per table of the Koschei schema (see the
//! `migration` crate, which is the source of truth for columns and constraints).
//!
//! Entities only describe rows and relations. They must not be used to change `build` rows or
//! `package.blocked` directly: go through `db::builds` / `db::packages`, which maintain the
//! denormalized fields (`package.last_build_id`, `last_complete_build_*`, `build.last_complete`,
//! `base_package.all_blocked`) the original kept with triggers.

pub mod admin_notice;
pub mod applied_change;
pub mod base_package;
pub mod build;
pub mod build_group;
pub mod buildroot_problem;
pub mod collection;
pub mod collection_group;
pub mod collection_group_relation;
pub mod copr_rebuild;
pub mod copr_rebuild_request;
pub mod copr_resolution_change;
pub mod dependency;
pub mod group_acl;
pub mod koji_task;
pub mod log_entry;
pub mod package;
pub mod package_group;
pub mod package_group_relation;
pub mod repo_mapping;
pub mod resolution_change;
pub mod resolution_problem;
pub mod resource_consumption_stats;
pub mod scalar_stats;
#[cfg(test)]
mod schema_tests;
pub mod service_status;
pub mod states;
pub mod unapplied_change;
pub mod user;

/// Entity types under their table's CamelCase name, e.g. `prelude::Build`.
pub mod prelude {
    pub use super::admin_notice::Entity as AdminNotice;
    pub use super::applied_change::Entity as AppliedChange;
    pub use super::base_package::Entity as BasePackage;
    pub use super::build::Entity as Build;
    pub use super::build_group::Entity as BuildGroup;
    pub use super::buildroot_problem::Entity as BuildrootProblem;
    pub use super::collection::Entity as Collection;
    pub use super::collection_group::Entity as CollectionGroup;
    pub use super::collection_group_relation::Entity as CollectionGroupRelation;
    pub use super::copr_rebuild::Entity as CoprRebuild;
    pub use super::copr_rebuild_request::Entity as CoprRebuildRequest;
    pub use super::copr_resolution_change::Entity as CoprResolutionChange;
    pub use super::dependency::Entity as Dependency;
    pub use super::group_acl::Entity as GroupAcl;
    pub use super::koji_task::Entity as KojiTask;
    pub use super::log_entry::Entity as LogEntry;
    pub use super::package::Entity as Package;
    pub use super::package_group::Entity as PackageGroup;
    pub use super::package_group_relation::Entity as PackageGroupRelation;
    pub use super::repo_mapping::Entity as RepoMapping;
    pub use super::resolution_change::Entity as ResolutionChange;
    pub use super::resolution_problem::Entity as ResolutionProblem;
    pub use super::resource_consumption_stats::Entity as ResourceConsumptionStats;
    pub use super::scalar_stats::Entity as ScalarStats;
    pub use super::service_status::Entity as ServiceStatus;
    pub use super::unapplied_change::Entity as UnappliedChange;
    pub use super::user::Entity as User;
}
