//! The priority model (koschei-backend.md §3.1–§3.2): time and dependency priority, the
//! current (total) priority of a package, the reasons a package is not schedulable, the
//! failed-build bonus and the retry backoff after inconclusive builds.
//!
//! Pure code over plain snapshots; it must not touch the database, Koji or the clock (the
//! caller passes `now`). The scheduler (`scheduler::plan`) and the frontend both use it, so
//! the "Current priority" shown is the one the scheduler acts on.
//!
//! Deliberate choices (spec §12): §12.6 "has a running build" is `last_build_id IS DISTINCT
//! FROM last_complete_build_id`; §12.1 the failed-build bonus looks at the previous build of
//! the *same* package; issue 4: after inconclusive builds (Koji fault, timeout, no repo) a
//! package waits a bounded, doubling delay ([`retry_not_before`]); §12.5/§12.7 scheduler skip
//! reason 1 (no SRPM) blocks the package until the writer clears it (it must when a new build
//! of the package is registered), reason 2 (no arch) is informational — its effect is the
//! committed `manual_priority -= 1000` (see `scheduler::plan`).

use chrono::{DateTime, TimeDelta, Utc};

use crate::config::PrioritiesConfig;

/// Lowest time priority (reached about 4 h after the last build with default settings).
pub const TIME_PRIORITY_FLOOR: f64 = -30.0;
/// Hours are clamped to at least this before taking the logarithm.
pub const MIN_HOURS: f64 = 0.000_001;
/// Distance assumed for a dependency change without one (buildroot group, removal, …).
pub const UNKNOWN_DISTANCE: i32 = 8;

/// First retry delay after an inconclusive build.
pub const RETRY_BACKOFF_BASE: TimeDelta = TimeDelta::minutes(30);
/// Longest retry delay: a package in a streak of inconclusive builds is retried at most
/// about once a day (at most 6 submissions in any 24 h, see the tests).
pub const RETRY_BACKOFF_MAX: TimeDelta = TimeDelta::hours(24);

/// `time_priority = max(a·log10(hours) + b, −30)` with `a = threshold / (log10 t1 − log10 t0)`
/// and `b = −a·log10 t0`: 0 at `t0` hours, `build_threshold` at `t1` hours (spec §3.1).
/// `hours` below [`MIN_HOURS`] (including negative ones from clock skew) count as
/// `MIN_HOURS`. A configuration with `t1 == t0` or non-positive hours gives NaN, which the
/// scheduler treats as "not schedulable".
pub fn time_priority(cfg: &PrioritiesConfig, hours: f64) -> f64 {
    TimeScale::new(cfg).at(hours)
}

/// [`time_priority`] with its constants computed once (the scheduler evaluates it for every
/// package of every tick).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeScale {
    a: f64,
    b: f64,
}

impl TimeScale {
    /// The constants for `cfg`.
    pub fn new(cfg: &PrioritiesConfig) -> Self {
        let a = cfg.build_threshold as f64 / (cfg.t1.log10() - cfg.t0.log10());
        TimeScale { a, b: -a * cfg.t0.log10() }
    }

    /// Time priority after `hours` since the last build started.
    pub fn at(&self, hours: f64) -> f64 {
        (self.a * hours.max(MIN_HOURS).log10() + self.b).max(TIME_PRIORITY_FLOOR)
    }

    /// Time priority at `now` for a build started at `started`.
    pub fn since(&self, started: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
        self.at(hours_between(started, now))
    }
}

/// Fractional hours from `from` to `to` (millisecond precision).
pub fn hours_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_milliseconds() as f64 / 3_600_000.0
}

/// `int(Σ package_update / (distance or 8))` over the unapplied changes (spec §3.1, §12.9):
/// summed as floats in the given order, then truncated toward zero. A missing distance — and,
/// as Python's `or` does, a distance of 0 — counts as 8; negative distances (never produced)
/// count as 8 as well.
pub fn dependency_priority(cfg: &PrioritiesConfig, distances: &[Option<i32>]) -> i64 {
    let update = cfg.package_update as f64;
    let sum: f64 = distances
        .iter()
        .map(|d| {
            let d = d.filter(|d| *d > 0).unwrap_or(UNKNOWN_DISTANCE);
            update / f64::from(d)
        })
        .sum();
    sum as i64
}

