//! The package detail's objects: dependency changes, Koji subtasks, resolution history and
//! the paginated build history, plus the resolvers behind them (reads via
//! `db::package_detail`).

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::app;
use super::cursor;
use super::types::{Build, CollectionId};
use crate::db::entities::{collection, koji_task, package};
use crate::db::package_detail::{self, ChangeRow};
use crate::domain::changes::change_kind;
use crate::domain::priority::{current_priority, skip_reasons};
use crate::error::{ApiError, ApiResult};
use crate::koji::urls;
use crate::resolver::diff::ChangeKind;

/// How a dependency changed.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "crate::resolver::diff::ChangeKind")]
pub enum DependencyChangeKind {
    /// New dependency (no previous version).
    Added,
    /// No longer a dependency (no current version).
    Removed,
    /// The current version is newer (RPM order).
    Upgraded,
    /// The current version is older (RPM order).
    Downgraded,
    /// Same version by RPM order (e.g. only the architecture changed).
    Changed,
}

/// A change of one dependency between two resolutions.
#[derive(SimpleObject, Clone, Debug)]
pub struct DependencyChange {
    /// The dependency's (binary package's) name.
    pub dep_name: String,
    /// The previous `[epoch:]version-release` (null: added).
    pub prev_evr: Option<String>,
    /// The current `[epoch:]version-release` (null: removed).
    pub curr_evr: Option<String>,
    /// Distance from the package: 1 = direct BuildRequires, 2 and up = indirect; null =
    /// part of the minimal buildroot, too distant, a scriptlet dependency, or removed.
    pub distance: Option<i32>,
    /// Added, removed, upgraded or downgraded.
    pub kind: DependencyChangeKind,
}

impl From<ChangeRow> for DependencyChange {
    fn from(r: ChangeRow) -> Self {
        let kind: ChangeKind = change_kind(r.prev.as_ref(), r.curr.as_ref());
        DependencyChange {
            prev_evr: r.prev.as_ref().map(|e| e.display()),
            curr_evr: r.curr.as_ref().map(|e| e.display()),
            dep_name: r.name,
            distance: r.distance,
            kind: kind.into(),
        }
    }
}

/// Koji's state of a task.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum KojiTaskState {
    /// Waiting for a builder.
    Free,
    /// Running.
    Open,
    /// Finished successfully.
    Closed,
    /// Canceled.
    Canceled,
    /// Assigned to a builder.
    Assigned,
    /// Failed.
    Failed,
}

/// Where a build's Koji links point.
#[derive(Clone, Debug)]
pub struct KojiLinks {
    /// Koji web UI.
    pub weburl: String,
    /// Koji file tree.
    pub topurl: String,
}

/// A Koji `buildArch` subtask of a build.
pub struct KojiTask {
    /// The row.
    pub task: koji_task::Model,
    /// The instance it ran on.
    pub koji: KojiLinks,
}

#[Object]
impl KojiTask {
    /// Koji task id.
    async fn task_id(&self) -> i32 {
        self.task.task_id
    }
    /// Architecture, e.g. `x86_64`, `noarch`.
    async fn arch(&self) -> &str {
        &self.task.arch
    }
    /// Koji's task state.
    async fn state(&self) -> ApiResult<KojiTaskState> {
        Ok(match self.task.state {
            0 => KojiTaskState::Free,
            1 => KojiTaskState::Open,
            2 => KojiTaskState::Closed,
            3 => KojiTaskState::Canceled,
            4 => KojiTaskState::Assigned,
            5 => KojiTaskState::Failed,
            other => {
                return Err(ApiError::internal(anyhow::anyhow!(
                    "koji task {} has unknown state {other}",
                    self.task.id
                )));
            }
        })
    }
    /// When it started.
    async fn started(&self) -> DateTime<Utc> {
        self.task.started
    }
    /// When it finished.
    async fn finished(&self) -> Option<DateTime<Utc>> {
        self.task.finished
    }
    /// The task on the Koji web UI.
    async fn task_url(&self) -> String {
        urls::taskinfo_url(&self.koji.weburl, i64::from(self.task.task_id))
    }
    /// Its `build.log`.
    async fn build_log_url(&self) -> String {
        urls::task_log_url(&self.koji.topurl, i64::from(self.task.task_id), "build.log")
    }
    /// Its `root.log`.
    async fn root_log_url(&self) -> String {
        urls::task_log_url(&self.koji.topurl, i64::from(self.task.task_id), "root.log")
    }
}

