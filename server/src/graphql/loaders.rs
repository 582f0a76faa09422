//! Batch loaders: one query per kind of row per request tick, whatever the page size.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use super::types::{BuildId, CollectionId};
use crate::db::entities::{build, collection};

/// Loads rows by primary key from the database.
pub struct DbLoader {
    db: DatabaseConnection,
}

impl DbLoader {
    /// A loader over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        DbLoader { db }
    }
}

impl Loader<CollectionId> for DbLoader {
    type Value = collection::Model;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[CollectionId],
    ) -> Result<HashMap<CollectionId, Self::Value>, Self::Error> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let rows = collection::Entity::find()
            .filter(collection::Column::Id.is_in(ids))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|r| (CollectionId(r.id), r)).collect())
    }
}

impl Loader<BuildId> for DbLoader {
    type Value = build::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[BuildId]) -> Result<HashMap<BuildId, Self::Value>, Self::Error> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let rows = build::Entity::find().filter(build::Column::Id.is_in(ids)).all(&self.db).await?;
        Ok(rows.into_iter().map(|r| (BuildId(r.id), r)).collect())
    }
}

impl From<Arc<DbErr>> for crate::error::ApiError {
    fn from(e: Arc<DbErr>) -> Self {
        crate::error::ApiError::internal(anyhow::anyhow!("database query failed: {e}"))
    }
}
