//! Typed results of the Koji methods Koschei uses (koji-api.md §2), read from XML-RPC
//! values with [`FromValue`]. Unknown struct members are ignored; members the hub may
//! omit or send as `<nil/>` are `Option`s; the few members a result is useless without
//! are required (their absence is a conversion error naming the field).
//!
//! Pure data: no IO, no Koschei decisions (only small accessors such as
//! [`TaskInfo::request_repo_id`] that mirror how the original reads these values).

use crate::koji::xmlrpc::{ConversionError, FromValue, Struct, Value, field};

/// Reads a struct-valued result into `$ty`, field by field (`field: "wire name"`).
macro_rules! from_struct {
    ($ty:ident { $($field:ident : $key:literal),* $(,)? }) => {
        impl FromValue for $ty {
            fn from_value(value: &Value) -> Result<Self, ConversionError> {
                let m = value
                    .as_struct()
                    .ok_or_else(|| ConversionError::new("struct", value.type_name()))?;
                Ok($ty { $($field: field(m, $key)?),* })
            }
        }
    };
}

/// An integer-coded Koji enumeration with an `Other` variant for codes this client does
/// not know (newer hubs).
macro_rules! int_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $var:ident = $code:expr),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $var,)*
            /// A code this client does not know.
            Other(i64),
        }

        impl $name {
            /// The enumeration value for a wire code.
            pub fn from_code(code: i64) -> Self {
                match code {
                    $($code => $name::$var,)*
                    other => $name::Other(other),
                }
            }

            /// The wire code.
            pub fn code(self) -> i64 {
                match self {
                    $($name::$var => $code,)*
                    $name::Other(other) => other,
                }
            }
        }

        impl FromValue for $name {
            fn from_value(value: &Value) -> Result<Self, ConversionError> {
                i64::from_value(value).map($name::from_code)
            }
        }
    };
}

int_enum! {
    /// `koji.TASK_STATES`.
    TaskState {
        /// Waiting for a host.
        Free = 0,
        /// Running.
        Open = 1,
        /// Finished successfully.
        Closed = 2,
        /// Canceled.
        Canceled = 3,
        /// Assigned to a host, not yet opened.
        Assigned = 4,
        /// Finished with a fault.
        Failed = 5,
    }
}

impl TaskState {
    /// The upper-case name Koji uses (`CLOSED`, …); `None` for unknown codes.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            TaskState::Free => "FREE",
            TaskState::Open => "OPEN",
            TaskState::Closed => "CLOSED",
            TaskState::Canceled => "CANCELED",
            TaskState::Assigned => "ASSIGNED",
            TaskState::Failed => "FAILED",
            TaskState::Other(_) => return None,
        })
    }

    /// CLOSED, CANCELED or FAILED.
    pub fn is_finished(self) -> bool {
        matches!(self, TaskState::Closed | TaskState::Canceled | TaskState::Failed)
    }
}

int_enum! {
    /// `koji.BUILD_STATES`.
    BuildState {
        /// Being built.
        Building = 0,
        /// Complete.
        Complete = 1,
        /// Deleted.
        Deleted = 2,
        /// Failed.
        Failed = 3,
        /// Canceled.
        Canceled = 4,
    }
}

int_enum! {
    /// `koji.REPO_STATES`.
    RepoState {
        /// Being generated.
        Init = 0,
        /// Usable.
        Ready = 1,
        /// Superseded, files still there.
        Expired = 2,
        /// Files removed.
        Deleted = 3,
        /// Generation failed.
        Problem = 4,
    }
}

/// `koji.DEP_REQUIRE`: the dependency type Koschei asks `getRPMDeps` for.
pub const DEP_REQUIRE: i64 = 0;

