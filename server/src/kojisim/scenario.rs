//! Scenarios: the TOML format that seeds the simulator (users, tags with inheritance and
//! groups, targets, hosts, builds with their RPMs and dependencies, outcome rules and
//! scheduled updates), documented in `SCENARIO.md`, and [`builtin`], a ready-made
//! Fedora-like scenario.
//!
//! Parsing and seeding only; no IO except [`Scenario::load`], which reads one file.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::clock::{Hub, SimClock};
use super::policy::{Rule, RuleAction};
use super::state::State;

/// Errors loading a scenario.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The TOML is invalid or does not match the format.
    #[error("invalid scenario: {0}")]
    Toml(#[from] toml::de::Error),
    /// A reference to something undefined, a bad NVR, …
    #[error("invalid scenario: {0}")]
    Invalid(String),
}

/// A whole scenario (see SCENARIO.md).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Start time of the manual clock (RFC 3339); default 2026-01-01T00:00:00Z.
    pub start: Option<String>,
    /// Create a READY repo for every target's build tag at start (default true).
    pub initial_repos: Option<bool>,
    /// Durations and switches.
    #[serde(default)]
    pub settings: SettingsSpec,
    /// Users.
    #[serde(default, rename = "user")]
    pub users: Vec<UserSpec>,
    /// Tags, parents before children.
    #[serde(default, rename = "tag")]
    pub tags: Vec<TagSpec>,
    /// Build targets.
    #[serde(default, rename = "target")]
    pub targets: Vec<TargetSpec>,
    /// Build hosts.
    #[serde(default, rename = "host")]
    pub hosts: Vec<HostSpec>,
    /// Builds present at start.
    #[serde(default, rename = "build")]
    pub builds: Vec<BuildSpec>,
    /// Outcome rules.
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleSpec>,
    /// Scheduled updates.
    #[serde(default, rename = "update")]
    pub updates: Vec<UpdateSpec>,
}

/// `[settings]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsSpec {
    /// Seconds per rebuildSRPM.
    pub srpm_duration: Option<f64>,
    /// Seconds per buildArch.
    pub arch_duration: Option<f64>,
    /// Seconds per createrepo.
    pub repo_duration: Option<f64>,
    /// Expire older repos when a new one is READY.
    pub expire_old_repos: Option<bool>,
    /// Give builds the CLOSED task tree of a real build (default false).
    pub build_tasks: Option<bool>,
}

/// `[[user]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    /// Name.
    pub name: String,
    /// Password for `login`.
    pub password: Option<String>,
    /// Permissions.
    #[serde(default)]
    pub perms: Vec<String>,
}

/// A parent link: a tag name, or `{ name, priority }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ParentSpec {
    /// Priority 0… in list order ×10.
    Name(String),
    /// Explicit priority.
    Full {
        /// Parent tag name.
        name: String,
        /// Priority.
        priority: i64,
    },
}

/// `[[tag]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagSpec {
    /// Name.
    pub name: String,
    /// Space-separated arches.
    pub arches: Option<String>,
    /// Parents.
    #[serde(default)]
    pub parents: Vec<ParentSpec>,
    /// Locked.
    #[serde(default)]
    pub locked: bool,
    /// Extra (string, integer, float or boolean values).
    #[serde(default)]
    pub extra: BTreeMap<String, toml::Value>,
    /// Package list.
    #[serde(default)]
    pub packages: Vec<String>,
    /// Blocked packages.
    #[serde(default)]
    pub blocked: Vec<String>,
    /// Owner of the package-list entries (default: first user).
    pub owner: Option<String>,
    /// Comps groups: group name → package names.
    #[serde(default)]
    pub groups: BTreeMap<String, Vec<String>>,
}

/// `[[target]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    /// Name.
    pub name: String,
    /// Build tag name.
    pub build_tag: String,
    /// Destination tag name.
    pub dest_tag: String,
}

