//! The exact requests Koschei sends (method, positional arguments, keyword arguments as
//! the `__starstar` struct — koschei-backend.md §6.1, koji-api.md §1), each paired with the
//! conversion of its result: a [`Request`]. The replay tests compare these requests with
//! the original's recorded traffic, so argument order and which values travel as keywords
//! matter here.
//!
//! Pure functions: no IO.

use crate::koji::xmlrpc::{Call, ConversionError, FromValue, Struct, Value, push_kwargs};

use super::types::{
    BuildTarget, ChannelInfo, ExternalRepo, HostInfo, PackageEntry, RepoInfo, RpmDep, RpmInfo,
    TagExternalRepo, TagGroup, TagInfo, TaggedBuild, TaskInfo, TaskOutputFile, UserInfo,
    task_output_files,
};

/// A call together with the conversion of its result.
#[derive(Debug, Clone)]
pub struct Request<T> {
    /// What goes on the wire.
    pub call: Call,
    /// Converts the result value.
    pub parse: fn(&Value) -> Result<T, ConversionError>,
}

impl<T> Request<T> {
    /// A request whose result converts with `T`'s [`FromValue`].
    pub fn new(call: Call) -> Self
    where
        T: FromValue,
    {
        Request { call, parse: T::from_value }
    }

    /// Converts a result of this request; errors name the method.
    pub fn decode(&self, value: &Value) -> Result<T, crate::koji::error::KojiError> {
        (self.parse)(value).map_err(|source| crate::koji::error::KojiError::Conversion {
            method: self.call.method.clone(),
            source,
        })
    }
}

/// Builds a call from positional arguments and keyword arguments (omitted when empty).
fn call(method: &str, args: Vec<Value>, kwargs: Vec<(&str, Value)>) -> Call {
    let mut params = args;
    let kwargs: Struct = kwargs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    push_kwargs(&mut params, kwargs);
    Call::new(method, params)
}

fn ignore(_: &Value) -> Result<(), ConversionError> {
    Ok(())
}

/// How an RPM is named in `getRPMDeps` / `getRPMHeaders`.
#[derive(Debug, Clone, PartialEq)]
pub enum RpmRef {
    /// By RPM id.
    Id(i64),
    /// By `N-V-R.A` string.
    Nvra(String),
    /// By fields (what Koschei sends: `{name, version, release, arch}` plus `epoch` when
    /// the epoch is set).
    Fields {
        /// Name.
        name: String,
        /// Epoch.
        epoch: Option<i64>,
        /// Version.
        version: String,
        /// Release.
        release: String,
        /// Arch (`src` for SRPMs).
        arch: String,
    },
}

impl RpmRef {
    /// The SRPM of a build with this name and EVR.
    pub fn srpm(name: &str, epoch: Option<i64>, version: &str, release: &str) -> Self {
        RpmRef::Fields {
            name: name.to_string(),
            epoch,
            version: version.to_string(),
            release: release.to_string(),
            arch: "src".to_string(),
        }
    }

    /// The wire value.
    pub fn to_value(&self) -> Value {
        match self {
            RpmRef::Id(id) => Value::Int(*id),
            RpmRef::Nvra(s) => Value::from(s.as_str()),
            RpmRef::Fields { name, epoch, version, release, arch } => {
                let mut m = Struct::new();
                m.insert("name".into(), name.as_str().into());
                if let Some(e) = epoch {
                    m.insert("epoch".into(), (*e).into());
                }
                m.insert("version".into(), version.as_str().into());
                m.insert("release".into(), release.as_str().into());
                m.insert("arch".into(), arch.as_str().into());
                Value::Struct(m)
            }
        }
    }
}

/// `listTagged` options Koschei uses; `false`/`None` options are not sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListTaggedOpts {
    /// Historical event (sent positionally, as the OSCI plugin does).
    pub event: Option<i64>,
    /// Follow inheritance.
    pub inherit: bool,
    /// Only the latest build per package.
    pub latest: bool,
    /// Only this package.
    pub package: Option<String>,
}