/// A task (`getTaskInfo`, or one element of `getTaskChildren`).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskInfo {
    /// Task id.
    pub id: i64,
    /// State.
    pub state: TaskState,
    /// Task method (`build`, `buildArch`, `rebuildSRPM`, `newRepo`, `createrepo`, …).
    pub method: String,
    /// Task arch (`noarch` for most parents).
    pub arch: String,
    /// Subtask label (`srpm`, an arch name), if any.
    pub label: Option<String>,
    /// Parent task id.
    pub parent: Option<i64>,
    /// Owner's user id.
    pub owner: Option<i64>,
    /// Host running it, once assigned.
    pub host_id: Option<i64>,
    /// Channel id.
    pub channel_id: Option<i64>,
    /// Priority (lower = sooner).
    pub priority: Option<i64>,
    /// Weight.
    pub weight: Option<f64>,
    /// Parent waiting on children.
    pub waiting: Option<bool>,
    /// Child being waited on.
    pub awaited: Option<bool>,
    /// Creation time as text.
    pub create_time: Option<String>,
    /// Creation time, epoch seconds.
    pub create_ts: Option<f64>,
    /// Start time as text.
    pub start_time: Option<String>,
    /// Start time, epoch seconds.
    pub start_ts: Option<f64>,
    /// Completion time as text.
    pub completion_time: Option<String>,
    /// Completion time, epoch seconds.
    pub completion_ts: Option<f64>,
    /// The decoded call parameters, when asked for with `request=True`.
    pub request: Option<Vec<Value>>,
}

from_struct!(TaskInfo {
    id: "id",
    state: "state",
    method: "method",
    arch: "arch",
    label: "label",
    parent: "parent",
    owner: "owner",
    host_id: "host_id",
    channel_id: "channel_id",
    priority: "priority",
    weight: "weight",
    waiting: "waiting",
    awaited: "awaited",
    create_time: "create_time",
    create_ts: "create_ts",
    start_time: "start_time",
    start_ts: "start_ts",
    completion_time: "completion_time",
    completion_ts: "completion_ts",
    request: "request",
});

impl TaskInfo {
    /// The repo id a build subtask used, read from its request as the original does
    /// (koschei-backend.md §5.4): `buildArch` → `request[4].repo_id`, `rebuildSRPM` →
    /// `request[2].repo_id`; `None` for other methods or a missing key.
    pub fn request_repo_id(&self) -> Option<i64> {
        let index = match self.method.as_str() {
            "buildArch" => 4,
            "rebuildSRPM" => 2,
            _ => return None,
        };
        self.request.as_ref()?.get(index)?.get("repo_id")?.as_i64()
    }

    /// For a `createrepo` task, the repo id it generates (`request[0]`).
    pub fn createrepo_repo_id(&self) -> Option<i64> {
        if self.method != "createrepo" {
            return None;
        }
        self.request.as_ref()?.first()?.as_i64()
    }
}

/// A build as listed by `listTagged` / `getLatestBuilds`.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedBuild {
    /// Build id.
    pub build_id: i64,
    /// Same as `build_id`.
    pub id: Option<i64>,
    /// Package name.
    pub package_name: String,
    /// Same as `package_name`.
    pub name: Option<String>,
    /// Package id.
    pub package_id: Option<i64>,
    /// Epoch.
    pub epoch: Option<i64>,
    /// Version.
    pub version: String,
    /// Release.
    pub release: String,
    /// `N-V-R`.
    pub nvr: String,
    /// Build state (always COMPLETE in `listTagged`).
    pub state: BuildState,
    /// The build task; `None` for imported builds.
    pub task_id: Option<i64>,
    /// Owner's user id.
    pub owner_id: Option<i64>,
    /// Owner's name.
    pub owner_name: Option<String>,
    /// Tag id.
    pub tag_id: Option<i64>,
    /// Tag name.
    pub tag_name: Option<String>,
    /// Tagging event.
    pub create_event: Option<i64>,
    /// Build creation event.
    pub creation_event_id: Option<i64>,
    /// Creation time as text.
    pub creation_time: Option<String>,
    /// Completion time as text.
    pub completion_time: Option<String>,
    /// Volume id.
    pub volume_id: Option<i64>,
    /// Volume name (`DEFAULT` for the main volume).
    pub volume_name: Option<String>,
    /// Draft build.
    pub draft: Option<bool>,
}

