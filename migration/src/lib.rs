//! Database schema of Koschei as sea-orm migrations (the original's final schema, made portable).
//!
//! The same migrations run on SQLite and PostgreSQL. This crate only creates and drops schema
//! objects; it must not contain data fixes, triggers or any application logic (the denormalized
//! fields the original maintained with PostgreSQL triggers are maintained by the server's
//! `db::builds` / `db::packages` functions instead).
//!
//! Portable choices (deliberate differences from the original PostgreSQL schema):
//! * **Enum types become text columns with a CHECK** listing the allowed values
//!   (`log_entry.environment`, `copr_rebuild_request.state`).
//! * **`text[]` becomes JSON text**: `copr_resolution_change.problems` holds a JSON array of
//!   strings (or NULL).
//! * **Intervals become integer seconds**: `resource_consumption_stats.time` is a BIGINT number
//!   of seconds.
//! * **Timestamps are `timestamp with time zone` and always written in UTC** (sea-orm
//!   `DateTimeUtc`; on SQLite an RFC 3339 text with `+00:00`, which sorts chronologically). This
//!   removes the original's naive-local-time mixing (spec §12.3).
//! * **No server-side defaults for timestamps** (the original used `clock_timestamp()`): the
//!   application sets every timestamp.
//! * **No triggers, no SQL functions** (`rpmvercmp` is computed in Rust).
//! * **Build state 6 (inconclusive)** is new: a build that ended without a verdict (Koji fault,
//!   timeout, missing repo id) is kept instead of deleted. CHECKs: `state IN (2,3,5,6)`,
//!   repo_id/version/release required unless `state IN (2,6)`, real builds only in 3/5.
//! * Partial indexes use `CREATE INDEX … WHERE`, which both backends accept; boolean predicates
//!   are written as `NOT blocked` / `last_complete` (valid on SQLite's 0/1 booleans too).
//! * `package` ↔ `build` reference each other. PostgreSQL gets the two `package → build` foreign
//!   keys by `ALTER TABLE` after `build` exists; SQLite (which cannot add constraints later but
//!   allows forward references) declares them inline.

pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20250101_000001_core_tables;
mod m20250101_000002_frontend_tables;
mod m20250101_000003_plugin_and_stats_tables;
mod m20250101_000004_indexes;
mod m20250401_000005_service_status;

/// All Koschei migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20250101_000001_core_tables::Migration),
            Box::new(m20250101_000002_frontend_tables::Migration),
            Box::new(m20250101_000003_plugin_and_stats_tables::Migration),
            Box::new(m20250101_000004_indexes::Migration),
            Box::new(m20250401_000005_service_status::Migration),
        ]
    }
}
