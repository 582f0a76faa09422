//! The database: connecting (SQLite or PostgreSQL, same code), migrating, checking that
//! the schema matches this binary, and the entities and domain functions that own the
//! denormalized fields.
//!
//! Nothing here talks to Koji or the network other than the database itself.

pub mod builds;
pub mod dependencies;
pub mod dependency_keys;
pub mod entities;
pub mod last_build;
pub mod locks;
pub mod package_detail;
pub mod package_list;
pub mod packages;
pub mod stats;
#[cfg(test)]
pub(crate) mod test_db;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

use crate::config::Config;

/// Why the database cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection could be made.
    #[error("cannot connect to the database at {url}: {source}")]
    Connect {
        /// The URL, with any password hidden.
        url: String,
        /// The driver's error.
        source: DbErr,
    },
    /// The database was migrated by a newer Koschei than this binary.
    #[error(
        "the database schema is newer than this binary (it has migrations this binary does not know: {}); \
         upgrade Koschei or point it at another database",
        .unknown.join(", ")
    )]
    SchemaTooNew {
        /// Migration names the binary does not know.
        unknown: Vec<String>,
    },
    /// The schema has not been created or upgraded.
    #[error("the database schema is not up to date ({} pending migrations); run `koschei migrate`", .pending.len())]
    SchemaPending {
        /// Migration names not applied yet.
        pending: Vec<String>,
    },
    /// Any other database error.
    #[error(transparent)]
    Other(#[from] DbErr),
}

/// How long a SQLite writer waits for another one before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Begins a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (`BEGIN IMMEDIATE`), so that concurrent writers queue on the busy timeout: a deferred
/// transaction that reads first and writes later fails at once with "database is locked"
/// when another connection wrote in between. Every transaction that writes starts here;
/// on PostgreSQL (and inside a transaction: a savepoint) it is a plain `BEGIN`.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    let opts = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    db.begin_with_options(opts).await
}

/// Opens a connection pool to the configured database. For SQLite the data directory is
/// created when missing.
pub async fn connect(config: &Config) -> Result<DatabaseConnection, DbError> {
    let url = config.database_url();
    let shown = match &config.database.url {
        Some(secret) => secret.redacted(),
        None => url.clone(),
    };
    let sqlite_dir = sqlite_file(&url).and_then(|p| p.parent().map(ToOwned::to_owned));
    if let Some(parent) = sqlite_dir.filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(&parent).map_err(|e| DbError::Connect {
            url: shown.clone(),
            source: DbErr::Custom(format!("cannot create {}: {e}", parent.display())),
        })?;
    }
    let mut opts = ConnectOptions::new(url.clone());
    opts.max_connections(config.database.max_connections)
        .connect_timeout(config.database.connect_timeout)
        .acquire_timeout(config.database.connect_timeout)
        .idle_timeout(Duration::from_secs(300))
        .sqlx_logging(false)
        // Per connection (a PRAGMA run once would reach only one connection of the pool):
        // writers wait for each other instead of failing, foreign keys are enforced.
        .map_sqlx_sqlite_opts(|o| o.busy_timeout(SQLITE_BUSY_TIMEOUT).foreign_keys(true));
    let db =
        Database::connect(opts).await.map_err(|source| DbError::Connect { url: shown, source })?;
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        // WAL (a property of the database file) lets readers (the API) run beside the
        // writers (the services).
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
    }
    Ok(db)
}

fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| path.into())
}

/// How the database's schema relates to this binary's migrations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaStatus {
    /// Every migration is applied and none is unknown.
    UpToDate,
    /// Some migrations are not applied yet (possibly all: an empty database).
    Pending(Vec<String>),
    /// The database has migrations this binary does not know.
    TooNew(Vec<String>),
}

/// Compares the applied migrations with the ones compiled in.
pub async fn schema_status(db: &DatabaseConnection) -> Result<SchemaStatus, DbErr> {
    let known: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
    let applied = applied_migrations(db).await?;
    let unknown: Vec<String> = applied.iter().filter(|a| !known.contains(a)).cloned().collect();
    if !unknown.is_empty() {
        return Ok(SchemaStatus::TooNew(unknown));
    }
    let pending: Vec<String> = known.into_iter().filter(|k| !applied.contains(k)).collect();
    Ok(if pending.is_empty() { SchemaStatus::UpToDate } else { SchemaStatus::Pending(pending) })
}

async fn applied_migrations(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    let backend = db.get_database_backend();
    let exists_sql = match backend {
        DatabaseBackend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'seaql_migrations'"
        }
        _ => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = 'seaql_migrations' AND table_schema = current_schema()"
        }
    };
    let row = db.query_one_raw(Statement::from_string(backend, exists_sql)).await?;
    let n: i64 = match row {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    if n == 0 {
        return Ok(Vec::new());
    }
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT version FROM seaql_migrations ORDER BY version",
        ))
        .await?;
    rows.iter().map(|r| r.try_get::<String>("", "version")).collect()
}

/// Applies pending migrations; idempotent. Refuses a database newer than this binary.
/// Returns the names of the migrations applied now.
pub async fn migrate(db: &DatabaseConnection) -> Result<Vec<String>, DbError> {
    match schema_status(db).await? {
        SchemaStatus::TooNew(unknown) => Err(DbError::SchemaTooNew { unknown }),
        SchemaStatus::UpToDate => Ok(Vec::new()),
        SchemaStatus::Pending(pending) => {
            Migrator::up(db, None).await?;
            Ok(pending)
        }
    }
}

/// Fails unless the schema is exactly the one this binary expects.
pub async fn ensure_current(db: &DatabaseConnection) -> Result<(), DbError> {
    match schema_status(db).await? {
        SchemaStatus::UpToDate => Ok(()),
        SchemaStatus::TooNew(unknown) => Err(DbError::SchemaTooNew { unknown }),
        SchemaStatus::Pending(pending) => Err(DbError::SchemaPending { pending }),
    }
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_file("sqlite://data/k.db?mode=rwc"), Some("data/k.db".into()));
        assert_eq!(sqlite_file("sqlite:///tmp/k.db"), Some("/tmp/k.db".into()));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
    }
}
