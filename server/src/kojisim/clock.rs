//! Time for the simulator: a [`SimClock`] the tests move by hand (or real time for the
//! CLI), the [`Hub`] that pairs the state with its clock, rules and settings, and the task
//! driver ([`Hub::step`], [`Hub::advance`]) that schedules FREE tasks on hosts, opens them
//! and finishes them when their simulated duration has passed (see `tasks.rs` for what
//! each task method does).
//!
//! No IO: real time is read from `SystemTime` only by [`SimClock::Real`].

use std::time::{SystemTime, UNIX_EPOCH};

use super::policy::Rule;
use super::query::canon_arch;
use super::scenario::Update;
use super::state::{State, task_state};

/// The simulator's notion of "now" (epoch seconds).
#[derive(Debug, Clone, PartialEq)]
pub enum SimClock {
    /// Moves only when told (tests, demos).
    Manual {
        /// Current time, epoch seconds.
        now: f64,
    },
    /// Wall-clock time.
    Real,
}

impl SimClock {
    /// The current time in epoch seconds.
    pub fn now(&self) -> f64 {
        match self {
            SimClock::Manual { now } => *now,
            SimClock::Real => {
                SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
            }
        }
    }
}

/// Simulated durations and behaviour switches.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Seconds a rebuildSRPM/buildSRPMFromSCM task runs.
    pub srpm_duration: f64,
    /// Seconds a buildArch task runs.
    pub arch_duration: f64,
    /// Seconds a createrepo task runs.
    pub repo_duration: f64,
    /// Mark older READY repos of a tag EXPIRED when a new one becomes READY (kojira's job).
    pub expire_old_repos: bool,
    /// Hub option `AllowNewRepo`.
    pub allow_new_repo: bool,
    /// Give seeded and update builds the CLOSED task tree of a real build
    /// ([`super::tasks::completed_build_task`]).
    pub build_tasks: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            srpm_duration: 30.0,
            arch_duration: 120.0,
            repo_duration: 10.0,
            expire_old_repos: true,
            allow_new_repo: true,
            build_tasks: false,
        }
    }
}

/// The simulated hub: state, clock, outcome rules, settings and pending scheduled updates.
#[derive(Debug, Clone)]
pub struct Hub {
    /// Everything the hub stores.
    pub state: State,
    /// The clock.
    pub clock: SimClock,
    /// Outcome rules (first match wins).
    pub rules: Vec<Rule>,
    /// Durations and switches.
    pub settings: Settings,
    /// Scheduled updates not applied yet, by time.
    pub updates: Vec<Update>,
}

const MAX_ROUNDS: usize = 1000;

impl Hub {
    /// A hub over `state` with default settings.
    pub fn new(state: State, clock: SimClock) -> Hub {
        Hub { state, clock, rules: Vec::new(), settings: Settings::default(), updates: Vec::new() }
    }

    /// Current time.
    pub fn now(&self) -> f64 {
        self.clock.now()
    }

    /// Processes everything due at the current time: scheduled updates, scheduling of FREE
    /// tasks, finishing of due OPEN tasks and of parents whose children are done; repeats
    /// until nothing changes. Returns whether anything changed.
    pub fn step(&mut self) -> bool {
        let mut any = false;
        for _ in 0..MAX_ROUNDS {
            let now = self.now();
            let mut changed = self.apply_updates(now);
            changed |= self.schedule(now);
            changed |= self.finish_due(now);
            changed |= self.progress_parents(now);
            if !changed {
                break;
            }
            any = true;
        }
        any
    }

    /// Moves a manual clock forward by `seconds`, stopping at every due time on the way so
    /// that tasks finish in order; with a real clock it just steps.
    pub fn advance(&mut self, seconds: f64) {
        let SimClock::Manual { now } = self.clock else {
            self.step();
            return;
        };
        let target = now + seconds.max(0.0);
        for _ in 0..100_000 {
            self.step();
            let current = self.now();
            match self.next_due().filter(|t| *t > current && *t <= target) {
                Some(t) => self.clock = SimClock::Manual { now: t },
                None => break,
            }
        }
        self.clock = SimClock::Manual { now: target };
        self.step();
    }

    /// The earliest future moment something is due (an OPEN task or a scheduled update).
    pub fn next_due(&self) -> Option<f64> {
        let tasks = self
            .state
            .tasks
            .values()
            .filter(|t| t.state == task_state::OPEN)
            .filter_map(|t| t.due_ts);
        let updates = self.updates.iter().map(|u| u.at);
        tasks.chain(updates).min_by(f64::total_cmp)
    }

    fn apply_updates(&mut self, now: f64) -> bool {
        let (due, later): (Vec<Update>, Vec<Update>) =
            std::mem::take(&mut self.updates).into_iter().partition(|u| u.at <= now);
        self.updates = later;
        let changed = !due.is_empty();
        for update in due {
            super::seed::apply_update(self, &update, now);
        }
        changed
    }

    /// Current load of a host: its base load plus the weights of its OPEN tasks.
    pub fn host_load(&self, host_id: i64) -> f64 {
        let base = self.state.hosts.get(&host_id).map_or(0.0, |h| h.base_load);
        base + self
            .state
            .tasks
            .values()
            .filter(|t| t.host_id == Some(host_id) && t.state == task_state::OPEN)
            .map(|t| t.weight)
            .sum::<f64>()
    }

    fn schedule(&mut self, now: f64) -> bool {
        let mut free: Vec<(i64, i64)> = self
            .state
            .tasks
            .values()
            .filter(|t| t.state == task_state::FREE)
            .map(|t| (t.priority, t.id))
            .collect();
        free.sort();
        let mut changed = false;
        for (_, id) in free {
            let Some(task) = self.state.tasks.get(&id) else { continue };
            let (arch, channel, weight) = (canon_arch(&task.arch), task.channel_id, task.weight);
            let host = self.state.hosts.values().find(|h| {
                let arch_ok = arch == "noarch"
                    || h.arches.split_whitespace().any(|a| a == arch || canon_arch(a) == arch);
                h.enabled
                    && h.ready
                    && h.channels.contains(&channel)
                    && arch_ok
                    && (self.host_load(h.id) + weight <= h.capacity
                        || self.host_load(h.id) <= h.base_load)
            });
            let Some(host_id) = host.map(|h| h.id) else { continue };
            if let Some(task) = self.state.tasks.get_mut(&id) {
                task.state = task_state::OPEN;
                task.host_id = Some(host_id);
                task.start_ts = Some(now);
            }
            super::tasks::on_open(self, id, now);
            changed = true;
        }
        changed
    }

    fn finish_due(&mut self, now: f64) -> bool {
        let due: Vec<i64> = self
            .state
            .tasks
            .values()
            .filter(|t| t.state == task_state::OPEN && t.due_ts.is_some_and(|d| d <= now))
            .map(|t| t.id)
            .collect();
        for id in &due {
            super::tasks::on_due(self, *id, now);
        }
        !due.is_empty()
    }

    fn progress_parents(&mut self, now: f64) -> bool {
        let waiting: Vec<i64> = self
            .state
            .tasks
            .values()
            .filter(|t| t.state == task_state::OPEN && t.waiting == Some(true))
            .map(|t| t.id)
            .collect();
        let mut changed = false;
        for id in waiting {
            changed |= super::tasks::on_children(self, id, now);
        }
        changed
    }
}
