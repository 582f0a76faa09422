//! The typed Koji API Koschei uses: [`KojiApi`] with one method per hub method of
//! koji-api.md §1 (plus multicall variants where the original batches), result types in
//! [`types`] and the exact wire requests in [`requests`].
//!
//! Design: `KojiApi` is object-safe. Implementors provide only the two raw operations,
//! [`KojiApi::call`] and [`KojiApi::multicall`], returning boxed futures; every typed
//! method is a provided method that builds a [`Request`] and converts the result. So the
//! real [`KojiSession`](super::session::KojiSession), an in-process hub simulator or a
//! test double are used alike through `Arc<dyn KojiApi>`, and every implementation sends
//! identical requests. Implementors may override a typed method, but need not.
//!
//! No Koschei decisions here (load computation, arch selection, state mapping live in the
//! services); this module only talks Koji.

pub mod requests;
pub mod types;

#[cfg(test)]
mod replay_tests;

use std::future::Future;
use std::pin::Pin;

use super::error::KojiError;
use super::xmlrpc::{Call, Struct, Value};

pub use requests::{
    ListTaggedOpts, Request, RpmRef, scratch_build_opts, toml_to_struct, toml_to_value,
};
pub use types::{
    BuildState, BuildTarget, ChannelInfo, DEP_REQUIRE, ExternalRepo, GroupPackage, HostInfo,
    PackageEntry, RepoInfo, RepoState, RpmDep, RpmInfo, TagExternalRepo, TagGroup, TagInfo,
    TaggedBuild, TaskInfo, TaskOutputFile, TaskState, UserInfo,
};

/// A boxed, sendable future (what [`KojiApi`] methods return).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Result of a typed call.
pub type KojiResult<T> = Result<T, KojiError>;

/// The SRPM header names Koschei reads to choose build arches.
pub const SRPM_ARCH_HEADERS: [&str; 3] = ["BUILDARCHS", "EXCLUDEARCH", "EXCLUSIVEARCH"];

/// Runs one typed request through `api`.
pub async fn run<A: KojiApi + ?Sized, T>(api: &A, request: Request<T>) -> KojiResult<T> {
    let Request { call, parse } = request;
    let method = call.method.clone();
    let value = api.call(call).await?;
    parse(&value).map_err(|source| KojiError::Conversion { method, source })
}

/// Runs typed requests as one (chunked) multicall; one outcome per request, in order.
pub async fn run_multi<A: KojiApi + ?Sized, T>(
    api: &A,
    requests: Vec<Request<T>>,
) -> Vec<KojiResult<T>> {
    let (calls, parsers): (Vec<Call>, Vec<_>) =
        requests.into_iter().map(|r| (r.call, r.parse)).unzip();
    let methods: Vec<String> = calls.iter().map(|c| c.method.clone()).collect();
    let outcomes = api.multicall(calls).await;
    outcomes
        .into_iter()
        .zip(parsers.into_iter().zip(methods))
        .map(|(outcome, (parse, method))| {
            outcome
                .and_then(|v| parse(&v).map_err(|source| KojiError::Conversion { method, source }))
        })
        .collect()
}

/// A Koji hub, typed. See the module docs for the design.
pub trait KojiApi: Send + Sync {
    /// Calls one method; a fault becomes [`KojiError::Fault`].
    fn call(&self, call: Call) -> BoxFuture<'_, KojiResult<Value>>;

    /// Calls several methods in `multiCall` requests; one outcome per call, in order.
    fn multicall(&self, calls: Vec<Call>) -> BoxFuture<'_, Vec<KojiResult<Value>>>;

    // ---- builds and tasks ---------------------------------------------------------------

