//! Batch loaders: one query per kind of row per request tick, whatever the page size.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use super::types::{
    BuildChangesOf, BuildId, CollectionId, KojiTasksOf, PackageChangesOf, PackageId, ProblemsOf,
};
use crate::db::entities::{build, collection, koji_task, package};
use crate::db::package_detail::{self, ChangeRow};

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

impl Loader<PackageId> for DbLoader {
    type Value = package::Model;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[PackageId],
    ) -> Result<HashMap<PackageId, Self::Value>, Self::Error> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let rows =
            package::Entity::find().filter(package::Column::Id.is_in(ids)).all(&self.db).await?;
        Ok(rows.into_iter().map(|r| (PackageId(r.id), r)).collect())
    }
}

impl Loader<BuildChangesOf> for DbLoader {
    type Value = Vec<ChangeRow>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[BuildChangesOf],
    ) -> Result<HashMap<BuildChangesOf, Self::Value>, Self::Error> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let found = package_detail::applied_changes(&self.db, &ids).await?;
        Ok(found.into_iter().map(|(id, rows)| (BuildChangesOf(id), rows)).collect())
    }
}

impl Loader<PackageChangesOf> for DbLoader {
    type Value = Vec<ChangeRow>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[PackageChangesOf],
    ) -> Result<HashMap<PackageChangesOf, Self::Value>, Self::Error> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let found = package_detail::unapplied_changes(&self.db, &ids).await?;
        Ok(found.into_iter().map(|(id, rows)| (PackageChangesOf(id), rows)).collect())
    }
}

impl Loader<KojiTasksOf> for DbLoader {
    type Value = Vec<koji_task::Model>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[KojiTasksOf],
    ) -> Result<HashMap<KojiTasksOf, Self::Value>, Self::Error> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let found = package_detail::koji_tasks(&self.db, &ids).await?;
        Ok(found.into_iter().map(|(id, rows)| (KojiTasksOf(id), rows)).collect())
    }
}

impl Loader<ProblemsOf> for DbLoader {
    type Value = Vec<String>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[ProblemsOf],
    ) -> Result<HashMap<ProblemsOf, Self::Value>, Self::Error> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let found = package_detail::current_problems(&self.db, &ids).await?;
        Ok(found.into_iter().map(|(id, rows)| (ProblemsOf(id), rows)).collect())
    }
}

impl From<Arc<DbErr>> for crate::error::ApiError {
    fn from(e: Arc<DbErr>) -> Self {
        crate::error::ApiError::internal(anyhow::anyhow!("database query failed: {e}"))
    }
}
