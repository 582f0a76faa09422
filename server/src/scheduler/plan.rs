//! The scheduler's decision core (koschei-backend.md §3.3, §12.4, §12.5): which package to
//! submit as a scratch build this tick, if any, and which scheduler skips to record.
//!
//! Pure and synchronous: it must not touch the database, Koji or the clock. The caller loads
//! a [`SchedulerSnapshot`], calls [`plan`], then drives the returned [`Plan`] — a step
//! machine — by answering each [`Decision`] with data it fetched from Koji:
//!
//! ```text
//! let mut run = plan(&snapshot, now);
//! loop {
//!     match run.decision() {
//!         NeedArches { package, collection, .. } => run.provide_arches(tag_arches, headers)?,
//!         NeedLoad { query_arches, .. }          => run.provide_hosts(&list_hosts(query_arches))?,
//!         Submit { package, arch_override, .. }  => run.provide_submit(submit(..))?,
//!         Finished(outcome)                      => break,
//!     }
//! }
//! persist(run.effects());
//! ```
//!
//! Algorithm (the original's, with its documented behaviour kept):
//! * nothing at all when `running_builds >= max_builds` (all collections together);
//! * candidates are the packages with a current priority (see `domain::priority`) of at
//!   least `build_threshold`, ordered globally across collections by priority, highest
//!   first; ties go to the lower package id (the original's order was undefined). Stopping
//!   at the first package below the threshold is the same as never considering it;
//! * per candidate: no SRPM → record skip reason 1 and go on; no allowed arch → record skip
//!   reason 2 and go on; Koji load above `load_threshold` → stop the whole tick (the check
//!   is skipped when the threshold is 1 or more); else submit, and stop after the first
//!   successful submission (a submission that finds no SRPM counts as skip reason 1).
//!
//! Deliberate choices: the no-arch skip (§12.5) is an [`Effect`] the caller commits even
//! when nothing is submitted — `scheduler_skip_reason = 2` and `manual_priority -= 1000` —
//! so the package falls below the threshold instead of being re-examined with Koji calls
//! every tick (the original meant this but rolled it back). A NaN priority or Koji load
//! (broken configuration or data) counts as "not schedulable" / "too busy".
//!
//! Speed: one pass computes every priority; only candidates at or above the threshold go
//! into a binary heap (built in O(n)); the plan pops only those it examines.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::config::PrioritiesConfig;
use crate::domain::arches::srpm_arches;
use crate::domain::arches::{ArchDecision, ArchSet, HostSnapshot, SrpmHeaders, koji_load};
use crate::domain::priority::{CollectionSnapshot, PackageSnapshot, TimeScale, priority_breakdown};

/// How much `manual_priority` drops when no arch is allowed (the original's value).
pub const NO_ARCH_PENALTY: i32 = 1000;

/// Everything one scheduler tick decides on.
#[derive(Debug, Clone, PartialEq)]
pub struct SchedulerSnapshot {
    /// All packages that might be scheduled (unschedulable ones may be included; they are
    /// filtered here).
    pub packages: Vec<PackageSnapshot>,
    /// The collections the packages belong to.
    pub collections: Vec<CollectionSnapshot>,
    /// Running Koschei builds in all collections.
    pub running_builds: u32,
    /// `koji.max_builds`.
    pub max_builds: u32,
    /// `koji.load_threshold` (check skipped when ≥ 1).
    pub load_threshold: f64,
    /// `koji.build_arches`.
    pub build_arches: Vec<String>,
    /// The priority constants.
    pub priorities: PrioritiesConfig,
}

/// What the caller must do next.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision<'a> {
    /// Fetch the arches of the collection's build tag (`getBuildConfig`, cacheable) and the
    /// SRPM headers of the package's last complete build (`getRPMHeaders`), then call
    /// [`Plan::provide_arches`].
    NeedArches {
        /// The candidate.
        package: &'a PackageSnapshot,
        /// Its collection.
        collection: &'a CollectionSnapshot,
        /// Its current priority.
        priority: f64,
    },
    /// Fetch `listHosts(query_arches, default channel, enabled)` and call
    /// [`Plan::provide_hosts`] (or compute the load and call [`Plan::provide_load`]).
    NeedLoad {
        /// The candidate.
        package: &'a PackageSnapshot,
        /// The arches the build would use.
        arches: ArchSet,
        /// The arches to ask `listHosts` about.
        query_arches: Vec<String>,
    },
    /// Submit the scratch build, then call [`Plan::provide_submit`].
    Submit {
        /// The package.
        package: &'a PackageSnapshot,
        /// Its collection.
        collection: &'a CollectionSnapshot,
        /// The arches the build may use.
        arches: ArchSet,
        /// The `arch_override` build option (`None` for noarch builds).
        arch_override: Option<String>,
    },
    /// The tick is over.
    Finished(Outcome),
}

