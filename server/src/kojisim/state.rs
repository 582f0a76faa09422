//! The simulated hub's state: tags with inheritance, targets, package lists, builds and
//! their RPMs, tagging history, tasks, repos, hosts, channels, users, sessions, events and
//! the in-memory file tree served under `topurl`.
//!
//! Pure data plus small mutators: no IO, no clock (callers pass `now` as epoch seconds),
//! no XML-RPC encoding (see `shapes.rs`). Read queries over history live in `query.rs`.

use std::collections::BTreeMap;

use crate::koji::xmlrpc::{Fault, Struct, Value};

/// `koji.TASK_STATES`.
pub mod task_state {
    /// Waiting for a host.
    pub const FREE: i64 = 0;
    /// Running.
    pub const OPEN: i64 = 1;
    /// Finished successfully.
    pub const CLOSED: i64 = 2;
    /// Canceled.
    pub const CANCELED: i64 = 3;
    /// Assigned to a host, not yet opened.
    pub const ASSIGNED: i64 = 4;
    /// Finished with a fault.
    pub const FAILED: i64 = 5;
    /// The state's name as Koji spells it.
    pub fn name(state: i64) -> &'static str {
        ["FREE", "OPEN", "CLOSED", "CANCELED", "ASSIGNED", "FAILED"]
            .get(usize::try_from(state).unwrap_or(usize::MAX))
            .copied()
            .unwrap_or("UNKNOWN")
    }
    /// CLOSED, CANCELED or FAILED.
    pub fn is_done(state: i64) -> bool {
        matches!(state, CLOSED | CANCELED | FAILED)
    }
}

/// `koji.BUILD_STATES`.
pub mod build_state {
    /// Being built.
    pub const BUILDING: i64 = 0;
    /// Finished.
    pub const COMPLETE: i64 = 1;
    /// Deleted.
    pub const DELETED: i64 = 2;
    /// Failed.
    pub const FAILED: i64 = 3;
    /// Canceled.
    pub const CANCELED: i64 = 4;
}

/// `koji.REPO_STATES`.
pub mod repo_state {
    /// Being generated.
    pub const INIT: i64 = 0;
    /// Usable.
    pub const READY: i64 = 1;
    /// Superseded.
    pub const EXPIRED: i64 = 2;
    /// Files removed.
    pub const DELETED: i64 = 3;
    /// Generation failed.
    pub const PROBLEM: i64 = 4;
}

/// One inheritance link of a tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Parent {
    /// The parent tag.
    pub parent_id: i64,
    /// Lower is searched first.
    pub priority: i64,
}

/// A tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    /// Tag id.
    pub id: i64,
    /// Tag name.
    pub name: String,
    /// Space-separated arches, if any.
    pub arches: Option<String>,
    /// Inheritance links.
    pub parents: Vec<Parent>,
    /// Locked tags reject tagging.
    pub locked: bool,
    /// Permission name required to tag, if any.
    pub perm: Option<String>,
    /// The tag's `extra` map.
    pub extra: Struct,
}

/// A build target.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Target id.
    pub id: i64,
    /// Target name.
    pub name: String,
    /// Tag builds run in.
    pub build_tag: i64,
    /// Tag successful real builds go to.
    pub dest_tag: i64,
}

/// An entry of a tag's package list.
#[derive(Debug, Clone, PartialEq)]
pub struct PkgListEntry {
    /// The tag.
    pub tag_id: i64,
    /// The package.
    pub package_id: i64,
    /// Blocked in this tag (and its children unless they override).
    pub blocked: bool,
    /// Owner user id.
    pub owner_id: i64,
    /// Extra arches, if any.
    pub extra_arches: Option<String>,
    /// Event that created the entry.
    pub create_event: i64,
}

/// A build (real or imported).
#[derive(Debug, Clone, PartialEq)]
pub struct Build {
    /// Build id.
    pub id: i64,
    /// Package id.
    pub package_id: i64,
    /// Package name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Release.
    pub release: String,
    /// Epoch, if any.
    pub epoch: Option<i64>,
    /// `build_state`.
    pub state: i64,
    /// The build task, `None` for imported builds.
    pub task_id: Option<i64>,
    /// Owner user id.
    pub owner_id: i64,
    /// Creation event.
    pub create_event: i64,
    /// Start, epoch seconds.
    pub start_ts: f64,
    /// Completion, epoch seconds.
    pub completion_ts: f64,
}

impl Build {
    /// `name-version-release`.
    pub fn nvr(&self) -> String {
        format!("{}-{}-{}", self.name, self.version, self.release)
    }
}