from_struct!(TaggedBuild {
    build_id: "build_id",
    id: "id",
    package_name: "package_name",
    name: "name",
    package_id: "package_id",
    epoch: "epoch",
    version: "version",
    release: "release",
    nvr: "nvr",
    state: "state",
    task_id: "task_id",
    owner_id: "owner_id",
    owner_name: "owner_name",
    tag_id: "tag_id",
    tag_name: "tag_name",
    create_event: "create_event",
    creation_event_id: "creation_event_id",
    creation_time: "creation_time",
    completion_time: "completion_time",
    volume_id: "volume_id",
    volume_name: "volume_name",
    draft: "draft",
});

/// An RPM (`listRPMs`).
#[derive(Debug, Clone, PartialEq)]
pub struct RpmInfo {
    /// RPM id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Release.
    pub release: String,
    /// Epoch.
    pub epoch: Option<i64>,
    /// Arch (`src` for SRPMs).
    pub arch: String,
    /// `N-V-R`.
    pub nvr: Option<String>,
    /// Build id.
    pub build_id: Option<i64>,
    /// Buildroot id.
    pub buildroot_id: Option<i64>,
    /// Build time, epoch seconds.
    pub buildtime: Option<i64>,
    /// Size in bytes (may exceed 2³¹).
    pub size: Option<i64>,
    /// Payload hash.
    pub payloadhash: Option<String>,
    /// External repo id (0 = internal).
    pub external_repo_id: Option<i64>,
    /// External repo name (`INTERNAL`).
    pub external_repo_name: Option<String>,
    /// Metadata-only RPM.
    pub metadata_only: Option<bool>,
}

from_struct!(RpmInfo {
    id: "id",
    name: "name",
    version: "version",
    release: "release",
    epoch: "epoch",
    arch: "arch",
    nvr: "nvr",
    build_id: "build_id",
    buildroot_id: "buildroot_id",
    buildtime: "buildtime",
    size: "size",
    payloadhash: "payloadhash",
    external_repo_id: "external_repo_id",
    external_repo_name: "external_repo_name",
    metadata_only: "metadata_only",
});

/// A package-list entry of a tag (`listPackages`).
#[derive(Debug, Clone, PartialEq)]
pub struct PackageEntry {
    /// Package id.
    pub package_id: i64,
    /// Package name.
    pub package_name: String,
    /// Tag id (of the tag the entry is inherited from).
    pub tag_id: Option<i64>,
    /// Tag name.
    pub tag_name: Option<String>,
    /// Blocked in the tag.
    pub blocked: bool,
    /// Extra arches.
    pub extra_arches: Option<String>,
    /// Owner id.
    pub owner_id: Option<i64>,
    /// Owner name.
    pub owner_name: Option<String>,
}

from_struct!(PackageEntry {
    package_id: "package_id",
    package_name: "package_name",
    tag_id: "tag_id",
    tag_name: "tag_name",
    blocked: "blocked",
    extra_arches: "extra_arches",
    owner_id: "owner_id",
    owner_name: "owner_name",
});

/// A repository (`getRepo`, `repoInfo`).
#[derive(Debug, Clone, PartialEq)]
pub struct RepoInfo {
    /// Repo id.
    pub id: i64,
    /// Tag id.
    pub tag_id: Option<i64>,
    /// Tag name.
    pub tag_name: String,
    /// State.
    pub state: RepoState,
    /// The event whose tag content the repo holds.
    pub create_event: i64,
    /// Creation, epoch seconds.
    pub create_ts: Option<f64>,
    /// Creation time as text.
    pub creation_time: Option<String>,
    /// Creation, epoch seconds (newer hubs).
    pub creation_ts: Option<f64>,
    /// Time of the last state change, epoch seconds.
    pub state_ts: Option<f64>,
    /// Last tag change at or before the repo event.
    pub begin_event: Option<i64>,
    /// First tag change after it (`None` while current).
    pub end_event: Option<i64>,
    /// Dist repo.
    pub dist: Option<bool>,
    /// The `newRepo` task.
    pub task_id: Option<i64>,
    /// Repo options.
    pub opts: Option<Struct>,
}

