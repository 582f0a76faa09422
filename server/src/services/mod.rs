//! The background services that keep package states current (koschei-backend.md §5, §3.3,
//! §10): their registry, the context they share and the clock they read.
//!
//! Each service is a [`Service`] whose [`Service::tick`] does one round of work — load
//! state, decide (in a pure core where there is one), write, then side effects — and is
//! idempotent: ticking twice with nothing new in between changes nothing the second time.
//! Tests step ticks directly; `koschei serve` runs them with [`runner::run_periodic`].
//!
//! To add a service: write `services/<name>.rs` with a type implementing [`Service`] and add
//! it to [`registry`]. Nothing here talks to Koji or the database itself.

pub mod build_resolver;
pub mod polling;
pub mod repo_resolver;
mod resolution;
pub mod runner;
pub mod scheduler;
pub mod status;
mod sync;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::config::Config;
use crate::context::AppContext;
use crate::db::locks::Locks;
use crate::events::EventHub;
use crate::koji::instances::KojiInstances;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What one tick did; lets tests and the runner drain work deterministically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing more to do right now: wait for the interval.
    Idle,
    /// Work was done and more may be waiting: tick again at once.
    Progress,
}

/// Where services read the time (tests use a [`ManualClock`]).
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that moves only when told to.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        ManualClock(Mutex::new(start))
    }

    /// Sets the time.
    pub fn set(&self, now: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = now;
    }

    /// Moves the time forward.
    pub fn advance(&self, by: chrono::TimeDelta) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A test hook: an async callback run at a named point of a tick (see [`Hooks`]).
pub type Hook = Arc<dyn Fn() -> BoxFuture<'static, ()> + Send + Sync>;

/// Points where tests can stop a tick (e.g. to drop it mid-way and check crash safety).
/// Empty in production.
#[derive(Clone, Default)]
pub struct Hooks {
    /// Scheduler: after the pending build row is committed, before Koji's `build` call.
    pub before_submit: Option<Hook>,
    /// Scheduler: after Koji's `build` returned, before the task id is written.
    pub after_submit: Option<Hook>,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("before_submit", &self.before_submit.is_some())
            .field("after_submit", &self.after_submit.is_some())
            .finish()
    }
}

impl Hooks {
    pub(crate) async fn run(hook: &Option<Hook>) {
        if let Some(h) = hook {
            h().await;
        }
    }
}

/// What every service tick receives.
#[derive(Clone)]
pub struct ServiceContext {
    /// The database pool.
    pub db: DatabaseConnection,
    /// The configuration.
    pub config: Arc<Config>,
    /// Where state changes are published.
    pub events: EventHub,
    /// The time.
    pub clock: Arc<dyn Clock>,
    /// The Koji instances (primary, optional secondary).
    pub koji: KojiInstances,
    /// Work locks between instances.
    pub locks: Locks,
    /// Test hooks (none in production).
    pub hooks: Hooks,
}

impl std::fmt::Debug for ServiceContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceContext").field("koji", &self.koji).finish_non_exhaustive()
    }
}

impl ServiceContext {
    /// A context for `koschei serve`: the process's database, configuration and events, the
    /// system clock and the given Koji instances.
    pub fn new(app: &AppContext, koji: KojiInstances) -> Self {
        ServiceContext {
            db: app.db.clone(),
            config: app.config.clone(),
            events: app.events.clone(),
            clock: Arc::new(SystemClock),
            koji,
            locks: Locks::new(app.db.clone()),
            hooks: Hooks::default(),
        }
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// One background service.
pub trait Service: Send + Sync {
    /// Its name (`polling`, `scheduler`, …), as used by `--services` and in status rows.
    fn name(&self) -> &'static str;

    /// Pause between ticks (from the configuration).
    fn interval(&self, config: &Config) -> Duration;

    /// One round of work.
    fn tick<'a>(&'a self, ctx: &'a ServiceContext) -> BoxFuture<'a, anyhow::Result<Outcome>>;
}

/// Every service this binary has, in start order.
pub fn registry() -> Vec<Arc<dyn Service>> {
    vec![
        Arc::new(polling::Polling),
        Arc::new(repo_resolver::RepoResolver),
        Arc::new(build_resolver::BuildResolver),
        Arc::new(scheduler::Scheduler),
    ]
}

/// The names of [`registry`].
pub fn names() -> Vec<&'static str> {
    registry().iter().map(|s| s.name()).collect()
}

/// A `--services` value naming a service this binary does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown service `{name}` (known services: {})", .known.join(", "))]
pub struct UnknownService {
    /// The bad name.
    pub name: String,
    /// The known names.
    pub known: Vec<&'static str>,
}

/// The services named in a comma-separated list (`None`: all), in registry order, without
/// duplicates. Empty items are ignored.
pub fn select(list: Option<&str>) -> Result<Vec<Arc<dyn Service>>, UnknownService> {
    let all = registry();
    let Some(list) = list else { return Ok(all) };
    let wanted: Vec<&str> = list.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    for w in &wanted {
        if !all.iter().any(|s| s.name() == *w) {
            return Err(UnknownService { name: (*w).to_owned(), known: names() });
        }
    }
    Ok(all.into_iter().filter(|s| wanted.contains(&s.name())).collect())
}

#[cfg(test)]
mod resolver_tests;
#[cfg(test)]
mod secondary_tests;
#[cfg(test)]
mod tests;
