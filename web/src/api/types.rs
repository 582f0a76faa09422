//! Serde mirrors of the GraphQL types the app reads (see schema.graphql).
//!
//! Only the fields the queries in `web/graphql/` select are here; this is not a full schema.

use serde::{Deserialize, Serialize};

/// A package's state string (first matching rule wins on the server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PackageState {
    /// The last complete build succeeded.
    Ok,
    /// The last complete build failed.
    Failing,
    /// The build dependencies cannot be installed.
    Unresolved,
    /// Blocked in Koji.
    Blocked,
    /// Not tracked by Koschei.
    Untracked,
    /// None of the above (for example, no build yet). Also used for states this client
    /// does not know.
    #[serde(other)]
    Unknown,
}

impl PackageState {
    /// Every state, in the order filters list them.
    pub const ALL: [Self; 6] =
        [Self::Ok, Self::Failing, Self::Unresolved, Self::Unknown, Self::Blocked, Self::Untracked];

    /// The lower-case name used in the UI, in URLs and in `data-state` attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failing => "failing",
            Self::Unresolved => "unresolved",
            Self::Blocked => "blocked",
            Self::Untracked => "untracked",
            Self::Unknown => "unknown",
        }
    }

    /// Parses the lower-case name (case-insensitively); `None` for anything else.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

/// Whether a build is still running and how it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BuildState {
    /// Still running in Koji.
    Running,
    /// Finished successfully.
    Complete,
    /// Finished with a failure.
    Failed,
    /// Finished without a usable result (also any state this client does not know).
    #[serde(other)]
    Inconclusive,
}

/// Whether a collection's base buildroot is installable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CollectionState {
    /// The base buildroot is installable.
    Ok,
    /// The base buildroot cannot be installed.
    Unresolved,
    /// Not resolved yet (also any state this client does not know).
    #[serde(other)]
    Unknown,
}

/// A collection (a distro release / Koji target).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    /// Database id.
    pub id: i64,
    /// Machine name used in URLs, e.g. `f40`.
    pub name: String,
    /// Name shown to people, e.g. "Fedora 40".
    pub display_name: String,
    /// Sort key (higher first).
    pub order: i64,
    /// Koji build target.
    pub target: String,
    /// Koji build tag.
    pub build_tag: String,
    /// Koji destination tag.
    pub dest_tag: String,
    /// Whether the base buildroot is installable.
    pub state: CollectionState,
    /// Dependency problems of the base buildroot, if any.
    #[serde(default)]
    pub buildroot_problems: Vec<String>,
}

/// The part of a collection a package row needs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectionRef {
    /// Machine name.
    pub name: String,
    /// Name shown to people.
    pub display_name: String,
}

/// The part of a build a package row needs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildSummary {
    /// Koji task id.
    pub task_id: i64,
    /// Build state.
    pub state: BuildState,
    /// Start time, RFC 3339 UTC.
    pub started: String,
    /// Version of the built SRPM, once known.
    pub version: Option<String>,
    /// Release of the built SRPM, once known.
    pub release: Option<String>,
}

impl BuildSummary {
    /// `version-release`, or `None` while either is unknown.
    pub fn version_release(&self) -> Option<String> {
        match (&self.version, &self.release) {
            (Some(version), Some(release)) => Some(format!("{version}-{release}")),
            _ => None,
        }
    }
}

/// One row of the package list: a package in one collection.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageRow {
    /// Database id (unique across collections); subscription events refer to it.
    pub id: i64,
    /// Package name.
    pub name: String,
    /// State string.
    pub state: PackageState,
    /// Whether Koschei tracks the package.
    pub tracked: bool,
    /// Whether the last build is still running.
    pub has_running_build: bool,
    /// The collection this row belongs to.
    pub collection: CollectionRef,
    /// The last build, possibly still running.
    pub last_build: Option<BuildSummary>,
}

/// Relay page information.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    /// More rows exist before this page.
    pub has_previous_page: bool,
    /// More rows exist after this page.
    pub has_next_page: bool,
    /// Cursor of the first row.
    pub start_cursor: Option<String>,
    /// Cursor of the last row.
    pub end_cursor: Option<String>,
}

/// One page of packages plus the total count of matching packages.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackagePage {
    /// Number of packages matching the filter, on all pages.
    pub total_count: i64,
    /// Paging cursors.
    pub page_info: PageInfo,
    /// The rows of this page.
    pub nodes: Vec<PackageRow>,
}

/// The `PackageFilter` input.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageFilter {
    /// Case-insensitive name substring; `*` is a wildcard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    /// Only these states; `None` means no state filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub states: Option<Vec<PackageState>>,
    /// Also list untracked packages.
    pub include_untracked: bool,
}