/// How a tick ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// One build was submitted.
    Submitted {
        /// The package.
        package_id: i32,
    },
    /// `running_builds >= max_builds`: nothing was looked at.
    MaxBuilds,
    /// No (remaining) package at or above the threshold.
    NothingToSchedule,
    /// Koji is too busy for the best candidate; the tick stops.
    KojiBusy {
        /// The load that was too high.
        load: f64,
    },
}

/// A change the caller must write after the tick (in order), whatever the outcome. Each
/// carries the package id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// No SRPM: `scheduler_skip_reason = 1` (the package stays unschedulable until the
    /// reason is cleared, which the writer does when a new build of it is registered).
    SkipNoSrpm(i32),
    /// No allowed arch: `scheduler_skip_reason = 2`, `manual_priority -= NO_ARCH_PENALTY`.
    SkipNoArch(i32),
    /// Submitted: `scheduler_skip_reason = NULL`, `manual_priority = 0`.
    Submitted(i32),
}

/// Result of the submission the caller made for [`Decision::Submit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitResult {
    /// Koji accepted the build.
    Submitted,
    /// No tagged build / SRPM to submit was found.
    NoSrpm,
}

/// An answer that does not fit the pending decision (a bug in the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("scheduler plan got {got} while waiting for {expected}")]
pub struct UnexpectedAnswer {
    /// What the plan was waiting for.
    pub expected: &'static str,
    /// What it got.
    pub got: &'static str,
}

/// Counts for tracing: packages in the snapshot, with a current priority, at or above the
/// threshold, and examined (arches asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[allow(missing_docs)]
pub struct PlanStats {
    pub packages: usize,
    pub schedulable: usize,
    pub candidates: usize,
    pub examined: usize,
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    priority: f64,
    id: i32,
    /// Index of the package and of its collection in the snapshot.
    index: usize,
    coll: usize,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    /// Higher priority first, then lower id (the heap pops the greatest).
    fn cmp(&self, other: &Self) -> Ordering {
        self.priority.total_cmp(&other.priority).then_with(|| other.id.cmp(&self.id))
    }
}

#[derive(Debug, Clone)]
enum State {
    Arches(Candidate),
    Load { cand: Candidate, arches: ArchSet, query: Vec<String>, tag_arches: Vec<String> },
    Submit(Candidate, ArchSet),
    Finished(Outcome),
}

/// One tick's plan: a step machine driven by the caller (see the module docs).
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    snapshot: &'a SchedulerSnapshot,
    heap: BinaryHeap<Candidate>,
    state: State,
    effects: Vec<Effect>,
    stats: PlanStats,
}

/// Rank the snapshot's packages and start the tick.
pub fn plan(snapshot: &SchedulerSnapshot, now: DateTime<Utc>) -> Plan<'_> {
    let mut stats = PlanStats { packages: snapshot.packages.len(), ..PlanStats::default() };
    let state = State::Finished(Outcome::MaxBuilds);
    let mut plan = Plan { snapshot, heap: BinaryHeap::new(), state, effects: Vec::new(), stats };
    if snapshot.running_builds >= snapshot.max_builds {
        return plan;
    }
    let mut by_id: Vec<(i32, usize)> =
        snapshot.collections.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    by_id.sort_unstable();
    let scale = TimeScale::new(&snapshot.priorities);
    let threshold = snapshot.priorities.build_threshold as f64;
    let mut candidates = Vec::new();
    for (index, p) in snapshot.packages.iter().enumerate() {
        let Ok(found) = by_id.binary_search_by_key(&p.collection_id, |e| e.0) else { continue };
        let coll = by_id[found].1;
        let Ok(b) = priority_breakdown(&scale, p, &snapshot.collections[coll], now) else {
            continue;
        };
        stats.schedulable += 1;
        let priority = b.total();
        // A NaN priority fails this test too.
        if priority >= threshold {
            candidates.push(Candidate { priority, id: p.id, index, coll });
        }
    }
    stats.candidates = candidates.len();
    plan.stats = stats;
    plan.heap = BinaryHeap::from(candidates);
    plan.next_candidate();
    plan
}

