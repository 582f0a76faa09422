//! `koschei demo`: the whole rebuild loop on the embedded default, with nothing to set up.
//!
//! A Koji hub simulator runs in-process on a loopback port, seeded with a generated,
//! Fedora-like collection ([`scenario`]) whose builds carry real task trees and whose
//! repos carry real rpm-md metadata, and scripted to publish a new repo every round:
//! version bumps, one update that breaks its dependents' builds, one that makes packages
//! unresolvable, and one that fixes both. Koschei itself runs exactly as `koschei serve`
//! does — SQLite in the data directory, every service, the web app — with a configuration
//! derived from the user's ([`demo_config`]: the hub, short service intervals).
//!
//! This module builds the pieces; `cli.rs` runs them.

pub mod scenario;

use std::path::Path;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::admin::collections::{CollectionOptions, create_collection};
use crate::admin::packages::track_packages;
use crate::config::{Config, KojiConfig, LoginMethod, Secret, ServiceConfig};
use crate::context::AppContext;
use crate::db::entities::collection;
use crate::koji::instances::KojiInstances;
use crate::kojisim::KojiSim;
use crate::kojisim::scenario::{Scenario, ScenarioError};
use crate::services::ServiceContext;
use scenario::{DemoScenario, DemoScenarioOptions};

/// The demo collection's name.
pub const COLLECTION: &str = "f99";
/// The SQLite file in the data directory (recreated at every start: the hub is new).
pub const DB_FILE: &str = "demo.sqlite";

/// Errors of the demo's setup.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The generated scenario did not load (a bug).
    #[error("demo scenario: {0}")]
    Scenario(#[from] ScenarioError),
    /// Files or sockets.
    #[error("{0}")]
    Io(String),
    /// Creating the collection or its packages.
    #[error("demo setup: {0}")]
    Setup(String),
}

/// A running in-process hub.
#[derive(Debug, Clone)]
pub struct DemoHub {
    /// The simulator.
    pub sim: KojiSim,
    /// `http://ADDR` of its server (hub at `/kojihub`, files at `/kojifiles`).
    pub base_url: String,
    /// The generated scenario it runs.
    pub scenario: DemoScenario,
}

/// Generates the scenario and starts the simulator on a free loopback port, on real time
/// (the scripted updates count from now), stepping its tasks every 250 ms.
pub async fn start_hub(opts: &DemoScenarioOptions) -> Result<DemoHub, DemoError> {
    let scenario = scenario::generate(opts);
    let sim = KojiSim::with_real_clock(Scenario::from_toml(&scenario.toml)?)?;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| DemoError::Io(format!("cannot listen for the Koji simulator: {e}")))?;
    let addr = listener.local_addr().map_err(|e| DemoError::Io(e.to_string()))?;
    tokio::spawn(crate::kojisim::http::serve(listener, sim.clone()));
    sim.spawn_ticker(Duration::from_millis(250));
    Ok(DemoHub { sim, base_url: format!("http://{addr}"), scenario })
}

/// The configuration the demo runs with: the user's, with the database in the data
/// directory, Koji pointing at the in-process hub, and short service intervals.
pub fn demo_config(base: &Config, data_dir: &Path, hub_url: &str) -> Config {
    let mut config = base.clone();
    config.data_dir = data_dir.to_path_buf();
    let url = format!("sqlite://{}?mode=rwc", data_dir.join(DB_FILE).display());
    config.database.url = Some(Secret::new(url));
    let mut koji = KojiConfig {
        server: format!("{hub_url}/kojihub"),
        topurl: format!("{hub_url}/kojifiles"),
        weburl: format!("{hub_url}/koji"),
        login_method: LoginMethod::Password,
        max_builds: 8,
        load_threshold: 0.8,
        build_arches: vec!["x86_64".into(), "aarch64".into()],
        ..base.koji.clone()
    };
    koji.auth.user = Some("koschei".into());
    koji.auth.password = Some(Secret::new("koschei"));
    config.koji = koji;
    config.secondary_koji = None;
    let every = |ms: u64| ServiceConfig { interval: Duration::from_millis(ms) };
    config.services.polling = every(2000);
    config.services.scheduler = every(1000);
    config.services.repo_resolver = every(1000);
    config.services.build_resolver = every(1000);
    config
}

/// Removes the previous run's database (the hub starts from scratch every time, so old
/// task ids and repos would be meaningless) and creates the data directory.
pub fn reset_data_dir(data_dir: &Path) -> Result<(), DemoError> {
    std::fs::create_dir_all(data_dir)
        .map_err(|e| DemoError::Io(format!("cannot create {}: {e}", data_dir.display())))?;
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let path = data_dir.join(format!("{DB_FILE}{suffix}"));
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(DemoError::Io(format!("cannot remove {}: {e}", path.display()))),
        }
    }
    Ok(())
}

/// Creates the demo collection from the hub's target, fills its package list from Koji and
/// tracks `tracked` (what an admin does with `create-collection` and `add-pkg`).
pub async fn prepare_collection(
    app: &AppContext,
    koji: &KojiInstances,
    tracked: &[String],
) -> Result<collection::Model, DemoError> {
    let setup = |e: &dyn std::fmt::Display| DemoError::Setup(e.to_string());
    let opts = CollectionOptions {
        display_name: Some("Fedora 99 (demo)".into()),
        target: Some("f99".into()),
        dest_tag: Some("f99-updates-candidate".into()),
        bugzilla_product: Some("Fedora".into()),
        bugzilla_version: Some("99".into()),
        ..CollectionOptions::default()
    };
    create_collection(&app.db, koji, "koschei-demo", COLLECTION, opts)
        .await
        .map_err(|e| setup(&e))?;
    let coll = crate::admin::collections::find(&app.db, COLLECTION)
        .await
        .map_err(|e| setup(&e))?
        .ok_or_else(|| DemoError::Setup("the demo collection vanished".into()))?;
    let ctx = ServiceContext::new(app, koji.clone());
    crate::services::polling::refresh_packages(&ctx, &coll).await.map_err(|e| setup(&e))?;
    let uid = crate::admin::user_id(&app.db, "koschei-demo").await.map_err(|e| setup(&e))?;
    track_packages(&app.db, uid, &coll, tracked).await.map_err(|e| setup(&e))?;
    Ok(coll)
}

#[cfg(test)]
mod tests;
