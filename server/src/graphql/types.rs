//! GraphQL object types over the database rows. Resolvers here only read, through
//! DataLoaders so a page of packages costs a fixed number of queries.

use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Enum, Object, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::app;
use super::detail::{BuildConnection, DependencyChange, KojiLinks, KojiTask, ResolutionChange};
use super::loaders::DbLoader;
use crate::db::entities::{build, buildroot_problem, collection, package, states};
use crate::error::{ApiError, ApiResult};
use crate::koji::urls;

/// A package's state (first matching rule wins): blocked, untracked, unresolved, ok,
/// failing, unknown.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "states::PackageState")]
pub enum PackageState {
    /// The last complete build succeeded.
    Ok,
    /// The last complete build failed.
    Failing,
    /// The build dependencies cannot be installed.
    Unresolved,
    /// Blocked in (or missing from) the Koji tag.
    Blocked,
    /// Koschei does not build this package.
    Untracked,
    /// No complete build yet.
    Unknown,
}

impl PackageState {
    /// Parses the original's state string.
    pub fn from_str_opt(s: &str) -> Option<Self> {
        Some(match s {
            "ok" => PackageState::Ok,
            "failing" => PackageState::Failing,
            "unresolved" => PackageState::Unresolved,
            "blocked" => PackageState::Blocked,
            "untracked" => PackageState::Untracked,
            "unknown" => PackageState::Unknown,
            _ => return None,
        })
    }
}

/// State of a build.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "states::BuildState")]
pub enum BuildState {
    /// Submitted, not finished.
    Running,
    /// Finished successfully.
    Complete,
    /// Finished with a failure.
    Failed,
    /// Ended without a verdict (Koji fault, timeout, missing repo); retried later.
    Inconclusive,
}

/// Whether a collection's base buildroot (its build group) is installable.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum CollectionState {
    /// Installable in the latest repo.
    Ok,
    /// Not installable; see `buildrootProblems`.
    Unresolved,
    /// Not resolved yet.
    Unknown,
}

/// A collection: one Koji build target followed by Koschei (about one distribution
/// release).
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Collection {
    /// Database id.
    pub id: i32,
    /// Machine name, used in URLs, e.g. `f40`.
    pub name: String,
    /// Human name, e.g. "Fedora 40".
    pub display_name: String,
    /// Display order (higher first).
    pub order: i32,
    /// Koji build target of scratch builds.
    pub target: String,
    /// The target's build tag.
    pub build_tag: String,
    /// Tag of the package list, real builds and SRPMs.
    pub dest_tag: String,
    /// Comps group of the minimal buildroot.
    pub build_group: String,
    /// Multiplies the dynamic priority.
    pub priority_coefficient: f64,
    /// Reads from the secondary Koji and builds on the primary.
    pub secondary_mode: bool,
    /// Registers real builds of untracked packages too.
    pub poll_untracked: bool,
    /// Bugzilla product for bug reports.
    pub bugzilla_product: Option<String>,
    /// Bugzilla version for bug reports.
    pub bugzilla_version: Option<String>,
    /// Koji repo last resolved.
    pub latest_repo_id: Option<i32>,
    /// Whether the base buildroot is installable.
    pub state: CollectionState,
}

impl From<collection::Model> for Collection {
    fn from(m: collection::Model) -> Self {
        let state = match m.latest_repo_resolved {
            Some(true) => CollectionState::Ok,
            Some(false) => CollectionState::Unresolved,
            None => CollectionState::Unknown,
        };
        Collection {
            id: m.id,
            name: m.name,
            display_name: m.display_name,
            order: m.order,
            target: m.target,
            build_tag: m.build_tag,
            dest_tag: m.dest_tag,
            build_group: m.build_group,
            priority_coefficient: m.priority_coefficient,
            secondary_mode: m.secondary_mode,
            poll_untracked: m.poll_untracked,
            bugzilla_product: m.bugzilla_product,
            bugzilla_version: m.bugzilla_version,
            latest_repo_id: m.latest_repo_id,
            state,
        }
    }
}