from_struct!(RepoInfo {
    id: "id",
    tag_id: "tag_id",
    tag_name: "tag_name",
    state: "state",
    create_event: "create_event",
    create_ts: "create_ts",
    creation_time: "creation_time",
    creation_ts: "creation_ts",
    state_ts: "state_ts",
    begin_event: "begin_event",
    end_event: "end_event",
    dist: "dist",
    task_id: "task_id",
    opts: "opts",
});

/// A comps group of a tag (`getTagGroups`).
#[derive(Debug, Clone, PartialEq)]
pub struct TagGroup {
    /// Group id.
    pub group_id: Option<i64>,
    /// Group name (`build`, `srpm-build`, …).
    pub name: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Tag id.
    pub tag_id: Option<i64>,
    /// Blocked.
    pub blocked: bool,
    /// Exported.
    pub exported: Option<bool>,
    /// User-visible.
    pub uservisible: Option<bool>,
    /// Default group.
    pub is_default: Option<bool>,
    /// Language-only group.
    pub langonly: Option<String>,
    /// Biarch-only.
    pub biarchonly: Option<bool>,
    /// Packages of the group.
    pub packagelist: Vec<GroupPackage>,
    /// Required groups (raw).
    pub grouplist: Vec<Value>,
}

from_struct!(TagGroup {
    group_id: "group_id",
    name: "name",
    display_name: "display_name",
    description: "description",
    tag_id: "tag_id",
    blocked: "blocked",
    exported: "exported",
    uservisible: "uservisible",
    is_default: "is_default",
    langonly: "langonly",
    biarchonly: "biarchonly",
    packagelist: "packagelist",
    grouplist: "grouplist",
});

impl TagGroup {
    /// Packages installed with the group (type `mandatory` or `default`, not blocked),
    /// as the original's `get_build_group` selects them.
    pub fn installed_packages(&self) -> impl Iterator<Item = &str> {
        self.packagelist
            .iter()
            .filter(|p| !p.blocked && (p.kind == "mandatory" || p.kind == "default"))
            .map(|p| p.package.as_str())
    }
}

/// One package of a comps group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupPackage {
    /// Package name.
    pub package: String,
    /// `mandatory`, `default`, `optional` or `conditional` (wire name `type`).
    pub kind: String,
    /// Blocked.
    pub blocked: bool,
    /// Base-arch only.
    pub basearchonly: Option<bool>,
    /// For conditional packages: the package it depends on.
    pub requires: Option<String>,
}

from_struct!(GroupPackage {
    package: "package",
    kind: "type",
    blocked: "blocked",
    basearchonly: "basearchonly",
    requires: "requires",
});

/// A tag (`getTag`, and `getBuildConfig` with inherited arches and extra).
#[derive(Debug, Clone, PartialEq)]
pub struct TagInfo {
    /// Tag id.
    pub id: i64,
    /// Tag name.
    pub name: String,
    /// Space-separated arches, if any.
    pub arches: Option<String>,
    /// Extra settings.
    pub extra: Option<Struct>,
    /// Locked.
    pub locked: Option<bool>,
    /// Permission name required to change it.
    pub perm: Option<String>,
    /// Permission id.
    pub perm_id: Option<i64>,
    /// Maven support.
    pub maven_support: Option<bool>,
    /// Maven include-all.
    pub maven_include_all: Option<bool>,
}

