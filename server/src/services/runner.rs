//! Runs services: each in its own loop of ticks on its interval until stopped, traced
//! (`job.name`), its status recorded after every tick, errors logged and carried on — a
//! failing tick never ends the process. Also remembers which services run in this process
//! (the GraphQL `services { enabled }` field).
//!
//! Only the loop lives here; what a tick does is the service's business.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::{Outcome, Service, ServiceContext, status};

/// Services running in this process, with how many loops run each.
static RUNNING: Mutex<BTreeMap<&'static str, usize>> = Mutex::new(BTreeMap::new());

/// Whether a service named `name` runs in this process.
pub fn is_running(name: &str) -> bool {
    RUNNING.lock().unwrap_or_else(PoisonError::into_inner).get(name).is_some_and(|n| *n > 0)
}

struct Registered(&'static str);

impl Registered {
    fn new(name: &'static str) -> Self {
        *RUNNING.lock().unwrap_or_else(PoisonError::into_inner).entry(name).or_default() += 1;
        Registered(name)
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = running.get_mut(self.0) {
            *n = n.saturating_sub(1);
        }
    }
}

/// Progress ticks in a row before the loop pauses anyway (so one service cannot starve the
/// database or Koji when it always finds more work).
const MAX_BURST: u32 = 100;

/// One tick with tracing and status recording; errors are logged and returned as `None`.
pub async fn tick_and_record(service: &dyn Service, ctx: &ServiceContext) -> Option<Outcome> {
    let name = service.name();
    let span = tracing::info_span!("job", job.name = name);
    let result = service.tick(ctx).instrument(span).await;
    let now = ctx.now();
    let error = result.as_ref().err().map(|e| format!("{e:#}"));
    if let Some(e) = &error {
        tracing::warn!(job.name = name, error = %e, "background service {name} failed");
    }
    if let Err(e) = status::record(&ctx.db, name, now, error.as_deref()).await {
        tracing::warn!(job.name = name, error = %e, "cannot record the status of {name}");
    }
    result.ok()
}

/// Ticks `service` every `interval` until `stop` is cancelled. A tick reporting
/// [`Outcome::Progress`] is followed by the next one at once (up to a burst limit).
pub async fn run_periodic(
    service: Arc<dyn Service>,
    ctx: ServiceContext,
    interval: Duration,
    stop: CancellationToken,
) {
    let _registered = Registered::new(service.name());
    let mut burst = 0;
    while !stop.is_cancelled() {
        let outcome = tokio::select! {
            () = stop.cancelled() => break,
            o = tick_and_record(service.as_ref(), &ctx) => o,
        };
        if outcome == Some(Outcome::Progress) && burst < MAX_BURST {
            burst += 1;
            continue;
        }
        burst = 0;
        tokio::select! {
            () = stop.cancelled() => break,
            () = tokio::time::sleep(interval) => {}
        }
    }
}

/// Starts every service in `services` on its configured interval; they stop when `stop` is
/// cancelled. Await the returned set to wait for them.
pub fn spawn_all(
    services: Vec<Arc<dyn Service>>,
    ctx: &ServiceContext,
    stop: &CancellationToken,
) -> JoinSet<()> {
    let mut set = JoinSet::new();
    for service in services {
        let interval = service.interval(&ctx.config);
        tracing::info!(job.name = service.name(), ?interval, "starting background service");
        set.spawn(run_periodic(service, ctx.clone(), interval, stop.clone()));
    }
    set
}

/// Ticks `service` until it reports [`Outcome::Idle`] (at most `limit` ticks); for tests and
/// one-shot runs. Errors are returned, not logged.
pub async fn run_until_idle(
    service: &dyn Service,
    ctx: &ServiceContext,
    limit: usize,
) -> anyhow::Result<usize> {
    for n in 1..=limit {
        if service.tick(ctx).await? == Outcome::Idle {
            return Ok(n);
        }
    }
    anyhow::bail!("{} still busy after {limit} ticks", service.name())
}