#[ComplexObject]
impl Collection {
    /// Why the base buildroot is not installable (empty when it is).
    async fn buildroot_problems(&self, ctx: &Context<'_>) -> ApiResult<Vec<String>> {
        let rows = buildroot_problem::Entity::find()
            .filter(buildroot_problem::Column::CollectionId.eq(self.id))
            .order_by_asc(buildroot_problem::Column::Id)
            .all(&app(ctx).db)
            .await?;
        Ok(rows.into_iter().map(|r| r.problem).collect())
    }
}

/// A build: a Koschei scratch build or a maintainer's real build.
pub struct Build(pub build::Model);

#[Object]
impl Build {
    /// Database id.
    async fn id(&self) -> i32 {
        self.0.id
    }
    /// Koji task id.
    async fn task_id(&self) -> i32 {
        self.0.task_id
    }
    /// Build state.
    async fn state(&self) -> ApiResult<BuildState> {
        states::BuildState::try_from(self.0.state).map(Into::into).map_err(|_| {
            ApiError::internal(anyhow::anyhow!(
                "build {} has unknown state {}",
                self.0.id,
                self.0.state
            ))
        })
    }
    /// When the Koji task was created.
    async fn started(&self) -> DateTime<Utc> {
        self.0.started
    }
    /// When it finished.
    async fn finished(&self) -> Option<DateTime<Utc>> {
        self.0.finished
    }
    /// Epoch of the SRPM built (null means 0).
    async fn epoch(&self) -> Option<i32> {
        self.0.epoch
    }
    /// Version of the SRPM built.
    async fn version(&self) -> Option<&str> {
        self.0.version.as_deref()
    }
    /// Release of the SRPM built.
    async fn release(&self) -> Option<&str> {
        self.0.release.as_deref()
    }
    /// Koji repo the build used.
    async fn repo_id(&self) -> Option<i32> {
        self.0.repo_id
    }
    /// Whether its dependencies were processed: true = `dependencyChanges` are known,
    /// false = they could not be processed, null = not processed yet.
    async fn deps_resolved(&self) -> Option<bool> {
        self.0.deps_resolved
    }
    /// Its Koji task on the Koji web UI.
    async fn task_url(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let koji = koji_of(ctx, &self.0).await?;
        Ok(urls::taskinfo_url(&koji.weburl, i64::from(self.0.task_id)))
    }
    /// Dependency changes from the previous build, by distance (unknown last), then name.
    async fn dependency_changes(&self, ctx: &Context<'_>) -> ApiResult<Vec<DependencyChange>> {
        let loader = ctx.data_unchecked::<DataLoader<DbLoader>>();
        let rows = loader.load_one(BuildChangesOf(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(Into::into).collect())
    }
    /// Its Koji `buildArch` subtasks, by arch.
    async fn koji_tasks(&self, ctx: &Context<'_>) -> ApiResult<Vec<KojiTask>> {
        let loader = ctx.data_unchecked::<DataLoader<DbLoader>>();
        let rows = loader.load_one(KojiTasksOf(self.0.id)).await?.unwrap_or_default();
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let koji = koji_of(ctx, &self.0).await?;
        Ok(rows.into_iter().map(|task| KojiTask { task, koji: koji.clone() }).collect())
    }
    /// A maintainer's real build rather than a Koschei scratch build.
    async fn real(&self) -> bool {
        self.0.real
    }
    /// No longer tagged (or deleted) in Koji.
    async fn untagged(&self) -> bool {
        self.0.untagged
    }
}

/// A package in one collection.
pub struct Package(pub package::Model);

impl Package {
    /// The state string, by the original's precedence rules.
    pub fn state(&self) -> PackageState {
        let p = &self.0;
        states::package_state(p.blocked, p.tracked, p.resolved, p.last_complete_build_state).into()
    }
}

#[Object]
impl Package {
    /// Database id.
    async fn id(&self) -> i32 {
        self.0.id
    }
    /// Package name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The collection it belongs to.
    async fn collection(&self, ctx: &Context<'_>) -> ApiResult<Collection> {
        let loader = ctx.data_unchecked::<DataLoader<DbLoader>>();
        let found: Option<collection::Model> =
            loader.load_one(CollectionId(self.0.collection_id)).await?;
        found.map(Into::into).ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!(
                "collection {} of package {} vanished",
                self.0.collection_id,
                self.0.id
            ))
        })
    }
    /// Current state.
    #[graphql(name = "state")]
    async fn state_field(&self) -> PackageState {
        self.state()
    }
    /// Koschei builds and resolves it.
    async fn tracked(&self) -> bool {
        self.0.tracked
    }
    /// Blocked in (or missing from) the Koji tag.
    async fn blocked(&self) -> bool {
        self.0.blocked
    }
    /// Result of the last resolution (null: not resolved yet).
    async fn resolved(&self) -> Option<bool> {
        self.0.resolved
    }
    /// Never resolved; treated as resolved by the scheduler.
    async fn skip_resolution(&self) -> bool {
        self.0.skip_resolution
    }
    /// Architectures to build on (`^`-prefixed: architectures to exclude).
    async fn arch_override(&self) -> Option<&str> {
        self.0.arch_override.as_deref()
    }
    /// One-shot priority set by a user.
    async fn manual_priority(&self) -> i32 {
        self.0.manual_priority
    }
    /// Permanent priority set by an admin.
    async fn static_priority(&self) -> i32 {
        self.0.static_priority
    }
    /// Priority from dependency changes since the last build.
    async fn dependency_priority(&self) -> i32 {
        self.0.dependency_priority
    }
    /// Priority from failures.
    async fn build_priority(&self) -> i32 {
        self.0.build_priority
    }
    /// A build is running.
    async fn has_running_build(&self) -> bool {
        self.0.last_build_id != self.0.last_complete_build_id
    }
    /// The newest build, possibly running.
    async fn last_build(&self, ctx: &Context<'_>) -> ApiResult<Option<Build>> {
        load_build(ctx, self.0.last_build_id).await
    }
    /// The newest finished build.
    async fn last_complete_build(&self, ctx: &Context<'_>) -> ApiResult<Option<Build>> {
        load_build(ctx, self.0.last_complete_build_id).await
    }
    /// Its builds, newest first (by start time), with cursor pagination. Meant for one
    /// package at a time.
    async fn builds(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<BuildConnection> {
        super::detail::builds(ctx, self.0.id, first, after).await
    }
    /// Dependency changes since the last build (what `dependencyPriority` comes from), by
    /// distance (unknown last), then name.
    async fn dependency_changes(&self, ctx: &Context<'_>) -> ApiResult<Vec<DependencyChange>> {
        let loader = ctx.data_unchecked::<DataLoader<DbLoader>>();
        let rows = loader.load_one(PackageChangesOf(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(Into::into).collect())
    }
    /// Why the build dependencies cannot be installed: the problems of the last resolution
    /// (empty unless the state is unresolved).
    async fn resolution_problems(&self, ctx: &Context<'_>) -> ApiResult<Vec<String>> {
        if self.0.resolved != Some(false) {
            return Ok(Vec::new());
        }
        let loader = ctx.data_unchecked::<DataLoader<DbLoader>>();
        Ok(loader.load_one(ProblemsOf(self.0.id)).await?.unwrap_or_default())
    }
    /// When the installability of the build dependencies changed, newest first. Meant for
    /// one package at a time.
    async fn resolution_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: i32,
    ) -> ApiResult<Vec<ResolutionChange>> {
        super::detail::resolution_history(ctx, self.0.id, first).await
    }
    /// The priority the scheduler would give it now (`manual + static + coefficient ×
    /// (dependency + build + time)`, truncated); null when it cannot be scheduled (see
    /// `skipReasons`). Meant for one package at a time.
    async fn current_priority(&self, ctx: &Context<'_>) -> ApiResult<Option<i64>> {
        Ok(super::detail::scheduling(ctx, &self.0).await?.0)
    }
    /// Why it is not scheduled (or, for "No build architecture allowed", may not build),
    /// as shown to users; empty when nothing holds. Meant for one package at a time.
    async fn skip_reasons(&self, ctx: &Context<'_>) -> ApiResult<Vec<String>> {
        Ok(super::detail::scheduling(ctx, &self.0).await?.1)
    }
    /// The same package in every collection that has it (this one included), in the global
    /// collection order.
    async fn in_collections(&self, ctx: &Context<'_>) -> ApiResult<Vec<Package>> {
        let rows =
            crate::db::package_detail::in_all_collections(&app(ctx).db, &self.0.name).await?;
        Ok(rows.into_iter().map(Package).collect())
    }
}

