//! Work locks between service instances: "only one process does this piece of work now".
//!
//! * PostgreSQL: session advisory locks, `pg_try_advisory_lock(namespace, key)` taken on a
//!   connection dedicated to the lock (checked out of the pool for as long as the guard
//!   lives) and released with `pg_advisory_unlock` after the work. A guard dropped without
//!   [`LockGuard::release`] (a cancelled tick, a panic) detaches and closes its connection, so
//!   the server ends the session and frees the lock; a crashed process frees it the same way.
//! * SQLite (one process per database file): an in-process set of held keys shared by the
//!   clones of one [`Locks`], with the same API. Two processes on one SQLite file are not
//!   coordinated; SQLite deployments run all services in one process.
//!
//! Non-blocking: a held lock means "someone else does it now, skip". Namespaces follow the
//! original (1 repo_resolver per collection, 2 build_resolver per repo id) plus one global
//! lock each for polling (3) and the scheduler (4), which the original assumed to run once.
//! This module only locks; it must not do the work or decide what to lock.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::{self, Postgres};
use sea_orm::{DatabaseBackend, DatabaseConnection};

/// What is locked: a namespace and a key (the two-int advisory lock form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LockKey {
    /// repo_resolver work on one collection (namespace 1, key = collection id).
    RepoResolver {
        /// The collection.
        collection_id: i32,
    },
    /// build_resolver work on the builds of one repo (namespace 2, key = repo id).
    BuildResolver {
        /// The repo.
        repo_id: i32,
    },
    /// The polling service (namespace 3, key 0).
    Polling,
    /// The scheduler (namespace 4, key 0).
    Scheduler,
}

impl LockKey {
    /// `(namespace, key)` as passed to `pg_try_advisory_lock`.
    pub fn pair(self) -> (i32, i32) {
        match self {
            LockKey::RepoResolver { collection_id } => (1, collection_id),
            LockKey::BuildResolver { repo_id } => (2, repo_id),
            LockKey::Polling => (3, 0),
            LockKey::Scheduler => (4, 0),
        }
    }
}

/// Errors of taking or releasing a lock.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// The database failed (no connection, query error).
    #[error("advisory lock {key:?}: {source}")]
    Db {
        /// The lock.
        key: LockKey,
        /// The driver's error.
        source: sqlx::Error,
    },
}

type Held = Arc<Mutex<HashSet<(i32, i32)>>>;

/// Takes locks on one database. Cheap to clone; clones share the in-process lock set.
#[derive(Debug, Clone)]
pub struct Locks {
    db: DatabaseConnection,
    local: Held,
}

impl Locks {
    /// Locks on `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Locks { db, local: Held::default() }
    }

    /// Takes `key` if nobody holds it; `None` when it is held elsewhere.
    pub async fn try_acquire(&self, key: LockKey) -> Result<Option<LockGuard>, LockError> {
        let (ns, k) = key.pair();
        if self.db.get_database_backend() != DatabaseBackend::Postgres {
            let mut held = self.local.lock().unwrap_or_else(PoisonError::into_inner);
            if !held.insert((ns, k)) {
                return Ok(None);
            }
            return Ok(Some(LockGuard { key, inner: Inner::Local(self.local.clone()) }));
        }
        let pool = self.db.get_postgres_connection_pool();
        let mut conn = pool.acquire().await.map_err(|source| LockError::Db { key, source })?;
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
            .bind(ns)
            .bind(k)
            .fetch_one(&mut *conn)
            .await
            .map_err(|source| LockError::Db { key, source })?;
        Ok(got.then(|| LockGuard { key, inner: Inner::Postgres(Some(conn)) }))
    }
}

enum Inner {
    Local(Held),
    Postgres(Option<PoolConnection<Postgres>>),
}

/// A held lock. Call [`LockGuard::release`] after the work; dropping it also frees the lock
/// (on PostgreSQL by closing the lock's connection).
pub struct LockGuard {
    key: LockKey,
    inner: Inner,
}

impl std::fmt::Debug for LockGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LockGuard").field("key", &self.key).finish_non_exhaustive()
    }
}

impl LockGuard {
    /// The lock held.
    pub fn key(&self) -> LockKey {
        self.key
    }

    /// Releases the lock. On PostgreSQL the connection goes back to the pool when the unlock
    /// succeeded; if it failed, the connection is closed (which frees the lock too).
    pub async fn release(mut self) -> Result<(), LockError> {
        let key = self.key;
        if let Inner::Postgres(slot) = &mut self.inner
            && let Some(mut conn) = slot.take()
        {
            let (ns, k) = key.pair();
            let res = sqlx::query_scalar::<_, bool>("SELECT pg_advisory_unlock($1, $2)")
                .bind(ns)
                .bind(k)
                .fetch_one(&mut *conn)
                .await;
            match res {
                Ok(true) => drop(conn),
                Ok(false) => drop(conn.detach()),
                Err(source) => {
                    drop(conn.detach());
                    return Err(LockError::Db { key, source });
                }
            }
        }
        Ok(())
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        match &mut self.inner {
            Inner::Local(held) => {
                held.lock().unwrap_or_else(PoisonError::into_inner).remove(&self.key.pair());
            }
            // Not released: close the session so the server frees the lock.
            Inner::Postgres(slot) => {
                if let Some(conn) = slot.take() {
                    drop(conn.detach());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::test_db::backends;

    #[tokio::test]
    async fn one_of_two_concurrent_acquirers_wins() {
        for tdb in backends().await {
            let l = tdb.label;
            // Two lock managers stand for two processes on PostgreSQL; on SQLite the lock is
            // per process, so the second acquirer shares the first one's lock set.
            let a = Locks::new(tdb.conn.clone());
            let b = if l == "postgres" { Locks::new(tdb.conn.clone()) } else { a.clone() };
            let (ra, rb) =
                tokio::join!(a.try_acquire(LockKey::Scheduler), b.try_acquire(LockKey::Scheduler));
            let (ra, rb) = (ra.expect("a"), rb.expect("b"));
            assert!(ra.is_some() != rb.is_some(), "{l}: exactly one wins");
            let winner = ra.or(rb).expect("winner");
            assert_eq!(winner.key(), LockKey::Scheduler);
            // Other keys are independent.
            let other = b.try_acquire(LockKey::Polling).await.expect("polling");
            assert!(other.is_some(), "{l}: another key is free");
            let coll1 = a.try_acquire(LockKey::RepoResolver { collection_id: 1 }).await;
            let coll1b = b.try_acquire(LockKey::RepoResolver { collection_id: 1 }).await;
            assert!(coll1.expect("1").is_some() && coll1b.expect("1b").is_none(), "{l}");
            // Released explicitly: free again.
            winner.release().await.expect("release");
            let again = b.try_acquire(LockKey::Scheduler).await.expect("again");
            assert!(again.is_some(), "{l}: free after release");
            // Dropped without release (a cancelled tick): free as well.
            drop(again);
            let mut after_drop = None;
            for _ in 0..50 {
                after_drop = a.try_acquire(LockKey::Scheduler).await.expect("after drop");
                if after_drop.is_some() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            assert!(after_drop.is_some(), "{l}: free after drop");
        }
    }
}
