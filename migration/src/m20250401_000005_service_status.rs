//! `service_status`: one row per background service with its last tick, last success and
//! last error, written after every tick and read by the GraphQL `services` query.
//!
//! Creates the table only; must not insert rows (services create their row on first tick).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("service_status")
                    .col(text("name").primary_key())
                    .col(timestamp_with_time_zone_null("last_tick_at"))
                    .col(timestamp_with_time_zone_null("last_success_at"))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone_null("last_error_at"))
                    .col(big_integer("ticks").default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("service_status").to_owned()).await
    }
}