/// A `packageStateChanged` subscription event.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageEvent {
    /// Id of the package (as in [`PackageRow::id`]).
    pub package_id: i64,
    /// Package name.
    pub name: String,
    /// Collection name.
    pub collection: String,
    /// The new state.
    pub state: PackageState,
    /// The state before the change, if there was one.
    pub previous_state: Option<PackageState>,
}

/// How a dependency changed (decided by the server by RPM version order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChangeKind {
    /// New dependency.
    Added,
    /// Dropped dependency.
    Removed,
    /// Newer version.
    Upgraded,
    /// Older version.
    Downgraded,
    /// Same version by RPM order (also any kind this client does not know).
    #[serde(other)]
    Changed,
}

impl ChangeKind {
    /// Lower-case name for `data-kind` attributes and CSS.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Upgraded => "upgraded",
            Self::Downgraded => "downgraded",
            Self::Changed => "changed",
        }
    }

    /// The direction icon shown between the versions.
    pub fn icon(self) -> &'static str {
        match self {
            Self::Added => "+",
            Self::Removed => "−",
            Self::Upgraded => "↑",
            Self::Downgraded => "↓",
            Self::Changed => "≠",
        }
    }
}

/// One dependency change.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DependencyChange {
    /// Dependency name.
    pub dep_name: String,
    /// Previous `[E:]V-R`, absent when added.
    pub prev_evr: Option<String>,
    /// Current `[E:]V-R`, absent when removed.
    pub curr_evr: Option<String>,
    /// 1 = direct build dependency; `None` = buildroot, distant, or removed.
    pub distance: Option<i64>,
    /// Added / removed / upgraded / downgraded.
    pub kind: ChangeKind,
}

/// Koji's state of a subtask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KojiTaskState {
    /// Waiting.
    Free,
    /// Running.
    Open,
    /// Succeeded.
    Closed,
    /// Canceled.
    Canceled,
    /// Assigned to a builder.
    Assigned,
    /// Failed (also any state this client does not know).
    #[serde(other)]
    Failed,
}

impl KojiTaskState {
    /// Lower-case name for CSS.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Open => "open",
            Self::Closed => "closed",
            Self::Canceled => "canceled",
            Self::Assigned => "assigned",
            Self::Failed => "failed",
        }
    }
}

/// A Koji `buildArch` subtask.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KojiTask {
    /// Koji task id.
    pub task_id: i64,
    /// Architecture.
    pub arch: String,
    /// Koji state.
    pub state: KojiTaskState,
    /// Koji web page of the task.
    pub task_url: String,
    /// `build.log` URL.
    pub build_log_url: String,
    /// `root.log` URL.
    pub root_log_url: String,
}

/// One build in a package's history.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildRow {
    /// Database id.
    pub id: i64,
    /// Koji task id.
    pub task_id: i64,
    /// Koji web page of the task.
    pub task_url: String,
    /// Build state.
    pub state: BuildState,
    /// Start time, RFC 3339 UTC.
    pub started: String,
    /// End time, RFC 3339 UTC.
    pub finished: Option<String>,
    /// SRPM epoch.
    pub epoch: Option<i64>,
    /// SRPM version.
    pub version: Option<String>,
    /// SRPM release.
    pub release: Option<String>,
    /// Koji repo used.
    pub repo_id: Option<i64>,
    /// A maintainer's real build.
    pub real: bool,
    /// No longer tagged in Koji.
    pub untagged: bool,
    /// Whether its dependency changes were processed (None: not yet).
    pub deps_resolved: Option<bool>,
    /// Arch subtasks.
    pub koji_tasks: Vec<KojiTask>,
    /// Changes from the previous build.
    pub dependency_changes: Vec<DependencyChange>,
}

impl BuildState {
    /// Lower-case name for `data-state` attributes and CSS.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Complete => "complete",
            Self::Failed => "failed",
            Self::Inconclusive => "inconclusive",
        }
    }
}

impl BuildRow {
    /// `[E:]version-release`, or `None` while unknown.
    pub fn evr(&self) -> Option<String> {
        let (version, release) = (self.version.as_ref()?, self.release.as_ref()?);
        Some(match self.epoch {
            Some(epoch) if epoch != 0 => format!("{epoch}:{version}-{release}"),
            _ => format!("{version}-{release}"),
        })
    }
}

/// A page of builds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildPage {
    /// Builds on all pages.
    pub total_count: i64,
    /// Paging cursors.
    pub page_info: PageInfo,
    /// The builds, newest first.
    pub nodes: Vec<BuildRow>,
}

/// A recorded change of installability.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolutionChange {
    /// Installable from then on.
    pub resolved: bool,
    /// When, RFC 3339 UTC.
    pub timestamp: String,
    /// Problems when not installable.
    pub problems: Vec<String>,
}

/// The package in another collection (state overview).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageElsewhere {
    /// Its state there.
    pub state: PackageState,
    /// That collection.
    pub collection: CollectionRef,
}