/// The build priority to set when a scratch build finished, or `None` to leave it (at 0, as
/// completion clears it): `failed_build_priority` when the build failed and the previous
/// build *of the same package* (newest earlier build with a verdict; running and inconclusive
/// builds are ignored) is missing or did not fail. Spec §5.3 with the §12.1 bug fixed (the
/// original compared with the previous build of *any* package).
pub fn failed_build_bonus(
    cfg: &PrioritiesConfig,
    build_failed: bool,
    previous_build_failed: Option<bool>,
) -> Option<i64> {
    (build_failed && previous_build_failed != Some(true)).then_some(cfg.failed_build_priority)
}

/// Earliest time a package may be scheduled again after `consecutive_inconclusive`
/// inconclusive builds in a row, the last one ending at `last_inconclusive_at`: a delay of
/// [`RETRY_BACKOFF_BASE`] doubled per further inconclusive build, capped at
/// [`RETRY_BACKOFF_MAX`] (30 min, 1 h, 2 h, 4 h, 8 h, 16 h, 24 h, 24 h, …). Zero builds:
/// no delay.
pub fn retry_not_before(
    consecutive_inconclusive: u32,
    last_inconclusive_at: DateTime<Utc>,
) -> DateTime<Utc> {
    last_inconclusive_at + retry_delay(consecutive_inconclusive)
}

/// The delay used by [`retry_not_before`].
pub fn retry_delay(consecutive_inconclusive: u32) -> TimeDelta {
    let Some(doublings) = consecutive_inconclusive.checked_sub(1) else {
        return TimeDelta::zero();
    };
    // 2^6 · 30 min already exceeds 24 h; larger shifts are pointless (and could overflow).
    let delay = RETRY_BACKOFF_BASE * (1_i32 << doublings.min(6));
    delay.min(RETRY_BACKOFF_MAX)
}

/// The scheduler's recorded reason for skipping a package (`package.scheduler_skip_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchedulerSkipReason {
    /// 1: no SRPM found in Koji.
    NoSrpm = 1,
    /// 2: no allowed build arch.
    NoArch = 2,
}

impl SchedulerSkipReason {
    /// From the database code; unknown codes are ignored (`None`).
    pub fn from_code(code: Option<i32>) -> Option<Self> {
        match code {
            Some(1) => Some(SchedulerSkipReason::NoSrpm),
            Some(2) => Some(SchedulerSkipReason::NoArch),
            _ => None,
        }
    }

    /// The database code.
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// Why a package is not schedulable (the frontend's skip reasons, spec koschei-frontend §0,
/// plus the retry backoff). Declared in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    /// Scheduler skip reason 1.
    NoSrpm,
    /// Scheduler skip reason 2 (informational: does not by itself block scheduling).
    NoArch,
    /// Not tracked.
    NotTracked,
    /// Blocked in Koji.
    Blocked,
    /// Has a running build.
    RunningBuild,
    /// `resolved = false`.
    Unresolvable,
    /// `resolved` is NULL and resolution is not skipped.
    NotResolvedYet,
    /// No (visible) build at all.
    NoBuild,
    /// The collection's base buildroot is not installable.
    BuildrootUnresolvable,
    /// The collection's base buildroot was not resolved yet.
    BuildrootNotResolvedYet,
    /// Waiting for [`retry_not_before`] after inconclusive builds.
    RetryBackoff,
}

impl SkipReason {
    /// Every reason, in display order.
    pub const ALL: [SkipReason; 11] = [
        SkipReason::NoSrpm,
        SkipReason::NoArch,
        SkipReason::NotTracked,
        SkipReason::Blocked,
        SkipReason::RunningBuild,
        SkipReason::Unresolvable,
        SkipReason::NotResolvedYet,
        SkipReason::NoBuild,
        SkipReason::BuildrootUnresolvable,
        SkipReason::BuildrootNotResolvedYet,
        SkipReason::RetryBackoff,
    ];

