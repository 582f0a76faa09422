//! What every request handler and background service shares.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::config::Config;
use crate::events::EventHub;

/// Shared state of one Koschei process. Cheap to clone.
#[derive(Clone)]
pub struct AppContext {
    /// The database pool.
    pub db: DatabaseConnection,
    /// The effective configuration.
    pub config: Arc<Config>,
    /// Where domain changes are published.
    pub events: EventHub,
}

impl AppContext {
    /// A context over an open database.
    pub fn new(db: DatabaseConnection, config: Config) -> Self {
        AppContext { db, config: Arc::new(config), events: EventHub::default() }
    }
}