/// The `opts` of a scratch `build`: config `build_opts` plus `scratch: true`, the arch
/// override (space separated) and, in `build_from_repo_id` mode, the repo id.
pub fn scratch_build_opts(
    base: &Struct,
    arch_override: Option<&str>,
    repo_id: Option<i64>,
) -> Struct {
    let mut opts = base.clone();
    opts.insert("scratch".into(), Value::Bool(true));
    if let Some(arches) = arch_override {
        opts.insert("arch_override".into(), arches.into());
    }
    if let Some(id) = repo_id {
        opts.insert("repo_id".into(), id.into());
    }
    opts
}

/// Converts config `build_opts` (TOML) to XML-RPC; date-times become strings.
pub fn toml_to_struct(table: &toml::Table) -> Struct {
    table.iter().map(|(k, v)| (k.clone(), toml_to_value(v))).collect()
}

/// Converts one TOML value to XML-RPC; date-times become strings.
pub fn toml_to_value(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::Int(*i),
        toml::Value::Float(f) => Value::Double(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(toml_to_value).collect()),
        toml::Value::Table(t) => Value::Struct(toml_to_struct(t)),
    }
}

// ---- builds and tasks ----------------------------------------------------------------

/// `build(src, target, opts, priority=…)`; `target` is `None` (`<nil/>`) in
/// `build_from_repo_id` mode. Returns the task id.
pub fn build(src: &str, target: Option<&str>, opts: Struct, priority: Option<i64>) -> Request<i64> {
    let kwargs = priority.map(|p| ("priority", Value::Int(p))).into_iter().collect();
    Request::new(call(
        "build",
        vec![src.into(), target.map(Value::from).into(), opts.into()],
        kwargs,
    ))
}

/// `cancelTask(task_id)`.
pub fn cancel_task(task_id: i64) -> Request<()> {
    Request { call: call("cancelTask", vec![task_id.into()], vec![]), parse: ignore }
}

/// `getTaskInfo(task_id)`; `None` for an unknown task.
pub fn get_task_info(task_id: i64) -> Request<Option<TaskInfo>> {
    Request::new(call("getTaskInfo", vec![task_id.into()], vec![]))
}

/// `getTaskInfo(task_id, request=True)`.
pub fn get_task_info_with_request(task_id: i64) -> Request<Option<TaskInfo>> {
    Request::new(call("getTaskInfo", vec![task_id.into()], vec![("request", true.into())]))
}

/// `getTaskChildren(task_id, request=True)` (what Koschei always asks for).
pub fn get_task_children(task_id: i64) -> Request<Vec<TaskInfo>> {
    Request::new(call("getTaskChildren", vec![task_id.into()], vec![("request", true.into())]))
}

/// `getTaskResult(task_id)`: the raw result; a failed task's fault is re-raised.
pub fn get_task_result(task_id: i64) -> Request<Value> {
    Request::new(call("getTaskResult", vec![task_id.into()], vec![]))
}

/// `listTaskOutput(task_id)`: file names in the task directory.
pub fn list_task_output(task_id: i64) -> Request<Vec<String>> {
    Request::new(call("listTaskOutput", vec![task_id.into()], vec![]))
}

/// `listTaskOutput(task_id, stat=True)`: files with sizes and times.
pub fn list_task_output_stat(task_id: i64) -> Request<Vec<TaskOutputFile>> {
    Request {
        call: call("listTaskOutput", vec![task_id.into()], vec![("stat", true.into())]),
        parse: task_output_files,
    }
}

/// `downloadTaskOutput(task_id, name, offset=…, size=…)`: bytes of a task output file.
pub fn download_task_output(task_id: i64, name: &str, offset: i64, size: i64) -> Request<Vec<u8>> {
    fn bytes(v: &Value) -> Result<Vec<u8>, ConversionError> {
        crate::koji::xmlrpc::Bytes::from_value(v).map(|b| b.0)
    }
    Request {
        call: call(
            "downloadTaskOutput",
            vec![task_id.into(), name.into()],
            vec![("offset", offset.into()), ("size", size.into())],
        ),
        parse: bytes,
    }
}

// ---- tags, builds, packages ----------------------------------------------------------