/// `[[host]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostSpec {
    /// Name.
    pub name: String,
    /// Space-separated arches.
    pub arches: String,
    /// Capacity (default 4).
    pub capacity: Option<f64>,
    /// Load from outside the simulation (default 0).
    pub load: Option<f64>,
    /// Ready (default true).
    pub ready: Option<bool>,
    /// Enabled (default true).
    pub enabled: Option<bool>,
    /// Channels (default `default` and `createrepo`).
    pub channels: Option<Vec<String>>,
}

/// `[[build]]` (also inside updates).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildSpec {
    /// `name-version-release`.
    pub nvr: String,
    /// Epoch.
    pub epoch: Option<i64>,
    /// Tags to tag it into (in order).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Owner (default: first user).
    pub owner: Option<String>,
    /// Arches of the binary RPMs (default `["noarch"]`).
    pub arches: Option<Vec<String>>,
    /// The SRPM's BuildRequires.
    #[serde(default)]
    pub build_requires: Vec<String>,
    /// SRPM `BuildArch` header.
    #[serde(default)]
    pub build_arch: Vec<String>,
    /// SRPM `ExclusiveArch`.
    #[serde(default)]
    pub exclusive_arch: Vec<String>,
    /// SRPM `ExcludeArch`.
    #[serde(default)]
    pub exclude_arch: Vec<String>,
    /// Provides of the main package.
    #[serde(default)]
    pub provides: Vec<String>,
    /// Requires of the main package.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Files of the main package.
    #[serde(default)]
    pub files: Vec<String>,
    /// Extra sub-packages.
    #[serde(default, rename = "rpm")]
    pub rpms: Vec<RpmSpec>,
}

/// `[[build.rpm]]`: a sub-package.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RpmSpec {
    /// Name.
    pub name: String,
    /// `noarch` to build it once as noarch; default: the build's arches.
    pub arch: Option<String>,
    /// Provides.
    #[serde(default)]
    pub provides: Vec<String>,
    /// Requires.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Files.
    #[serde(default)]
    pub files: Vec<String>,
}

/// `[[rule]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Package name glob.
    pub package: String,
    /// Exact NVR.
    pub nvr: Option<String>,
    /// Task arch.
    pub arch: Option<String>,
    /// `arch` (default) or `srpm`.
    pub stage: Option<String>,
    /// Only when the resolved buildroot satisfies this dependency (buildArch only).
    pub buildroot: Option<String>,
    /// `succeed`, `fail`, `fault` or `hold`.
    pub outcome: String,
    /// build.log excerpt for `fail`.
    pub log: Option<String>,
    /// Fault code for `fault` (default 1).
    pub fault_code: Option<i64>,
    /// Fault string for `fault`.
    pub fault_string: Option<String>,
}

/// `[[update]]`: changes applied at `start + at` seconds.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateSpec {
    /// Seconds after the start.
    pub at: f64,
    /// New builds (tagged into their `tags`).
    #[serde(default, rename = "build")]
    pub builds: Vec<BuildSpec>,
    /// Existing builds to tag: `{ tag, nvr }`.
    #[serde(default)]
    pub tag: Vec<TagRef>,
    /// Builds to untag: `{ tag, nvr }`.
    #[serde(default)]
    pub untag: Vec<TagRef>,
    /// Tags to regenerate a repo for (a newRepo task is created).
    #[serde(default)]
    pub new_repo: Vec<String>,
}

/// A build in a tag.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagRef {
    /// Tag name.
    pub tag: String,
    /// Build NVR.
    pub nvr: String,
}

/// A scheduled update with its absolute time.
#[derive(Debug, Clone)]
pub struct Update {
    /// Epoch seconds.
    pub at: f64,
    /// What to do.
    pub spec: UpdateSpec,
}

const BUILTIN: &str = include_str!("builtin.toml");

/// The built-in scenario (see `builtin.toml`): target `f99` (build tag `f99-build`, arches
/// x86_64 and aarch64, destination `f99-updates-candidate`, both inheriting `f99`), a
/// realistic build group, a few dozen builds whose BuildRequires resolve, a package that
/// fails to resolve, users `kojiadmin`/`kojiadmin` (admin) and `koschei`/`koschei`.
pub fn builtin() -> Scenario {
    Scenario::from_toml(BUILTIN).unwrap_or_default()
}

