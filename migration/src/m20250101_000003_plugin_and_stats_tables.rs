//! Plugin tables (osci `build_group`; copr rebuild requests, resolution changes and rebuilds)
//! and the two statistics tables that emulate materialized views (spec §1.2, §1.3).
//!
//! Creates tables with their keys and constraints only; must not insert data.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::{check, drop_tables, fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn build_group() -> TableCreateStatement {
    Table::create()
        .table("build_group")
        .col(pk_auto("id"))
        .col(integer_null("repo_id"))
        .col(integer_null("collection_id"))
        .col(integer_null("base_collection_id"))
        .col(text_null("state"))
        .foreign_key(&mut fk(
            "build_group_collection_id_fkey",
            "build_group",
            "collection_id",
            "collection",
            Some(ForeignKeyAction::SetNull),
        ))
        .foreign_key(&mut fk(
            "build_group_base_collection_id_fkey",
            "build_group",
            "base_collection_id",
            "collection",
            Some(ForeignKeyAction::SetNull),
        ))
        .to_owned()
}

fn copr_rebuild_request() -> TableCreateStatement {
    Table::create()
        .table("copr_rebuild_request")
        .col(pk_auto("id"))
        .col(integer("user_id"))
        .col(integer("collection_id"))
        .col(text("repo_source"))
        .col(text_null("yum_repo"))
        .col(timestamp_with_time_zone("timestamp"))
        .col(text_null("description"))
        .col(integer_null("repo_id"))
        .col(integer_null("schedule_count"))
        .col(integer_null("scheduler_queue_index"))
        // PostgreSQL enum `rebuild_request_state` in the original.
        .col(text("state").default("new"))
        .col(text_null("error"))
        .foreign_key(&mut fk(
            "copr_rebuild_request_user_id_fkey",
            "copr_rebuild_request",
            "user_id",
            "user",
            Some(ForeignKeyAction::Cascade),
        ))
        .foreign_key(&mut fk(
            "copr_rebuild_request_collection_id_fkey",
            "copr_rebuild_request",
            "collection_id",
            "collection",
            Some(ForeignKeyAction::Cascade),
        ))
        .check(check(
            "copr_rebuild_request_state_check",
            "state IN ('new', 'in progress', 'scheduled', 'finished', 'failed')",
        ))
        .to_owned()
}

fn copr_resolution_change() -> TableCreateStatement {
    Table::create()
        .table("copr_resolution_change")
        .col(integer("request_id"))
        .col(integer("package_id"))
        .col(boolean("prev_resolved"))
        .col(boolean("curr_resolved"))
        // `text[]` in the original; here a JSON array of strings.
        .col(text_null("problems"))
        .primary_key(Index::create().col("request_id").col("package_id"))
        .foreign_key(&mut fk(
            "copr_resolution_change_request_id_fkey",
            "copr_resolution_change",
            "request_id",
            "copr_rebuild_request",
            Some(ForeignKeyAction::Cascade),
        ))
        .foreign_key(&mut fk(
            "copr_resolution_change_package_id_fkey",
            "copr_resolution_change",
            "package_id",
            "package",
            Some(ForeignKeyAction::Cascade),
        ))
        .to_owned()
}

fn copr_rebuild() -> TableCreateStatement {
    Table::create()
        .table("copr_rebuild")
        .col(integer("request_id"))
        .col(integer("package_id"))
        .col(integer_null("copr_build_id"))
        .col(integer("prev_state"))
        .col(integer_null("state"))
        .col(boolean_null("approved"))
        .col(integer("order"))
        // Present in the original migration, unused by its model.
        .col(boolean("running").default(false))
        .primary_key(Index::create().col("request_id").col("package_id"))
        .foreign_key(&mut fk(
            "copr_rebuild_request_id_fkey",
            "copr_rebuild",
            "request_id",
            "copr_rebuild_request",
            Some(ForeignKeyAction::Cascade),
        ))
        .foreign_key(&mut fk(
            "copr_rebuild_package_id_fkey",
            "copr_rebuild",
            "package_id",
            "package",
            Some(ForeignKeyAction::Cascade),
        ))
        .check(check(
            "copr_rebuild_scheduled_build_has_copr_id_check",
            "state IS NULL OR copr_build_id IS NOT NULL",
        ))
        .check(check("copr_rebuild_state_check", "state BETWEEN 2 AND 5"))
        .to_owned()
}

fn scalar_stats() -> TableCreateStatement {
    Table::create()
        .table("scalar_stats")
        .col(timestamp_with_time_zone("refresh_time").primary_key())
        .col(integer("packages"))
        .col(integer("tracked_packages"))
        .col(integer("blocked_packages"))
        .col(integer("builds"))
        .col(integer("real_builds"))
        .col(integer("scratch_builds"))
        .to_owned()
}

fn resource_consumption_stats() -> TableCreateStatement {
    Table::create()
        .table("resource_consumption_stats")
        .col(text("name"))
        .col(text("arch"))
        // `interval` in the original; here whole seconds.
        .col(big_integer_null("time"))
        .col(double_null("time_percentage"))
        .primary_key(Index::create().col("name").col("arch"))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(build_group()).await?;
        manager.create_table(copr_rebuild_request()).await?;
        manager.create_table(copr_resolution_change()).await?;
        manager.create_table(copr_rebuild()).await?;
        manager.create_table(scalar_stats()).await?;
        manager.create_table(resource_consumption_stats()).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "resource_consumption_stats",
                "scalar_stats",
                "copr_rebuild",
                "copr_resolution_change",
                "copr_rebuild_request",
                "build_group",
            ],
        )
        .await
    }
}