    /// `build(src, target, opts, priority=…)` → task id (see [`requests::build`],
    /// [`scratch_build_opts`]).
    fn build(
        &self,
        src: &str,
        target: Option<&str>,
        opts: Struct,
        priority: Option<i64>,
    ) -> BoxFuture<'_, KojiResult<i64>> {
        Box::pin(run(self, requests::build(src, target, opts, priority)))
    }

    /// `cancelTask(task_id)`.
    fn cancel_task(&self, task_id: i64) -> BoxFuture<'_, KojiResult<()>> {
        Box::pin(run(self, requests::cancel_task(task_id)))
    }

    /// `getTaskInfo(task_id)`; `None` for an unknown task.
    fn get_task_info(&self, task_id: i64) -> BoxFuture<'_, KojiResult<Option<TaskInfo>>> {
        Box::pin(run(self, requests::get_task_info(task_id)))
    }

    /// `getTaskInfo` for many tasks in one multicall (polling, `sync_tasks`).
    fn get_task_infos(&self, task_ids: &[i64]) -> BoxFuture<'_, Vec<KojiResult<Option<TaskInfo>>>> {
        let reqs = task_ids.iter().map(|&id| requests::get_task_info(id)).collect();
        Box::pin(run_multi(self, reqs))
    }

    /// `getTaskChildren(task_id, request=True)`.
    fn get_task_children(&self, task_id: i64) -> BoxFuture<'_, KojiResult<Vec<TaskInfo>>> {
        Box::pin(run(self, requests::get_task_children(task_id)))
    }

    /// `getTaskChildren(…, request=True)` for many tasks in one multicall.
    fn get_tasks_children(
        &self,
        task_ids: &[i64],
    ) -> BoxFuture<'_, Vec<KojiResult<Vec<TaskInfo>>>> {
        let reqs = task_ids.iter().map(|&id| requests::get_task_children(id)).collect();
        Box::pin(run_multi(self, reqs))
    }

    /// `getTaskResult(task_id)`: the raw result, or the task's fault.
    fn get_task_result(&self, task_id: i64) -> BoxFuture<'_, KojiResult<Value>> {
        Box::pin(run(self, requests::get_task_result(task_id)))
    }

    /// The original's `is_koji_fault(task_id)`: whether a finished task failed because of
    /// Koji rather than the package (`getTaskResult` fault 1001 or a code Koji does not
    /// map → true; a result or any other Koji fault → false; other errors propagate).
    fn is_koji_fault(&self, task_id: i64) -> BoxFuture<'_, KojiResult<bool>> {
        Box::pin(async move {
            match run(self, requests::get_task_result(task_id)).await {
                Ok(_) => Ok(false),
                Err(e @ KojiError::Fault { .. }) => Ok(e.is_koji_fault()),
                Err(e) => Err(e),
            }
        })
    }

    /// `listTaskOutput(task_id)`.
    fn list_task_output(&self, task_id: i64) -> BoxFuture<'_, KojiResult<Vec<String>>> {
        Box::pin(run(self, requests::list_task_output(task_id)))
    }

    /// `listTaskOutput(task_id, stat=True)`.
    fn list_task_output_stat(
        &self,
        task_id: i64,
    ) -> BoxFuture<'_, KojiResult<Vec<TaskOutputFile>>> {
        Box::pin(run(self, requests::list_task_output_stat(task_id)))
    }

    /// `downloadTaskOutput(task_id, name, offset=…, size=…)` (`size` −1 = to the end).
    fn download_task_output(
        &self,
        task_id: i64,
        name: &str,
        offset: i64,
        size: i64,
    ) -> BoxFuture<'_, KojiResult<Vec<u8>>> {
        Box::pin(run(self, requests::download_task_output(task_id, name, offset, size)))
    }

    // ---- tags, builds, packages ---------------------------------------------------------

    /// `listTagged(tag, …)`.
    fn list_tagged(
        &self,
        tag: &str,
        opts: &ListTaggedOpts,
    ) -> BoxFuture<'_, KojiResult<Vec<TaggedBuild>>> {
        Box::pin(run(self, requests::list_tagged(tag, opts)))
    }

    /// `getLatestBuilds(tag, event=…, package=…)`.
    fn get_latest_builds(
        &self,
        tag: &str,
        event: Option<i64>,
        package: Option<&str>,
    ) -> BoxFuture<'_, KojiResult<Vec<TaggedBuild>>> {
        Box::pin(run(self, requests::get_latest_builds(tag, event, package)))
    }

    /// `listRPMs(buildID=…, arches=…)`.
    fn list_rpms(&self, build_id: i64, arches: &str) -> BoxFuture<'_, KojiResult<Vec<RpmInfo>>> {
        Box::pin(run(self, requests::list_rpms(build_id, arches)))
    }

    /// `listPackages(tagID=tag, inherited=True)`.
    fn list_packages(&self, tag: &str) -> BoxFuture<'_, KojiResult<Vec<PackageEntry>>> {
        Box::pin(run(self, requests::list_packages(tag)))
    }

    /// `getBuildConfig(tag)`.
    fn get_build_config(&self, tag: &str) -> BoxFuture<'_, KojiResult<TagInfo>> {
        Box::pin(run(self, requests::get_build_config(tag)))
    }

    /// `getBuildTarget(name)`.
    fn get_build_target(&self, name: &str) -> BoxFuture<'_, KojiResult<Option<BuildTarget>>> {
        Box::pin(run(self, requests::get_build_target(name)))
    }

    /// `getTag(name)`.
    fn get_tag(&self, name: &str) -> BoxFuture<'_, KojiResult<Option<TagInfo>>> {
        Box::pin(run(self, requests::get_tag(name)))
    }

    /// `getRPMDeps(rpm, dep_type)`.
    fn get_rpm_deps(&self, rpm: &RpmRef, dep_type: i64) -> BoxFuture<'_, KojiResult<Vec<RpmDep>>> {
        Box::pin(run(self, requests::get_rpm_deps(rpm, dep_type)))
    }

    /// `getRPMDeps(rpm, DEP_REQUIRE)` for many RPMs in one multicall (resolvers).
    fn get_rpms_requires(&self, rpms: &[RpmRef]) -> BoxFuture<'_, Vec<KojiResult<Vec<RpmDep>>>> {
        let reqs = rpms.iter().map(|r| requests::get_rpm_deps(r, DEP_REQUIRE)).collect();
        Box::pin(run_multi(self, reqs))
    }

    /// `getRPMHeaders(rpmID=rpm, headers=…)`; empty when the RPM is unknown.
    fn get_rpm_headers(&self, rpm: &RpmRef, headers: &[&str]) -> BoxFuture<'_, KojiResult<Struct>> {
        Box::pin(run(self, requests::get_rpm_headers(rpm, headers)))
    }

    // ---- repos ----------------------------------------------------------------------------

    /// `getRepo(tag, state=REPO_READY)`.
    fn get_repo(&self, tag: &str) -> BoxFuture<'_, KojiResult<Option<RepoInfo>>> {
        Box::pin(run(self, requests::get_repo(tag)))
    }

    /// `repoInfo(repo_id)`.
    fn repo_info(&self, repo_id: i64) -> BoxFuture<'_, KojiResult<Option<RepoInfo>>> {
        Box::pin(run(self, requests::repo_info(repo_id)))
    }

    /// `getTagGroups(tag[, event=…])`.
    fn get_tag_groups(
        &self,
        tag: &str,
        event: Option<i64>,
    ) -> BoxFuture<'_, KojiResult<Vec<TagGroup>>> {
        Box::pin(run(self, requests::get_tag_groups(tag, event)))
    }

    /// `newRepo(tag)` → task id.
    fn new_repo(&self, tag: &str) -> BoxFuture<'_, KojiResult<i64>> {
        Box::pin(run(self, requests::new_repo(tag)))
    }

    // ---- hosts ----------------------------------------------------------------------------

    /// `getChannel(name)`.
    fn get_channel(&self, name: &str) -> BoxFuture<'_, KojiResult<Option<ChannelInfo>>> {
        Box::pin(run(self, requests::get_channel(name)))
    }

    /// `listHosts(arches, channel_id, enabled=True)`.
    fn list_hosts(
        &self,
        arches: &[String],
        channel_id: i64,
    ) -> BoxFuture<'_, KojiResult<Vec<HostInfo>>> {
        Box::pin(run(self, requests::list_hosts(arches, channel_id)))
    }

    // ---- tag administration (repo_regen plugin) -------------------------------------------

    /// `createTag(name, arches=…)` → tag id.
    fn create_tag(&self, name: &str, arches: Option<&str>) -> BoxFuture<'_, KojiResult<i64>> {
        Box::pin(run(self, requests::create_tag(name, arches)))
    }

    /// `createBuildTarget(name, build_tag, dest_tag)`.
    fn create_build_target(
        &self,
        name: &str,
        build_tag: &str,
        dest_tag: &str,
    ) -> BoxFuture<'_, KojiResult<()>> {
        Box::pin(run(self, requests::create_build_target(name, build_tag, dest_tag)))
    }

    /// `groupListAdd(tag, group)`.
    fn group_list_add(&self, tag: &str, group: &str) -> BoxFuture<'_, KojiResult<()>> {
        Box::pin(run(self, requests::group_list_add(tag, group)))
    }

    /// `groupPackageListAdd(tag, group, package, type=…, blocked=…)` for many packages in
    /// one multicall (as the repo_regen plugin does); items are `(package, type, blocked)`.
    fn group_package_list_add(
        &self,
        tag: &str,
        group: &str,
        packages: &[(String, String, bool)],
    ) -> BoxFuture<'_, Vec<KojiResult<()>>> {
        let reqs = packages
            .iter()
            .map(|(p, kind, blocked)| {
                requests::group_package_list_add(tag, group, p, kind, *blocked)
            })
            .collect();
        Box::pin(run_multi(self, reqs))
    }

    /// `getTagExternalRepos(tag)`.
    fn get_tag_external_repos(&self, tag: &str) -> BoxFuture<'_, KojiResult<Vec<TagExternalRepo>>> {
        Box::pin(run(self, requests::get_tag_external_repos(tag)))
    }

    /// `removeExternalRepoFromTag(tag, external_repo_id)`.
    fn remove_external_repo_from_tag(
        &self,
        tag: &str,
        external_repo_id: i64,
    ) -> BoxFuture<'_, KojiResult<()>> {
        Box::pin(run(self, requests::remove_external_repo_from_tag(tag, external_repo_id)))
    }

    /// `getExternalRepo(name)`.
    fn get_external_repo(&self, name: &str) -> BoxFuture<'_, KojiResult<Option<ExternalRepo>>> {
        Box::pin(run(self, requests::get_external_repo(name)))
    }

    /// `createExternalRepo(name, url)`.
    fn create_external_repo(
        &self,
        name: &str,
        url: &str,
    ) -> BoxFuture<'_, KojiResult<ExternalRepo>> {
        Box::pin(run(self, requests::create_external_repo(name, url)))
    }

    /// `addExternalRepoToTag(tag, repo_name, priority)`.
    fn add_external_repo_to_tag(
        &self,
        tag: &str,
        repo_name: &str,
        priority: i64,
    ) -> BoxFuture<'_, KojiResult<()>> {
        Box::pin(run(self, requests::add_external_repo_to_tag(tag, repo_name, priority)))
    }

    // ---- misc -----------------------------------------------------------------------------

    /// `getLoggedInUser()`.
    fn get_logged_in_user(&self) -> BoxFuture<'_, KojiResult<Option<UserInfo>>> {
        Box::pin(run(self, requests::get_logged_in_user()))
    }

    /// `getKojiVersion()`.
    fn get_koji_version(&self) -> BoxFuture<'_, KojiResult<String>> {
        Box::pin(run(self, requests::get_koji_version()))
    }
}