/// A change of whether a package's build dependencies can be installed.
#[derive(SimpleObject, Clone, Debug)]
pub struct ResolutionChange {
    /// Installable from then on.
    pub resolved: bool,
    /// When it was recorded.
    pub timestamp: DateTime<Utc>,
    /// The solver's problems when not installable.
    pub problems: Vec<String>,
}

/// Extra fields of the build connection.
#[derive(SimpleObject)]
pub struct BuildCount {
    /// Builds of the package, on all pages.
    pub total_count: u64,
}

/// Pages of a package's builds.
pub type BuildConnection = Connection<String, Build, BuildCount>;

/// Build history page of a package.
pub(super) async fn builds(
    ctx: &Context<'_>,
    package_id: i32,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<BuildConnection> {
    let app = app(ctx);
    let max = app.config.graphql.max_page_size;
    let limit = match first {
        None => app.config.frontend.builds_per_page.min(max),
        Some(n) if n < 0 => {
            return Err(ApiError::BadUserInput("`first` must not be negative".to_owned()));
        }
        Some(n) if n as usize > max => {
            return Err(ApiError::BadUserInput(format!("`first` must be at most {max}")));
        }
        Some(n) => n as usize,
    };
    let after_id = after
        .map(|c| {
            cursor::decode_build(&c)
                .ok_or_else(|| ApiError::BadUserInput("`after` is not a valid cursor".to_owned()))
        })
        .transpose()?;
    let page = package_detail::builds_page(&app.db, package_id, after_id, limit as u64)
        .await?
        .ok_or_else(|| {
            ApiError::BadUserInput("`after` is not a build of this package".to_owned())
        })?;
    let mut conn = Connection::with_additional_fields(
        after_id.is_some(),
        page.has_next,
        BuildCount { total_count: page.total },
    );
    conn.edges
        .extend(page.builds.into_iter().map(|b| Edge::new(cursor::encode_build(b.id), Build(b))));
    Ok(conn)
}

/// Newest resolution changes of a package.
pub(super) async fn resolution_history(
    ctx: &Context<'_>,
    package_id: i32,
    first: i32,
) -> ApiResult<Vec<ResolutionChange>> {
    let max = app(ctx).config.graphql.max_page_size;
    let limit = usize::try_from(first)
        .ok()
        .filter(|n| *n <= max)
        .ok_or_else(|| ApiError::BadUserInput(format!("`first` must be 0 to {max}")))?;
    let rows = package_detail::resolution_history(&app(ctx).db, package_id, limit as u64).await?;
    Ok(rows
        .into_iter()
        .map(|r| ResolutionChange {
            resolved: r.resolved,
            timestamp: r.timestamp,
            problems: r.problems,
        })
        .collect())
}

/// The package's current priority (None when unschedulable) and its skip-reason texts.
pub(super) async fn scheduling(
    ctx: &Context<'_>,
    p: &package::Model,
) -> ApiResult<(Option<i64>, Vec<String>)> {
    let app = app(ctx);
    let loader =
        ctx.data_unchecked::<async_graphql::dataloader::DataLoader<super::loaders::DbLoader>>();
    let c: collection::Model =
        loader.load_one(CollectionId(p.collection_id)).await?.ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!("collection of package {} vanished", p.id))
        })?;
    let (ps, cs) = package_detail::priority_inputs(&app.db, p, &c).await?;
    let now = Utc::now();
    let priority = current_priority(&app.config.priorities, &ps, &cs, now).ok();
    let reasons =
        skip_reasons(&ps, &cs, now).into_iter().map(|r| r.text(&c.display_name)).collect();
    Ok((priority, reasons))
}
