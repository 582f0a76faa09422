//! The operations the pages run; the GraphQL text lives in `web/graphql/*.graphql`.
//!
//! Each function here sends exactly one operation and returns typed data; no caching.

use serde::{Deserialize, Serialize};

use super::client::request;
use super::error::ApiError;
use super::types::{Collection, PackageDetail, PackageFilter, PackagePage};

const COLLECTIONS: &str = include_str!("../../graphql/collections.graphql");
const PACKAGES: &str = include_str!("../../graphql/packages.graphql");
const PACKAGE: &str = include_str!("../../graphql/package.graphql");
/// The subscription document used by `live.rs`.
pub(super) const PACKAGE_STATE_CHANGED: &str =
    include_str!("../../graphql/package_state_changed.graphql");

#[derive(Serialize)]
struct NoVariables {}

#[derive(Deserialize)]
struct CollectionsData {
    collections: Vec<Collection>,
}

/// All collections in the global order (order desc, then name desc).
pub async fn collections() -> Result<Vec<Collection>, ApiError> {
    let data: CollectionsData = request(COLLECTIONS, &NoVariables {}).await?;
    Ok(data.collections)
}

/// Variables of the `Packages` query: which collection, which filter, which page.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackagesVars {
    /// Collection name; `None` lists all collections.
    pub collection: Option<String>,
    /// Name/state/untracked filter.
    pub filter: PackageFilter,
    /// Page size when paging forward.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<i32>,
    /// Cursor to page forward from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Page size when paging backward.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<i32>,
    /// Cursor to page backward from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
}

#[derive(Deserialize)]
struct PackagesData {
    packages: PackagePage,
}

/// One page of packages.
pub async fn packages(vars: &PackagesVars) -> Result<PackagePage, ApiError> {
    let data: PackagesData = request(PACKAGES, vars).await?;
    Ok(data.packages)
}

/// Variables of the `Package` query.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageVars {
    /// Collection name; `None` lets the server pick the first collection that has it.
    pub collection: Option<String>,
    /// Package name.
    pub name: String,
    /// Builds per page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<i32>,
    /// Build-history cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

#[derive(Deserialize)]
struct PackageData {
    package: PackageDetail,
}

/// One package with its changes and a page of its build history.
pub async fn package(vars: &PackageVars) -> Result<PackageDetail, ApiError> {
    let data: PackageData = request(PACKAGE, vars).await?;
    Ok(data.package)
}