from_struct!(TagInfo {
    id: "id",
    name: "name",
    arches: "arches",
    extra: "extra",
    locked: "locked",
    perm: "perm",
    perm_id: "perm_id",
    maven_support: "maven_support",
    maven_include_all: "maven_include_all",
});

impl TagInfo {
    /// The arches as a list (`arches.split()`); empty when unset.
    pub fn arch_list(&self) -> Vec<String> {
        self.arches.as_deref().unwrap_or("").split_whitespace().map(str::to_string).collect()
    }
}

/// One dependency of an RPM (`getRPMDeps`).
#[derive(Debug, Clone, PartialEq)]
pub struct RpmDep {
    /// Dependency name.
    pub name: String,
    /// Version (`''` if unversioned).
    pub version: String,
    /// RPMSENSE flags.
    pub flags: i64,
    /// `DEP_*` type (wire name `type`).
    pub dep_type: i64,
}

from_struct!(RpmDep { name: "name", version: "version", flags: "flags", dep_type: "type" });

/// A channel (`getChannel`).
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelInfo {
    /// Channel id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Enabled.
    pub enabled: Option<bool>,
    /// Comment.
    pub comment: Option<String>,
}

from_struct!(ChannelInfo {
    id: "id",
    name: "name",
    description: "description",
    enabled: "enabled",
    comment: "comment",
});

/// A build host (`listHosts`).
#[derive(Debug, Clone, PartialEq)]
pub struct HostInfo {
    /// Host id.
    pub id: i64,
    /// Host name.
    pub name: String,
    /// Space-separated arches.
    pub arches: String,
    /// Capacity.
    pub capacity: f64,
    /// Current load.
    pub task_load: f64,
    /// Ready for tasks.
    pub ready: bool,
    /// Enabled.
    pub enabled: bool,
    /// User id of the host.
    pub user_id: Option<i64>,
    /// Description.
    pub description: Option<String>,
    /// Comment.
    pub comment: Option<String>,
    /// Last heartbeat, epoch seconds.
    pub update_ts: Option<f64>,
}

from_struct!(HostInfo {
    id: "id",
    name: "name",
    arches: "arches",
    capacity: "capacity",
    task_load: "task_load",
    ready: "ready",
    enabled: "enabled",
    user_id: "user_id",
    description: "description",
    comment: "comment",
    update_ts: "update_ts",
});

impl HostInfo {
    /// The arches as a list.
    pub fn arch_list(&self) -> impl Iterator<Item = &str> {
        self.arches.split_whitespace()
    }
}

/// A build target (`getBuildTarget`).
#[derive(Debug, Clone, PartialEq)]
pub struct BuildTarget {
    /// Target id.
    pub id: Option<i64>,
    /// Target name.
    pub name: Option<String>,
    /// Build tag id.
    pub build_tag: Option<i64>,
    /// Build tag name.
    pub build_tag_name: String,
    /// Destination tag id.
    pub dest_tag: Option<i64>,
    /// Destination tag name.
    pub dest_tag_name: String,
}

from_struct!(BuildTarget {
    id: "id",
    name: "name",
    build_tag: "build_tag",
    build_tag_name: "build_tag_name",
    dest_tag: "dest_tag",
    dest_tag_name: "dest_tag_name",
});

/// An external repository (`getExternalRepo`, `createExternalRepo`).
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalRepo {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// URL.
    pub url: Option<String>,
}

from_struct!(ExternalRepo { id: "id", name: "name", url: "url" });

/// An external repository attached to a tag (`getTagExternalRepos`).
#[derive(Debug, Clone, PartialEq)]
pub struct TagExternalRepo {
    /// External repo id.
    pub external_repo_id: i64,
    /// External repo name.
    pub external_repo_name: String,
    /// URL.
    pub url: Option<String>,
    /// Merge mode (`koji`, `simple`, `bare`).
    pub merge_mode: Option<String>,
    /// Arches filter.
    pub arches: Option<String>,
    /// Priority in the tag.
    pub priority: Option<i64>,
    /// Tag id.
    pub tag_id: Option<i64>,
    /// Tag name.
    pub tag_name: Option<String>,
}