/// `listTagged(tag[, event], inherit=…, latest=…, package=…)`.
pub fn list_tagged(tag: &str, opts: &ListTaggedOpts) -> Request<Vec<TaggedBuild>> {
    let mut args = vec![Value::from(tag)];
    if let Some(event) = opts.event {
        args.push(event.into());
    }
    let mut kwargs = Vec::new();
    if opts.inherit {
        kwargs.push(("inherit", true.into()));
    }
    if opts.latest {
        kwargs.push(("latest", true.into()));
    }
    if let Some(package) = &opts.package {
        kwargs.push(("package", package.as_str().into()));
    }
    Request::new(call("listTagged", args, kwargs))
}

/// `getLatestBuilds(tag, event=…, package=…)`.
pub fn get_latest_builds(
    tag: &str,
    event: Option<i64>,
    package: Option<&str>,
) -> Request<Vec<TaggedBuild>> {
    let mut kwargs = Vec::new();
    if let Some(e) = event {
        kwargs.push(("event", e.into()));
    }
    if let Some(p) = package {
        kwargs.push(("package", p.into()));
    }
    Request::new(call("getLatestBuilds", vec![tag.into()], kwargs))
}

/// `listRPMs(buildID=…, arches=…)` (Koschei: `arches='src'`).
pub fn list_rpms(build_id: i64, arches: &str) -> Request<Vec<RpmInfo>> {
    Request::new(call(
        "listRPMs",
        vec![],
        vec![("buildID", build_id.into()), ("arches", arches.into())],
    ))
}

/// `listPackages(tagID=tag, inherited=True)`.
pub fn list_packages(tag: &str) -> Request<Vec<PackageEntry>> {
    Request::new(call(
        "listPackages",
        vec![],
        vec![("tagID", tag.into()), ("inherited", true.into())],
    ))
}

/// `getBuildConfig(tag)`: the tag with inherited arches and extra.
pub fn get_build_config(tag: &str) -> Request<TagInfo> {
    Request::new(call("getBuildConfig", vec![tag.into()], vec![]))
}

/// `getBuildTarget(name)`; `None` for an unknown target.
pub fn get_build_target(name: &str) -> Request<Option<BuildTarget>> {
    Request::new(call("getBuildTarget", vec![name.into()], vec![]))
}

/// `getTag(name)`; `None` for an unknown tag.
pub fn get_tag(name: &str) -> Request<Option<TagInfo>> {
    Request::new(call("getTag", vec![name.into()], vec![]))
}

/// `getRPMDeps(rpm, depType)` (Koschei: `DEP_REQUIRE`, positional).
pub fn get_rpm_deps(rpm: &RpmRef, dep_type: i64) -> Request<Vec<RpmDep>> {
    Request::new(call("getRPMDeps", vec![rpm.to_value(), dep_type.into()], vec![]))
}

/// `getRPMHeaders(rpmID=rpm, headers=[…])`: header name → value; empty when the RPM is
/// unknown.
pub fn get_rpm_headers(rpm: &RpmRef, headers: &[&str]) -> Request<Struct> {
    let names = Value::Array(headers.iter().map(|h| Value::from(*h)).collect());
    Request::new(call("getRPMHeaders", vec![], vec![("rpmID", rpm.to_value()), ("headers", names)]))
}

// ---- repos -----------------------------------------------------------------------------

/// `getRepo(tag, state=REPO_READY)`: the newest ready repo; `None` if there is none.
pub fn get_repo(tag: &str) -> Request<Option<RepoInfo>> {
    Request::new(call("getRepo", vec![tag.into()], vec![("state", 1i64.into())]))
}

/// `repoInfo(repo_id)`; `None` for an unknown repo.
pub fn repo_info(repo_id: i64) -> Request<Option<RepoInfo>> {
    Request::new(call("repoInfo", vec![repo_id.into()], vec![]))
}

/// `getTagGroups(tag[, event=…])`.
pub fn get_tag_groups(tag: &str, event: Option<i64>) -> Request<Vec<TagGroup>> {
    let kwargs = event.map(|e| ("event", Value::Int(e))).into_iter().collect();
    Request::new(call("getTagGroups", vec![tag.into()], kwargs))
}