    /// Whether this reason holds for the package at `now`.
    pub fn holds(self, p: &PackageSnapshot, c: &CollectionSnapshot, now: DateTime<Utc>) -> bool {
        match self {
            SkipReason::NoSrpm => p.scheduler_skip_reason == Some(SchedulerSkipReason::NoSrpm),
            SkipReason::NoArch => p.scheduler_skip_reason == Some(SchedulerSkipReason::NoArch),
            SkipReason::NotTracked => !p.tracked,
            SkipReason::Blocked => p.blocked,
            SkipReason::RunningBuild => p.last_build.is_some() && p.has_running_build(),
            SkipReason::Unresolvable => p.resolved == Some(false),
            SkipReason::NotResolvedYet => p.resolved.is_none() && !p.skip_resolution,
            SkipReason::NoBuild => p.last_build.is_none(),
            SkipReason::BuildrootUnresolvable => c.latest_repo_resolved == Some(false),
            SkipReason::BuildrootNotResolvedYet => c.latest_repo_resolved.is_none(),
            SkipReason::RetryBackoff => {
                p.inconclusive.is_some_and(|s| now < retry_not_before(s.count, s.last_at))
            }
        }
    }

    /// Whether the reason makes the package unschedulable ([`SkipReason::NoArch`] does not).
    pub fn blocks(self) -> bool {
        self != SkipReason::NoArch
    }

    /// The text shown to users; `collection` is the collection's display name.
    pub fn text(self, collection: &str) -> String {
        match self {
            SkipReason::NoSrpm => "No suitable SRPM was found".to_owned(),
            SkipReason::NoArch => "No build architecture allowed for SRPM".to_owned(),
            SkipReason::NotTracked => "Package is not tracked".to_owned(),
            SkipReason::Blocked => "Package is blocked in koji".to_owned(),
            SkipReason::RunningBuild => "Package has a running build".to_owned(),
            SkipReason::Unresolvable => "Package dependencies are not resolvable".to_owned(),
            SkipReason::NotResolvedYet => "Package dependencies were not resolved yet".to_owned(),
            SkipReason::NoBuild => "Package has no known build".to_owned(),
            SkipReason::BuildrootUnresolvable => {
                format!("Base buildroot for {collection} is not resolvable")
            }
            SkipReason::BuildrootNotResolvedYet => {
                format!("Base buildroot for {collection} was not resolved yet")
            }
            SkipReason::RetryBackoff => "Waiting to retry after an inconclusive build".to_owned(),
        }
    }
}

/// A streak of inconclusive builds since the package's last build with a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InconclusiveStreak {
    /// Number of inconclusive builds newer than the newest complete/failed build.
    pub count: u32,
    /// When the newest of them ended (its `finished`, else `started`).
    pub last_at: DateTime<Utc>,
}

/// The package's last build as far as priorities care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastBuild {
    /// `package.last_build_id`.
    pub id: i32,
    /// That build's `started` (time priority counts from it).
    pub started: DateTime<Utc>,
}

/// Everything the priority of one package depends on (one `package` row plus its last
/// build's start time and its inconclusive streak).
#[derive(Debug, Clone, PartialEq)]
pub struct PackageSnapshot {
    /// `package.id`.
    pub id: i32,
    /// Package name (for display and tracing only).
    pub name: String,
    /// `package.collection_id`.
    pub collection_id: i32,
    /// Tracked by Koschei.
    pub tracked: bool,
    /// Blocked in Koji.
    pub blocked: bool,
    /// Result of the last resolution (`None` = not attempted).
    pub resolved: Option<bool>,
    /// Resolution skipped: `resolved = None` counts as resolved.
    pub skip_resolution: bool,
    /// Last (visible) build; `None` when the package has none.
    pub last_build: Option<LastBuild>,
    /// `package.last_complete_build_id`.
    pub last_complete_build_id: Option<i32>,
    /// User-set priority.
    pub manual_priority: i32,
    /// Admin-set priority.
    pub static_priority: i32,
    /// From unapplied dependency changes.
    pub dependency_priority: i32,
    /// Failed-build / unresolvable-build bonus.
    pub build_priority: i32,
    /// Arch override text (`"x86_64 i386"` or `"^armhfp"`).
    pub arch_override: Option<String>,
    /// Recorded scheduler skip reason.
    pub scheduler_skip_reason: Option<SchedulerSkipReason>,
    /// Inconclusive builds since the last verdict, if any.
    pub inconclusive: Option<InconclusiveStreak>,
}