async fn load_build(ctx: &Context<'_>, id: Option<i32>) -> ApiResult<Option<Build>> {
    let Some(id) = id else { return Ok(None) };
    let loader = ctx.data_unchecked::<DataLoader<DbLoader>>();
    Ok(loader.load_one(BuildId(id)).await?.map(Build))
}

/// Key of a collection row for the loader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CollectionId(pub i32);

/// Key of a build row for the loader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BuildId(pub i32);

/// Key of a package row for the loader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PackageId(pub i32);

/// Loader key: the applied changes of a build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BuildChangesOf(pub i32);

/// Loader key: the unapplied changes of a package.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PackageChangesOf(pub i32);

/// Loader key: the Koji subtasks of a build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KojiTasksOf(pub i32);

/// Loader key: the current resolution problems of a package.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProblemsOf(pub i32);

/// The Koji instance a build ran on, for links: scratch builds run on the primary; real
/// builds of a collection in secondary mode come from the secondary (when one is configured).
async fn koji_of(ctx: &Context<'_>, b: &build::Model) -> ApiResult<KojiLinks> {
    let config = &app(ctx).config;
    let primary =
        KojiLinks { weburl: config.koji.weburl.clone(), topurl: config.koji.topurl.clone() };
    let (Some(secondary), true, Some(package_id)) = (&config.secondary_koji, b.real, b.package_id)
    else {
        return Ok(primary);
    };
    let loader = ctx.data_unchecked::<DataLoader<DbLoader>>();
    let Some(p) = loader.load_one(PackageId(package_id)).await? else { return Ok(primary) };
    let c: Option<collection::Model> = loader.load_one(CollectionId(p.collection_id)).await?;
    if !c.is_some_and(|c| c.secondary_mode) {
        return Ok(primary);
    }
    Ok(KojiLinks {
        weburl: secondary.weburl.clone().unwrap_or(primary.weburl),
        topurl: secondary.topurl.clone().unwrap_or(primary.topurl),
    })
}

/// Pushed when a package's state changes.
#[derive(SimpleObject, Clone, Debug)]
pub struct PackageEvent {
    /// The package's id.
    pub package_id: i32,
    /// The package's name.
    pub name: String,
    /// The collection's name.
    pub collection: String,
    /// The new state.
    pub state: PackageState,
    /// The state before, when known.
    pub previous_state: Option<PackageState>,
}

/// A background service: where it runs and how its last ticks went.
#[derive(SimpleObject, Clone, Debug)]
pub struct ServiceStatus {
    /// Its name (`polling`, `scheduler`, …).
    pub name: String,
    /// Whether it runs in the process answering this query.
    pub enabled: bool,
    /// When its last tick ended (in any process sharing the database).
    pub last_tick: Option<DateTime<Utc>>,
    /// When its last successful tick ended.
    pub last_success: Option<DateTime<Utc>>,
    /// Seconds since the last successful tick; null before the first one.
    pub lag: Option<f64>,
    /// The last error; compare `lastErrorAt` with `lastSuccess` to see if it still holds.
    pub last_error: Option<String>,
    /// When the last error happened.
    pub last_error_at: Option<DateTime<Utc>>,
    /// Ticks recorded.
    pub ticks: i64,
}