/// The built-in scenario's TOML text.
pub fn builtin_toml() -> &'static str {
    BUILTIN
}

impl Scenario {
    /// Parses scenario TOML.
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        Ok(toml::from_str(text)?)
    }

    /// Reads a scenario file, or `scenario.toml` inside a directory.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let file = if path.is_dir() { path.join("scenario.toml") } else { path.to_path_buf() };
        let text = std::fs::read_to_string(&file)
            .map_err(|source| ScenarioError::Io { path: file.display().to_string(), source })?;
        Scenario::from_toml(&text)
    }

    /// The manual clock's start (epoch seconds).
    pub fn start_ts(&self) -> Result<f64, ScenarioError> {
        let text = self.start.as_deref().unwrap_or("2026-01-01T00:00:00Z");
        chrono::DateTime::parse_from_rfc3339(text)
            .map(|d| d.timestamp() as f64)
            .map_err(|e| ScenarioError::Invalid(format!("start {text:?}: {e}")))
    }

    /// Builds a hub seeded with this scenario. A manual clock starts at `start`.
    pub fn into_hub(self, real_clock: bool) -> Result<Hub, ScenarioError> {
        let start = self.start_ts()?;
        let clock = if real_clock { SimClock::Real } else { SimClock::Manual { now: start } };
        let now = clock.now();
        let mut hub = Hub::new(State::new(), clock);
        let s = &self.settings;
        let d = &mut hub.settings;
        d.srpm_duration = s.srpm_duration.unwrap_or(d.srpm_duration);
        d.arch_duration = s.arch_duration.unwrap_or(d.arch_duration);
        d.repo_duration = s.repo_duration.unwrap_or(d.repo_duration);
        d.expire_old_repos = s.expire_old_repos.unwrap_or(d.expire_old_repos);
        d.build_tasks = s.build_tasks.unwrap_or(d.build_tasks);
        super::seed::seed(&mut hub, &self, now)?;
        hub.rules = self.rules.iter().map(rule).collect::<Result<_, _>>()?;
        let base = if real_clock { now } else { start };
        hub.updates =
            self.updates.iter().map(|u| Update { at: base + u.at, spec: u.clone() }).collect();
        Ok(hub)
    }
}

fn rule(r: &RuleSpec) -> Result<Rule, ScenarioError> {
    let action = match r.outcome.as_str() {
        "succeed" => RuleAction::Succeed,
        "hold" => RuleAction::Hold,
        "fail" => RuleAction::Fail {
            log: r.log.clone().unwrap_or_else(|| {
                "error: Bad exit status from /var/tmp/rpm-tmp.kojisim (%build)\n".to_string()
            }),
        },
        "fault" => RuleAction::Fault {
            code: r.fault_code.unwrap_or(1),
            string: r.fault_string.clone().unwrap_or_else(|| {
                "<class 'OSError'>: [Errno 28] No space left on device".to_string()
            }),
        },
        other => return Err(ScenarioError::Invalid(format!("unknown rule outcome {other:?}"))),
    };
    let stage = r.stage.clone().unwrap_or_else(|| "arch".to_string());
    if r.buildroot.is_some() && stage != "arch" {
        return Err(ScenarioError::Invalid(format!(
            "rule for {}: `buildroot` applies to the arch stage only",
            r.package
        )));
    }
    if let Some(dep) = &r.buildroot {
        crate::rpm::Dep::parse(dep).map_err(|e| {
            ScenarioError::Invalid(format!("rule for {}: buildroot {dep:?}: {e}", r.package))
        })?;
    }
    Ok(Rule {
        package: r.package.clone(),
        nvr: r.nvr.clone(),
        arch: r.arch.clone(),
        stage,
        buildroot: r.buildroot.clone(),
        action,
    })
}