impl PackageSnapshot {
    /// Spec §12.6 fixed: a running build exists when the last build differs from the last
    /// complete build, with NULL-safe comparison (`IS DISTINCT FROM`).
    pub fn has_running_build(&self) -> bool {
        self.last_build.map(|b| b.id) != self.last_complete_build_id
    }
}

/// The collection fields priorities depend on.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectionSnapshot {
    /// `collection.id`.
    pub id: i32,
    /// Machine name (`f40`).
    pub name: String,
    /// Display name, used in skip reason texts.
    pub display_name: String,
    /// Multiplies the dynamic priority.
    pub priority_coefficient: f64,
    /// Whether the base buildroot of the latest repo is installable (`None` = not yet known).
    pub latest_repo_resolved: Option<bool>,
}

/// The components of a schedulable package's current priority.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriorityBreakdown {
    /// Manual priority.
    pub manual: i32,
    /// Static priority.
    pub static_: i32,
    /// Dependency priority (multiplied by the coefficient in the total, like build and time).
    pub dependency: i32,
    /// Build priority.
    pub build: i32,
    /// Time priority.
    pub time: f64,
    /// The collection's coefficient.
    pub coefficient: f64,
}

impl PriorityBreakdown {
    /// `manual + static + coefficient · (dependency + build + time)`, exact (the scheduler
    /// orders and compares with this value).
    pub fn total(&self) -> f64 {
        let dynamic = f64::from(self.dependency) + f64::from(self.build) + self.time;
        f64::from(self.manual) + f64::from(self.static_) + dynamic * self.coefficient
    }
}

/// Every reason that holds for the package, in display order (empty when it is schedulable
/// and has no recorded scheduler skip). Lists [`SkipReason::NoArch`] too.
pub fn skip_reasons(
    p: &PackageSnapshot,
    c: &CollectionSnapshot,
    now: DateTime<Utc>,
) -> Vec<SkipReason> {
    SkipReason::ALL.into_iter().filter(|r| r.holds(p, c, now)).collect()
}

/// The package's priority components, or the first (display-order) reason that blocks it.
pub fn priority_breakdown(
    scale: &TimeScale,
    p: &PackageSnapshot,
    c: &CollectionSnapshot,
    now: DateTime<Utc>,
) -> Result<PriorityBreakdown, SkipReason> {
    if let Some(r) = SkipReason::ALL.into_iter().find(|r| r.blocks() && r.holds(p, c, now)) {
        return Err(r);
    }
    let Some(last) = p.last_build else { return Err(SkipReason::NoBuild) };
    Ok(PriorityBreakdown {
        manual: p.manual_priority,
        static_: p.static_priority,
        dependency: p.dependency_priority,
        build: p.build_priority,
        time: scale.since(last.started, now),
        coefficient: c.priority_coefficient,
    })
}

/// The exact current priority (what the scheduler compares with the threshold).
pub fn current_priority_exact(
    cfg: &PrioritiesConfig,
    p: &PackageSnapshot,
    c: &CollectionSnapshot,
    now: DateTime<Utc>,
) -> Result<f64, SkipReason> {
    priority_breakdown(&TimeScale::new(cfg), p, c, now).map(|b| b.total())
}

/// The current priority as shown to users ("Current priority"): the exact value truncated
/// toward zero like the original's `int()`, saturating at the `i64` range (NaN → 0).
pub fn current_priority(
    cfg: &PrioritiesConfig,
    p: &PackageSnapshot,
    c: &CollectionSnapshot,
    now: DateTime<Utc>,
) -> Result<i64, SkipReason> {
    current_priority_exact(cfg, p, c, now).map(|v| v as i64)
}

#[cfg(test)]
#[path = "priority_tests.rs"]
mod tests;