/// An RPM of a build: binary, or the SRPM (arch `src`) whose requires are BuildRequires.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rpm {
    /// RPM id.
    pub id: i64,
    /// Owning build.
    pub build_id: i64,
    /// Package (sub-package) name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Release.
    pub release: String,
    /// Epoch, if any.
    pub epoch: Option<i64>,
    /// Arch (`src`, `noarch`, `x86_64`, …).
    pub arch: String,
    /// Provides as dependency text (the self-provide is implicit).
    pub provides: Vec<String>,
    /// Requires (BuildRequires for the SRPM), dependency text, rich deps allowed.
    pub requires: Vec<String>,
    /// Files owned by the package (absolute paths).
    pub files: Vec<String>,
    /// SRPM headers: `BuildArch` values.
    pub build_archs: Vec<String>,
    /// SRPM headers: `ExclusiveArch`.
    pub exclusive_arch: Vec<String>,
    /// SRPM headers: `ExcludeArch`.
    pub exclude_arch: Vec<String>,
    /// One-line summary.
    pub summary: String,
    /// Payload size in bytes.
    pub size: i64,
    /// Build time, epoch seconds.
    pub buildtime: i64,
}

impl Rpm {
    /// `name-version-release.arch.rpm`.
    pub fn filename(&self) -> String {
        format!("{}-{}-{}.{}.rpm", self.name, self.version, self.release, self.arch)
    }
}

/// One tagging of a build: active while `revoke_event` is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Tagging {
    /// The build.
    pub build_id: i64,
    /// The tag.
    pub tag_id: i64,
    /// Event of tagging.
    pub create_event: i64,
    /// Event of untagging.
    pub revoke_event: Option<i64>,
}

/// The outcome the policy chose for a simulated task (not part of Koji's task row).
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Close successfully.
    Succeed,
    /// Fail with `BuildError` and this `build.log` excerpt.
    Fail {
        /// Log file name (`build.log` or `root.log`).
        log_name: String,
        /// The log text.
        log: String,
        /// The fault stored as the task result.
        fault: Fault,
    },
    /// Fail with an infrastructure fault (the task result is this fault).
    Fault(Fault),
    /// Never finish on its own.
    Hold,
}

/// A task.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Task id.
    pub id: i64,
    /// Method (`build`, `rebuildSRPM`, `buildArch`, `newRepo`, `createrepo`, `tagBuild`).
    pub method: String,
    /// `task_state`.
    pub state: i64,
    /// Task arch.
    pub arch: String,
    /// Subtask label.
    pub label: Option<String>,
    /// Parent task.
    pub parent: Option<i64>,
    /// Owner user id.
    pub owner: i64,
    /// Host running it.
    pub host_id: Option<i64>,
    /// Channel.
    pub channel_id: i64,
    /// Priority (lower = sooner).
    pub priority: i64,
    /// Weight (load it puts on a host).
    pub weight: f64,
    /// Parent waiting on children.
    pub waiting: Option<bool>,
    /// Child being waited on.
    pub awaited: Option<bool>,
    /// Creation, epoch seconds.
    pub create_ts: f64,
    /// Opening, epoch seconds.
    pub start_ts: Option<f64>,
    /// Completion, epoch seconds.
    pub completion_ts: Option<f64>,
    /// The call parameters (kwargs encoded as Koji does).
    pub request: Vec<Value>,
    /// Result once finished: a value, or the stored fault.
    pub result: Option<Result<Value, Fault>>,
    /// Simulator bookkeeping: when an OPEN task is due to finish.
    pub due_ts: Option<f64>,
    /// Simulator bookkeeping: the decided outcome.
    pub outcome: Option<Outcome>,
}

/// Options of a repo.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RepoOpts {
    /// Include SRPMs in each arch repo.
    pub src: bool,
    /// Include debuginfo.
    pub debuginfo: bool,
    /// Separate `src` repo.
    pub separate_src: bool,
    /// Maven repo.
    pub maven: bool,
}

/// A repo.
#[derive(Debug, Clone, PartialEq)]
pub struct Repo {
    /// Repo id.
    pub id: i64,
    /// Tag.
    pub tag_id: i64,
    /// `repo_state`.
    pub state: i64,
    /// Tag content snapshot.
    pub create_event: i64,
    /// Creation, epoch seconds.
    pub create_ts: f64,
    /// Last state change, epoch seconds.
    pub state_ts: f64,
    /// Options.
    pub opts: RepoOpts,
    /// The newRepo task.
    pub task_id: Option<i64>,
}