/// Everything the package page shows.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageDetail {
    /// Database id (subscription events refer to it).
    pub id: i64,
    /// Package name.
    pub name: String,
    /// State string.
    pub state: PackageState,
    /// Tracked by Koschei.
    pub tracked: bool,
    /// Blocked in Koji.
    pub blocked: bool,
    /// Result of the last resolution.
    pub resolved: Option<bool>,
    /// Resolution is skipped.
    pub skip_resolution: bool,
    /// Arch override.
    pub arch_override: Option<String>,
    /// Manual priority.
    pub manual_priority: i64,
    /// Static priority.
    pub static_priority: i64,
    /// Priority from dependency changes.
    pub dependency_priority: i64,
    /// Priority from failures.
    pub build_priority: i64,
    /// Current priority, `None` when not schedulable.
    pub current_priority: Option<i64>,
    /// Why it is not schedulable.
    pub skip_reasons: Vec<String>,
    /// A build is running.
    pub has_running_build: bool,
    /// Its collection.
    pub collection: CollectionRef,
    /// The package in every collection that has it.
    pub in_collections: Vec<PackageElsewhere>,
    /// Changes since the last build.
    pub dependency_changes: Vec<DependencyChange>,
    /// Current resolution problems.
    pub resolution_problems: Vec<String>,
    /// Recent resolution changes.
    pub resolution_history: Vec<ResolutionChange>,
    /// Build history page.
    pub builds: BuildPage,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_their_names() {
        for state in PackageState::ALL {
            assert_eq!(PackageState::from_name(state.as_str()), Some(state));
        }
        assert_eq!(PackageState::from_name(" Failing "), Some(PackageState::Failing));
        assert_eq!(PackageState::from_name("broken"), None);
    }

    #[test]
    fn states_use_graphql_enum_names_and_unknown_values_become_unknown() {
        let states: Vec<PackageState> =
            serde_json::from_str(r#"["OK","UNRESOLVED","RETIRED"]"#).unwrap();
        assert_eq!(states, [PackageState::Ok, PackageState::Unresolved, PackageState::Unknown]);
        let json = serde_json::to_string(&PackageFilter {
            states: Some(vec![PackageState::Failing]),
            ..PackageFilter::default()
        })
        .unwrap();
        assert_eq!(json, r#"{"states":["FAILING"],"includeUntracked":false}"#);
    }

    #[test]
    fn a_package_detail_decodes_with_its_changes_and_builds() {
        let json = r#"{"id":3,"name":"rnv","state":"FAILING","tracked":true,"blocked":false,
          "resolved":true,"skipResolution":false,"archOverride":null,"manualPriority":0,
          "staticPriority":0,"dependencyPriority":40,"buildPriority":0,"currentPriority":null,
          "skipReasons":["Package has a running build"],"hasRunningBuild":true,
          "collection":{"name":"f40","displayName":"Fedora 40"},
          "inCollections":[{"state":"FAILING","collection":{"name":"f40","displayName":"Fedora 40"}}],
          "dependencyChanges":[{"depName":"expat","prevEvr":"2.5-1","currEvr":"1:2.6-1",
            "distance":1,"kind":"UPGRADED"},{"depName":"x","prevEvr":null,"currEvr":"1-1",
            "distance":null,"kind":"SIDEWAYS"}],
          "resolutionProblems":[],"resolutionHistory":[],
          "builds":{"totalCount":1,"pageInfo":{"hasPreviousPage":false,"hasNextPage":false,
            "startCursor":"a","endCursor":"a"},"nodes":[{"id":9,"taskId":90,
            "taskUrl":"https://koji/taskinfo?taskID=90","state":"FAILED",
            "started":"2026-01-01T00:00:00Z","finished":null,"epoch":2,"version":"1.0",
            "release":"1.fc40","repoId":5,"real":false,"untagged":false,"depsResolved":null,
            "kojiTasks":[],"dependencyChanges":[]}]}}"#;
        let detail: PackageDetail = serde_json::from_str(json).unwrap();
        assert_eq!(detail.dependency_changes[0].kind, ChangeKind::Upgraded);
        assert_eq!(detail.dependency_changes[1].kind, ChangeKind::Changed, "unknown kinds");
        assert_eq!(detail.builds.nodes[0].evr().as_deref(), Some("2:1.0-1.fc40"));
        assert_eq!(detail.builds.nodes[0].state.as_str(), "failed");
    }

    #[test]
    fn version_release_needs_both_parts() {
        let mut build = BuildSummary {
            task_id: 1,
            state: BuildState::Running,
            started: "2026-11-25T01:02:03Z".into(),
            version: Some("1.0".into()),
            release: None,
        };
        assert_eq!(build.version_release(), None);
        build.release = Some("2.fc40".into());
        assert_eq!(build.version_release().as_deref(), Some("1.0-2.fc40"));
    }
}