impl<'a> Plan<'a> {
    /// What the caller must do now.
    pub fn decision(&self) -> Decision<'a> {
        match &self.state {
            State::Arches(c) => Decision::NeedArches {
                package: self.package(c),
                collection: self.collection(c),
                priority: c.priority,
            },
            State::Load { cand, arches, query, .. } => Decision::NeedLoad {
                package: self.package(cand),
                arches: arches.clone(),
                query_arches: query.clone(),
            },
            State::Submit(c, arches) => Decision::Submit {
                package: self.package(c),
                collection: self.collection(c),
                arches: arches.clone(),
                arch_override: arches.koji_arch_override(),
            },
            State::Finished(o) => Decision::Finished(*o),
        }
    }

    /// Answer [`Decision::NeedArches`]: the build tag's arches and the SRPM headers (`None`
    /// when Koji has no such SRPM).
    pub fn provide_arches(
        &mut self,
        tag_arches: &[String],
        headers: Option<&SrpmHeaders>,
    ) -> Result<(), UnexpectedAnswer> {
        let State::Arches(cand) = self.state else { return Err(self.unexpected("arches")) };
        let p = self.package(&cand);
        let build_arches = &self.snapshot.build_arches;
        match srpm_arches(headers, tag_arches, p.arch_override.as_deref(), build_arches) {
            ArchDecision::NoSrpm => {
                self.effects.push(Effect::SkipNoSrpm(cand.id));
                self.next_candidate();
            }
            ArchDecision::NoArch => {
                self.effects.push(Effect::SkipNoArch(cand.id));
                self.next_candidate();
            }
            ArchDecision::Arches(arches) if self.snapshot.load_threshold < 1.0 => {
                let query = arches.load_query_arches(tag_arches);
                self.state = State::Load { cand, arches, query, tag_arches: tag_arches.to_vec() };
            }
            ArchDecision::Arches(arches) => self.state = State::Submit(cand, arches),
        }
        Ok(())
    }

    /// Answer [`Decision::NeedLoad`] with the hosts `listHosts` returned.
    pub fn provide_hosts(&mut self, hosts: &[HostSnapshot]) -> Result<(), UnexpectedAnswer> {
        let State::Load { arches, tag_arches, .. } = &self.state else {
            return Err(self.unexpected("hosts"));
        };
        let load = koji_load(hosts, tag_arches, arches);
        self.provide_load(load)
    }

    /// Answer [`Decision::NeedLoad`] with a load computed by the caller.
    pub fn provide_load(&mut self, load: f64) -> Result<(), UnexpectedAnswer> {
        let State::Load { cand, arches, .. } = &self.state else {
            return Err(self.unexpected("load"));
        };
        // `!(load <= t)` also stops on NaN.
        self.state = if load <= self.snapshot.load_threshold {
            State::Submit(*cand, arches.clone())
        } else {
            State::Finished(Outcome::KojiBusy { load })
        };
        Ok(())
    }

    /// Answer [`Decision::Submit`].
    pub fn provide_submit(&mut self, result: SubmitResult) -> Result<(), UnexpectedAnswer> {
        let State::Submit(cand, _) = self.state else { return Err(self.unexpected("submit")) };
        match result {
            SubmitResult::Submitted => {
                self.effects.push(Effect::Submitted(cand.id));
                self.state = State::Finished(Outcome::Submitted { package_id: cand.id });
            }
            SubmitResult::NoSrpm => {
                self.effects.push(Effect::SkipNoSrpm(cand.id));
                self.next_candidate();
            }
        }
        Ok(())
    }

    /// The changes to write, in decision order.
    pub fn effects(&self) -> &[Effect] {
        &self.effects
    }

    /// Counts for tracing.
    pub fn stats(&self) -> PlanStats {
        self.stats
    }

    /// The candidates not examined yet, best first, as `(package id, priority)` (sorts a copy;
    /// for display and tests).
    pub fn remaining(&self) -> Vec<(i32, f64)> {
        let mut all = self.heap.clone().into_vec();
        all.sort_unstable_by(|a, b| b.cmp(a));
        all.into_iter().map(|c| (c.id, c.priority)).collect()
    }

    fn next_candidate(&mut self) {
        self.state = match self.heap.pop() {
            Some(c) => {
                self.stats.examined += 1;
                State::Arches(c)
            }
            None => State::Finished(Outcome::NothingToSchedule),
        };
    }

    fn package(&self, c: &Candidate) -> &'a PackageSnapshot {
        &self.snapshot.packages[c.index]
    }

    fn collection(&self, c: &Candidate) -> &'a CollectionSnapshot {
        &self.snapshot.collections[c.coll]
    }

    fn unexpected(&self, got: &'static str) -> UnexpectedAnswer {
        let expected = match self.state {
            State::Arches(_) => "arches",
            State::Load { .. } => "hosts or load",
            State::Submit(..) => "submit",
            State::Finished(_) => "nothing (finished)",
        };
        UnexpectedAnswer { expected, got }
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