/// A build host.
#[derive(Debug, Clone, PartialEq)]
pub struct Host {
    /// Host id.
    pub id: i64,
    /// Its user id.
    pub user_id: i64,
    /// Host name.
    pub name: String,
    /// Space-separated arches.
    pub arches: String,
    /// Capacity.
    pub capacity: f64,
    /// Load from outside the simulation (added to the weight of its open tasks).
    pub base_load: f64,
    /// Ready for tasks.
    pub ready: bool,
    /// Enabled.
    pub enabled: bool,
    /// Channel ids.
    pub channels: Vec<i64>,
    /// Description.
    pub description: Option<String>,
}

/// A channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    /// Channel id.
    pub id: i64,
    /// Channel name.
    pub name: String,
    /// Enabled.
    pub enabled: bool,
}

/// A user.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// User id.
    pub id: i64,
    /// Login name.
    pub name: String,
    /// Password for `login`, if password login is allowed.
    pub password: Option<String>,
    /// Permissions (`admin`, `repo`, `tag`, …).
    pub perms: Vec<String>,
    /// `USERTYPES`: NORMAL 0, HOST 1.
    pub usertype: i64,
    /// Kerberos principal (set when the user logged in with GSSAPI).
    pub krb_principal: Option<String>,
}

/// A comps group of a tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Group id.
    pub id: i64,
    /// Tag it is defined in.
    pub tag_id: i64,
    /// Group name (`build`, `srpm-build`).
    pub name: String,
    /// Package requirements: (name, type, blocked).
    pub packages: Vec<(String, String, bool)>,
}

/// A login session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Session id.
    pub id: i64,
    /// Logged-in user.
    pub user_id: i64,
    /// Session key.
    pub key: String,
    /// Last stored callnum.
    pub callnum: Option<i64>,
    /// `AUTHTYPES`: NORMAL 0 (password), SSL 2, GSSAPI 3.
    pub authtype: i64,
}

/// The whole hub.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// Last event id.
    pub event: i64,
    /// Event timestamps, by id.
    pub event_ts: BTreeMap<i64, f64>,
    /// Tags by id.
    pub tags: BTreeMap<i64, Tag>,
    /// Targets by id.
    pub targets: BTreeMap<i64, Target>,
    /// Package names by id.
    pub packages: BTreeMap<i64, String>,
    /// Package-list entries.
    pub pkg_list: Vec<PkgListEntry>,
    /// Builds by id.
    pub builds: BTreeMap<i64, Build>,
    /// RPMs by id.
    pub rpms: BTreeMap<i64, Rpm>,
    /// Tagging history, oldest first.
    pub taggings: Vec<Tagging>,
    /// Tasks by id.
    pub tasks: BTreeMap<i64, Task>,
    /// Repos by id.
    pub repos: BTreeMap<i64, Repo>,
    /// Hosts by id.
    pub hosts: BTreeMap<i64, Host>,
    /// Channels by id.
    pub channels: BTreeMap<i64, Channel>,
    /// Users by id.
    pub users: BTreeMap<i64, User>,
    /// Comps groups.
    pub groups: Vec<Group>,
    /// Open sessions by id.
    pub sessions: BTreeMap<i64, Session>,
    /// Files under `topdir` (`work/tasks/…`, `repos/…`, `packages/…`).
    pub files: BTreeMap<String, Vec<u8>>,
    next_id: BTreeMap<&'static str, i64>,
}

impl State {
    /// An empty hub with the `default` and `createrepo` channels.
    pub fn new() -> State {
        let mut s = State::default();
        for name in ["default", "createrepo"] {
            let id = s.alloc("channel");
            s.channels.insert(id, Channel { id, name: name.to_string(), enabled: true });
        }
        s
    }

    /// Allocates the next id of a kind (`tag`, `build`, `task`, …), starting at 1.
    pub fn alloc(&mut self, kind: &'static str) -> i64 {
        let next = self.next_id.entry(kind).or_insert(0);
        *next += 1;
        *next
    }

    /// Starts a new event at `now` and returns its id.
    pub fn new_event(&mut self, now: f64) -> i64 {
        self.event += 1;
        self.event_ts.insert(self.event, now);
        self.event
    }

    /// Tag by id or name.
    pub fn tag_by(&self, key: &Value) -> Option<&Tag> {
        match key {
            Value::Int(id) => self.tags.get(id),
            Value::String(name) => self.tag_named(name),
            _ => None,
        }
    }

    /// Tag by name.
    pub fn tag_named(&self, name: &str) -> Option<&Tag> {
        self.tags.values().find(|t| t.name == name)
    }

