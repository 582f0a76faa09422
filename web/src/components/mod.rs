//! Reusable view pieces shared by the pages: page chrome, tabs, badges, pager.
//!
//! Components here take their data as props or from context; they never run queries
//! of their own except through the shared `Collections` resource.

mod build_time;
mod collection_tabs;
mod dep_changes;
mod layout;
mod pager;
mod state_badge;

pub use build_time::BuildTime;
pub use collection_tabs::CollectionTabs;
pub use dep_changes::DependencyChanges;
pub use layout::Layout;
pub use pager::Pager;
pub use state_badge::StateBadge;
