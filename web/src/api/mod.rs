//! The web app's GraphQL client: typed queries against `POST /graphql` and the live
//! `packageStateChanged` subscription over `/graphql/ws`.
//!
//! Pages call the functions re-exported here and never build GraphQL requests themselves.
//! This module must not touch the DOM or any reactive state: it only moves data.

mod client;
mod error;
pub mod live;
mod queries;
mod types;

pub use error::ApiError;
pub use queries::{PackageVars, PackagesVars, collections, package, packages};
pub use types::{
    BuildPage, BuildRow, Collection, CollectionState, DependencyChange, PackageDetail,
    PackageFilter, PackagePage, PackageRow, PackageState, PageInfo, ResolutionChange,
};