    /// Target by id or name.
    pub fn target_by(&self, key: &Value) -> Option<&Target> {
        match key {
            Value::Int(id) => self.targets.get(id),
            Value::String(name) => self.targets.values().find(|t| &t.name == name),
            _ => None,
        }
    }

    /// User by name.
    pub fn user_named(&self, name: &str) -> Option<&User> {
        self.users.values().find(|u| u.name == name)
    }

    /// Channel by id or name.
    pub fn channel_by(&self, key: &Value) -> Option<&Channel> {
        match key {
            Value::Int(id) => self.channels.get(id),
            Value::String(name) => self.channels.values().find(|c| &c.name == name),
            _ => None,
        }
    }

    /// Package id for a name, creating the package if needed.
    pub fn package_id(&mut self, name: &str) -> i64 {
        if let Some((id, _)) = self.packages.iter().find(|(_, n)| *n == name) {
            return *id;
        }
        let id = self.alloc("package");
        self.packages.insert(id, name.to_string());
        id
    }

    /// Build by NVR.
    pub fn build_by_nvr(&self, nvr: &str) -> Option<&Build> {
        self.builds.values().find(|b| b.nvr() == nvr)
    }

    /// Build by id, NVR string or `{name, version, release}` struct.
    pub fn build_by(&self, key: &Value) -> Option<&Build> {
        match key {
            Value::Int(id) => self.builds.get(id),
            Value::String(nvr) => self.build_by_nvr(nvr),
            Value::Struct(m) => {
                let text = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or_default();
                let nvr = format!("{}-{}-{}", text("name"), text("version"), text("release"));
                self.build_by_nvr(&nvr)
            }
            _ => None,
        }
    }

    /// RPMs of a build.
    pub fn build_rpms(&self, build_id: i64) -> impl Iterator<Item = &Rpm> {
        self.rpms.values().filter(move |r| r.build_id == build_id)
    }

    /// The SRPM of a build, if it has one.
    pub fn build_srpm(&self, build_id: i64) -> Option<&Rpm> {
        self.build_rpms(build_id).find(|r| r.arch == "src")
    }

    /// Adds a package-list entry (or updates the blocked flag of an existing one).
    pub fn add_to_pkg_list(&mut self, tag_id: i64, name: &str, owner_id: i64, blocked: bool) {
        let package_id = self.package_id(name);
        let event = self.event;
        match self.pkg_list.iter_mut().find(|e| e.tag_id == tag_id && e.package_id == package_id) {
            Some(entry) => entry.blocked = blocked,
            None => self.pkg_list.push(PkgListEntry {
                tag_id,
                package_id,
                blocked,
                owner_id,
                extra_arches: None,
                create_event: event,
            }),
        }
    }

    /// Whether the build is currently tagged into the tag.
    pub fn is_tagged(&self, build_id: i64, tag_id: i64) -> bool {
        self.taggings
            .iter()
            .any(|t| t.build_id == build_id && t.tag_id == tag_id && t.revoke_event.is_none())
    }

    /// Tags a build (new event). Returns false if it was already tagged.
    pub fn tag_build(&mut self, tag_id: i64, build_id: i64, now: f64) -> bool {
        if self.is_tagged(build_id, tag_id) {
            return false;
        }
        let create_event = self.new_event(now);
        self.taggings.push(Tagging { build_id, tag_id, create_event, revoke_event: None });
        true
    }

    /// Untags a build (new event). Returns false if it was not tagged.
    pub fn untag_build(&mut self, tag_id: i64, build_id: i64, now: f64) -> bool {
        if !self.is_tagged(build_id, tag_id) {
            return false;
        }
        let event = self.new_event(now);
        for t in &mut self.taggings {
            if t.build_id == build_id && t.tag_id == tag_id && t.revoke_event.is_none() {
                t.revoke_event = Some(event);
            }
        }
        true
    }

    /// Whether a user has a permission (admin implies every permission).
    pub fn has_perm(&self, user_id: i64, perm: &str) -> bool {
        self.users.get(&user_id).is_some_and(|u| u.perms.iter().any(|p| p == perm || p == "admin"))
    }

    /// Stores a file under topdir.
    pub fn put_file(&mut self, path: impl Into<String>, data: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), data.into());
    }
}

/// `tasks/{id % 10000}/{id}`: a task's work directory relative to `<topdir>/work`.
pub fn task_relpath(task_id: i64) -> String {
    format!("tasks/{}/{}", task_id.rem_euclid(10000), task_id)
}
