//! A Koji hub simulator that speaks the real XML-RPC protocol, so tests, the demo and
//! newcomers can run Koschei's whole loop locally: tags with inheritance, targets,
//! package lists, builds and tagging history, scratch builds with Koji's task tree
//! (`build` → `rebuildSRPM` + `buildArch`, repo id in the children's requests) whose
//! outcome a policy decides, repos with real rpm-md metadata, hosts and their load,
//! sessions and multicall.
//!
//! In-process use: [`KojiSim::new`] with a [`scenario::Scenario`] (or
//! [`KojiSim::builtin`]), [`KojiSim::router`] or [`http::serve`], and [`KojiSim::advance`]
//! to move the manual clock. The `koschei kojisim` command uses [`run`] with a real
//! clock. This module must not talk to a real Koji or to the database.

pub mod clock;
pub mod dispatch;
pub mod http;
pub mod methods;
pub mod policy;
pub mod query;
pub mod repogen;
pub mod scenario;
pub mod seed;
pub mod shapes;
pub mod state;
pub mod task_api;
pub mod tasks;
pub mod web;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_http;

use std::sync::{Arc, Mutex};

use clock::Hub;
use scenario::{Scenario, ScenarioError};
use state::{Repo, Task};

/// Errors of [`serve_scenario`].
#[derive(Debug, thiserror::Error)]
pub enum KojiSimError {
    /// The scenario could not be loaded.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// Binding or serving failed.
    #[error("kojisim server: {0}")]
    Io(#[from] std::io::Error),
    /// GSSAPI could not be set up (no such keytab, or a build without the feature).
    #[error("kojisim GSSAPI: {0}")]
    Gssapi(String),
}

/// A shared handle on a simulated hub (cheap to clone).
#[derive(Debug, Clone)]
pub struct KojiSim {
    hub: Arc<Mutex<Hub>>,
    /// Verifies `Authorization: Negotiate` at `/kojihub/ssllogin` (GSSAPI login); `None`:
    /// GSSAPI is off and such requests get HTTP 401.
    #[cfg(feature = "gssapi")]
    negotiate: Option<Arc<crate::koji::gssapi::Acceptor>>,
}

impl KojiSim {
    /// A simulator seeded with `scenario`, on a manual clock starting at its `start`.
    pub fn new(scenario: Scenario) -> Result<KojiSim, ScenarioError> {
        Ok(KojiSim::from_hub(scenario.into_hub(false)?))
    }

    /// A simulator seeded with `scenario`, on real time (tasks progress by themselves as
    /// long as something calls [`KojiSim::step`], e.g. [`KojiSim::spawn_ticker`]).
    pub fn with_real_clock(scenario: Scenario) -> Result<KojiSim, ScenarioError> {
        Ok(KojiSim::from_hub(scenario.into_hub(true)?))
    }

    /// The built-in scenario on a manual clock.
    pub fn builtin() -> Result<KojiSim, ScenarioError> {
        KojiSim::new(Scenario::from_toml(scenario::builtin_toml())?)
    }

    /// Wraps an existing hub.
    pub fn from_hub(hub: Hub) -> KojiSim {
        KojiSim {
            hub: Arc::new(Mutex::new(hub)),
            #[cfg(feature = "gssapi")]
            negotiate: None,
        }
    }

    /// Accepts GSSAPI logins (`sslLogin` at `/kojihub/ssllogin` with
    /// `Authorization: Negotiate`) for the service principals of `keytab` (the Kerberos
    /// library's default keytab, `KRB5_KTNAME`, when `None`). Fails when the keytab
    /// cannot be used.
    #[cfg(feature = "gssapi")]
    pub fn with_gssapi_keytab(
        mut self,
        keytab: Option<&std::path::Path>,
    ) -> Result<KojiSim, crate::koji::error::KojiError> {
        self.negotiate = Some(Arc::new(crate::koji::gssapi::Acceptor::new(keytab)?));
        Ok(self)
    }

    /// The HTTP routes (`/kojihub`, `/kojifiles/…`).
    pub fn router(&self) -> axum::Router {
        http::router(self.clone())
    }

    /// Runs `f` with the hub locked.
    pub fn with_hub<T>(&self, f: impl FnOnce(&mut Hub) -> T) -> T {
        let mut guard = self.hub.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }

    /// Moves a manual clock forward by `seconds` (processing everything due on the way).
    pub fn advance(&self, seconds: f64) {
        self.with_hub(|h| h.advance(seconds));
    }

    /// On a real clock: processes everything due every `period`, on the current tokio
    /// runtime, for as long as the runtime lives.
    pub fn spawn_ticker(&self, period: std::time::Duration) {
        let sim = self.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(period);
            loop {
                interval.tick().await;
                sim.step();
            }
        });
    }

    /// Processes everything due now.
    pub fn step(&self) {
        self.with_hub(|h| {
            h.step();
        });
    }

    /// Current simulated time (epoch seconds).
    pub fn now(&self) -> f64 {
        self.with_hub(|h| h.now())
    }

    /// A copy of a task.
    pub fn task(&self, id: i64) -> Option<Task> {
        self.with_hub(|h| h.state.tasks.get(&id).cloned())
    }

    /// Copies of a task's direct children, by id.
    pub fn children(&self, id: i64) -> Vec<Task> {
        self.with_hub(|h| {
            h.state.tasks.values().filter(|t| t.parent == Some(id)).cloned().collect()
        })
    }

    /// A copy of a repo.
    pub fn repo(&self, id: i64) -> Option<Repo> {
        self.with_hub(|h| h.state.repos.get(&id).cloned())
    }

    /// A file under topdir (`repos/…`, `work/tasks/…`).
    pub fn file(&self, path: &str) -> Option<Vec<u8>> {
        self.with_hub(|h| h.state.files.get(path).cloned())
    }
}

/// Loads the scenario (the built-in one when `data` is `None`) and serves it on
/// `listener` with a real clock, advancing tasks every second. With `gssapi_keytab`, the
/// hub accepts Kerberos logins at `/kojihub/ssllogin` for the service keys in that keytab
/// (builds with the `gssapi` feature only).
pub async fn serve_scenario(
    data: Option<&std::path::Path>,
    gssapi_keytab: Option<&std::path::Path>,
    listener: tokio::net::TcpListener,
) -> Result<(), KojiSimError> {
    let scenario = match data {
        Some(path) => Scenario::load(path)?,
        None => Scenario::from_toml(scenario::builtin_toml())?,
    };
    let sim = KojiSim::with_real_clock(scenario)?;
    let sim = match gssapi_keytab {
        None => sim,
        #[cfg(feature = "gssapi")]
        Some(keytab) => {
            sim.with_gssapi_keytab(Some(keytab)).map_err(|e| KojiSimError::Gssapi(e.to_string()))?
        }
        #[cfg(not(feature = "gssapi"))]
        Some(_) => {
            return Err(KojiSimError::Gssapi(
                "this build has no GSSAPI support (build with the `gssapi` feature)".into(),
            ));
        }
    };
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "kojisim listening: hub http://{addr}/kojihub, topurl http://{addr}/kojifiles");
    sim.spawn_ticker(std::time::Duration::from_secs(1));
    http::serve(listener, sim).await?;
    Ok(())
}