from_struct!(TagExternalRepo {
    external_repo_id: "external_repo_id",
    external_repo_name: "external_repo_name",
    url: "url",
    merge_mode: "merge_mode",
    arches: "arches",
    priority: "priority",
    tag_id: "tag_id",
    tag_name: "tag_name",
});

/// The logged-in user (`getLoggedInUser`).
#[derive(Debug, Clone, PartialEq)]
pub struct UserInfo {
    /// User id.
    pub id: i64,
    /// User name.
    pub name: String,
    /// `USER_STATUS`.
    pub status: Option<i64>,
    /// `USERTYPES`.
    pub usertype: Option<i64>,
    /// `AUTHTYPES` of this session.
    pub authtype: Option<i64>,
    /// Kerberos principal.
    pub krb_principal: Option<String>,
}

from_struct!(UserInfo {
    id: "id",
    name: "name",
    status: "status",
    usertype: "usertype",
    authtype: "authtype",
    krb_principal: "krb_principal",
});

/// One file of a task's output directory (`listTaskOutput(stat=True)`).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskOutputFile {
    /// File name relative to the task directory.
    pub name: String,
    /// Size in bytes (sent as a string by the hub).
    pub size: Option<u64>,
    /// Modification time, epoch seconds.
    pub mtime: Option<f64>,
}

/// Reads the `listTaskOutput(stat=True)` struct `name → {st_size: str, st_mtime, …}`,
/// sorted by name.
pub fn task_output_files(value: &Value) -> Result<Vec<TaskOutputFile>, ConversionError> {
    let members =
        value.as_struct().ok_or_else(|| ConversionError::new("struct", value.type_name()))?;
    members
        .iter()
        .map(|(name, stat)| read_output_file(name, stat).map_err(|e| e.in_field(name)))
        .collect()
}

fn read_output_file(name: &str, stat: &Value) -> Result<TaskOutputFile, ConversionError> {
    let size = match stat.get("st_size") {
        Some(Value::String(s)) => Some(
            s.parse::<u64>()
                .map_err(|_| ConversionError::new("size", s.clone()).in_field("st_size"))?,
        ),
        Some(Value::Int(i)) => u64::try_from(*i).ok(),
        _ => None,
    };
    let mtime = stat.field::<Option<f64>>("st_mtime")?;
    Ok(TaskOutputFile { name: name.to_string(), size, mtime })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_output_stat_reads_string_sizes_and_names_bad_files() {
        let stat = |size: &str| {
            Value::structure([("st_size", Value::from(size)), ("st_mtime", Value::Double(1.5))])
        };
        let v = Value::structure([("build.log", stat("5000000000")), ("root.log", stat("12"))]);
        let files = task_output_files(&v).unwrap();
        assert_eq!(
            files[0],
            TaskOutputFile {
                name: "build.log".into(),
                size: Some(5_000_000_000),
                mtime: Some(1.5)
            }
        );
        assert_eq!(files[1].size, Some(12));
        let bad = Value::structure([("x.rpm", stat("big"))]);
        assert_eq!(task_output_files(&bad).unwrap_err().path, "x.rpm.st_size");
    }

    #[test]
    fn unknown_enum_codes_are_kept() {
        assert_eq!(TaskState::from_code(2), TaskState::Closed);
        assert_eq!(TaskState::from_code(9), TaskState::Other(9));
        assert_eq!(TaskState::Other(9).code(), 9);
        assert_eq!(RepoState::from_code(2).code(), 2);
        assert_eq!(TaskState::Failed.name(), Some("FAILED"));
        assert!(TaskState::Canceled.is_finished() && !TaskState::Open.is_finished());
    }
}
