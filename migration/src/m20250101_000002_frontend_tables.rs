//! Frontend/admin tables: "user", collection and package groups, ACLs, admin notice and the
//! audit log (spec §1.2).
//!
//! Creates tables with their keys and constraints only; must not insert data.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::helpers::{check, drop_tables, fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn user() -> TableCreateStatement {
    Table::create()
        .table("user")
        .col(pk_auto("id"))
        .col(text_uniq("name"))
        .col(boolean("admin").default(false))
        .to_owned()
}

fn collection_group() -> TableCreateStatement {
    Table::create()
        .table("collection_group")
        .col(pk_auto("id"))
        .col(text_uniq("name"))
        .col(text("display_name"))
        .to_owned()
}

fn collection_group_relation() -> TableCreateStatement {
    Table::create()
        .table("collection_group_relation")
        .col(integer("group_id"))
        .col(integer("collection_id"))
        .primary_key(Index::create().col("group_id").col("collection_id"))
        .foreign_key(&mut fk(
            "collection_group_relation_group_id_fkey",
            "collection_group_relation",
            "group_id",
            "collection_group",
            Some(ForeignKeyAction::Cascade),
        ))
        .foreign_key(&mut fk(
            "collection_group_relation_collection_id_fkey",
            "collection_group_relation",
            "collection_id",
            "collection",
            Some(ForeignKeyAction::Cascade),
        ))
        .to_owned()
}

fn package_group() -> TableCreateStatement {
    Table::create()
        .table("package_group")
        .col(pk_auto("id"))
        .col(text_null("namespace"))
        .col(text("name"))
        .to_owned()
}

fn package_group_name_index() -> IndexCreateStatement {
    // As in the original, NULL namespaces (global groups) are not deduplicated by this index.
    Index::create()
        .unique()
        .name("ix_package_group_name")
        .table("package_group")
        .col("namespace")
        .col("name")
        .to_owned()
}

fn package_group_relation() -> TableCreateStatement {
    Table::create()
        .table("package_group_relation")
        .col(integer("group_id"))
        .col(integer("base_id"))
        .primary_key(Index::create().col("group_id").col("base_id"))
        .foreign_key(&mut fk(
            "package_group_relation_group_id_fkey",
            "package_group_relation",
            "group_id",
            "package_group",
            Some(ForeignKeyAction::Cascade),
        ))
        .foreign_key(&mut fk(
            "package_group_relation_base_id_fkey",
            "package_group_relation",
            "base_id",
            "base_package",
            Some(ForeignKeyAction::Cascade),
        ))
        .to_owned()
}

fn group_acl() -> TableCreateStatement {
    Table::create()
        .table("group_acl")
        .col(integer("group_id"))
        .col(integer("user_id"))
        .primary_key(Index::create().col("group_id").col("user_id"))
        .foreign_key(&mut fk(
            "group_acl_group_id_fkey",
            "group_acl",
            "group_id",
            "package_group",
            Some(ForeignKeyAction::Cascade),
        ))
        .foreign_key(&mut fk(
            "group_acl_user_id_fkey",
            "group_acl",
            "user_id",
            "user",
            Some(ForeignKeyAction::Cascade),
        ))
        .to_owned()
}

fn admin_notice() -> TableCreateStatement {
    Table::create()
        .table("admin_notice")
        .col(text("key").primary_key())
        .col(text("content"))
        .to_owned()
}

fn log_entry() -> TableCreateStatement {
    Table::create()
        .table("log_entry")
        .col(pk_auto("id"))
        .col(integer_null("user_id"))
        // PostgreSQL enum `log_environment` in the original.
        .col(text("environment"))
        .col(timestamp_with_time_zone("timestamp"))
        .col(text("message"))
        .col(integer_null("base_id"))
        .foreign_key(&mut fk(
            "log_entry_user_id_fkey",
            "log_entry",
            "user_id",
            "user",
            Some(ForeignKeyAction::Cascade),
        ))
        .foreign_key(&mut fk(
            "log_entry_base_id_fkey",
            "log_entry",
            "base_id",
            "base_package",
            Some(ForeignKeyAction::Cascade),
        ))
        .check(check(
            "log_entry_environment_check",
            "environment IN ('admin', 'backend', 'frontend')",
        ))
        .check(check("log_entry_user_id_check", "user_id IS NOT NULL OR environment = 'backend'"))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(user()).await?;
        manager.create_table(collection_group()).await?;
        manager.create_table(collection_group_relation()).await?;
        manager.create_table(package_group()).await?;
        manager.create_index(package_group_name_index()).await?;
        manager.create_table(package_group_relation()).await?;
        manager.create_table(group_acl()).await?;
        manager.create_table(admin_notice()).await?;
        manager.create_table(log_entry()).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "log_entry",
                "admin_notice",
                "group_acl",
                "package_group_relation",
                "package_group",
                "collection_group_relation",
                "collection_group",
                "user",
            ],
        )
        .await
    }
}