/// `newRepo(tag)`: the id of the `newRepo` task.
pub fn new_repo(tag: &str) -> Request<i64> {
    Request::new(call("newRepo", vec![tag.into()], vec![]))
}

// ---- hosts ----------------------------------------------------------------------------

/// `getChannel(name)`; `None` for an unknown channel.
pub fn get_channel(name: &str) -> Request<Option<ChannelInfo>> {
    Request::new(call("getChannel", vec![name.into()], vec![]))
}

/// `listHosts(arches, channel_id, enabled=True)`.
pub fn list_hosts(arches: &[String], channel_id: i64) -> Request<Vec<HostInfo>> {
    let arches = Value::Array(arches.iter().map(|a| Value::from(a.as_str())).collect());
    Request::new(call("listHosts", vec![arches, channel_id.into()], vec![("enabled", true.into())]))
}

// ---- tag administration (repo_regen plugin) --------------------------------------------

/// `createTag(name, arches=…)`: the new tag id. `arches` is sent even when `None`.
pub fn create_tag(name: &str, arches: Option<&str>) -> Request<i64> {
    Request::new(call(
        "createTag",
        vec![name.into()],
        vec![("arches", arches.map(Value::from).into())],
    ))
}

/// `createBuildTarget(name, build_tag, dest_tag)`.
pub fn create_build_target(name: &str, build_tag: &str, dest_tag: &str) -> Request<()> {
    Request {
        call: call(
            "createBuildTarget",
            vec![name.into(), build_tag.into(), dest_tag.into()],
            vec![],
        ),
        parse: ignore,
    }
}

/// `groupListAdd(tag, group)`.
pub fn group_list_add(tag: &str, group: &str) -> Request<()> {
    Request { call: call("groupListAdd", vec![tag.into(), group.into()], vec![]), parse: ignore }
}

/// `groupPackageListAdd(tag, group, package, type=…, blocked=…)`.
pub fn group_package_list_add(
    tag: &str,
    group: &str,
    package: &str,
    kind: &str,
    blocked: bool,
) -> Request<()> {
    Request {
        call: call(
            "groupPackageListAdd",
            vec![tag.into(), group.into(), package.into()],
            vec![("type", kind.into()), ("blocked", blocked.into())],
        ),
        parse: ignore,
    }
}

/// `getTagExternalRepos(tag)`.
pub fn get_tag_external_repos(tag: &str) -> Request<Vec<TagExternalRepo>> {
    Request::new(call("getTagExternalRepos", vec![tag.into()], vec![]))
}

/// `removeExternalRepoFromTag(tag, external_repo_id)`.
pub fn remove_external_repo_from_tag(tag: &str, external_repo_id: i64) -> Request<()> {
    Request {
        call: call("removeExternalRepoFromTag", vec![tag.into(), external_repo_id.into()], vec![]),
        parse: ignore,
    }
}

/// `getExternalRepo(name)`; `None` if unknown.
pub fn get_external_repo(name: &str) -> Request<Option<ExternalRepo>> {
    Request::new(call("getExternalRepo", vec![name.into()], vec![]))
}

/// `createExternalRepo(name, url)`.
pub fn create_external_repo(name: &str, url: &str) -> Request<ExternalRepo> {
    Request::new(call("createExternalRepo", vec![name.into(), url.into()], vec![]))
}

/// `addExternalRepoToTag(tag, repo_name, priority)`.
pub fn add_external_repo_to_tag(tag: &str, repo_name: &str, priority: i64) -> Request<()> {
    Request {
        call: call(
            "addExternalRepoToTag",
            vec![tag.into(), repo_name.into(), priority.into()],
            vec![],
        ),
        parse: ignore,
    }
}

// ---- misc ------------------------------------------------------------------------------

/// `getLoggedInUser()`; `None` when anonymous.
pub fn get_logged_in_user() -> Request<Option<UserInfo>> {
    Request::new(call("getLoggedInUser", vec![], vec![]))
}

/// `getKojiVersion()`.
pub fn get_koji_version() -> Request<String> {
    Request::new(call("getKojiVersion", vec![], vec![]))
}
