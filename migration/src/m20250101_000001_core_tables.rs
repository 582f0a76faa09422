//! Core tables: collection, base_package, package, build, koji_task, dependency, applied and
//! unapplied changes, resolution history, buildroot problems and repo mapping (spec §1.1).
//!
//! Creates tables, their foreign keys, UNIQUE and CHECK constraints; plain and partial
//! (non-unique) indexes are in the indexes migration. Must not insert data.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::helpers::{check, drop_tables, fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

const FK_LAST_COMPLETE_BUILD: &str = "fkey_package_last_complete_build_id";
const FK_LAST_BUILD: &str = "fkey_package_last_build_id";

/// The `package → build` pointer foreign keys. `last_complete_build_id` deliberately has no
/// ON DELETE action (as in the original): deleting a build that is still some package's last
/// complete build fails; the server repoints before deleting.
fn package_build_fks() -> [ForeignKeyCreateStatement; 2] {
    [
        fk(FK_LAST_COMPLETE_BUILD, "package", "last_complete_build_id", "build", None),
        fk(FK_LAST_BUILD, "package", "last_build_id", "build", Some(ForeignKeyAction::SetNull)),
    ]
}

fn collection() -> TableCreateStatement {
    Table::create()
        .table("collection")
        .col(pk_auto("id"))
        .col(integer("order").default(100))
        .col(text_uniq("name"))
        .col(text("display_name"))
        .col(boolean("secondary_mode").default(false))
        .col(text("target"))
        .col(text("dest_tag"))
        .col(text("build_tag"))
        .col(text_null("bugzilla_product"))
        .col(text_null("bugzilla_version"))
        .col(double("priority_coefficient").default(1.0))
        .col(text("build_group").default("build"))
        .col(integer_null("latest_repo_id"))
        .col(boolean_null("latest_repo_resolved"))
        .col(boolean("poll_untracked").default(true))
        .check(check(
            "collection_latest_repo_check",
            "(latest_repo_resolved IS NULL) = (latest_repo_id IS NULL)",
        ))
        .to_owned()
}

fn base_package() -> TableCreateStatement {
    Table::create()
        .table("base_package")
        .col(pk_auto("id"))
        .col(text_uniq("name"))
        .col(boolean("all_blocked").default(true))
        .to_owned()
}

fn package(inline_build_fks: bool) -> TableCreateStatement {
    let mut stmt = Table::create();
    stmt.table("package")
        .col(pk_auto("id"))
        .col(integer("base_id"))
        .col(text("name"))
        .col(integer("collection_id"))
        .col(text_null("arch_override"))
        .col(boolean("skip_resolution").default(false))
        .col(integer_null("last_complete_build_id"))
        .col(integer_null("last_complete_build_state"))
        .col(integer_null("last_build_id"))
        .col(boolean_null("resolved"))
        .col(integer("static_priority").default(0))
        .col(integer("manual_priority").default(0))
        .col(integer("build_priority").default(0))
        .col(integer("dependency_priority").default(0))
        .col(boolean("tracked").default(false))
        .col(boolean("blocked").default(false))
        .col(integer_null("scheduler_skip_reason"))
        .index(
            Index::create()
                .unique()
                .name("package_unique_in_collection")
                .col("base_id")
                .col("collection_id"),
        )
        .foreign_key(&mut fk(
            "package_base_id_fkey",
            "package",
            "base_id",
            "base_package",
            Some(ForeignKeyAction::Cascade),
        ))
        .foreign_key(&mut fk(
            "package_collection_id_fkey",
            "package",
            "collection_id",
            "collection",
            Some(ForeignKeyAction::Cascade),
        ))
        .check(check("package_skip_resolution_check", "NOT skip_resolution OR resolved IS NULL"));
    if inline_build_fks {
        for mut pointer_fk in package_build_fks() {
            stmt.foreign_key(&mut pointer_fk);
        }
    }
    stmt
}

fn build() -> TableCreateStatement {
    Table::create()
        .table("build")
        .col(pk_auto("id"))
        .col(integer_null("package_id"))
        .col(integer("state").default(2))
        .col(integer("task_id"))
        .col(timestamp_with_time_zone("started"))
        .col(timestamp_with_time_zone_null("finished"))
        .col(integer_null("epoch"))
        .col(text_null("version"))
        .col(text_null("release"))
        .col(integer_null("repo_id"))
        .col(boolean("last_complete").default(false))
        .col(boolean("cancel_requested").default(false))
        .col(boolean_null("deps_resolved"))
        .col(boolean("real").default(false))
        .col(boolean("untagged").default(false))
        .col(blob_null("dependency_keys"))
        .foreign_key(&mut fk(
            "build_package_id_fkey",
            "build",
            "package_id",
            "package",
            Some(ForeignKeyAction::Cascade),
        ))
        .check(check("build_state_check", "state IN (2, 3, 5, 6)"))
        .check(check("build_repo_id_check", "state IN (2, 6) OR repo_id IS NOT NULL"))
        .check(check("build_version_check", "state IN (2, 6) OR version IS NOT NULL"))
        .check(check("build_release_check", "state IN (2, 6) OR release IS NOT NULL"))
        .check(check("build_real_complete_check", "NOT real OR state IN (3, 5)"))
        .to_owned()
}

fn koji_task() -> TableCreateStatement {
    Table::create()
        .table("koji_task")
        .col(pk_auto("id"))
        .col(integer("build_id"))
        .col(integer("task_id"))
        .col(text("arch"))
        .col(integer("state"))
        .col(timestamp_with_time_zone("started"))
        .col(timestamp_with_time_zone_null("finished"))
        .foreign_key(&mut fk(
            "koji_task_build_id_fkey",
            "koji_task",
            "build_id",
            "build",
            Some(ForeignKeyAction::Cascade),
        ))
        .check(check("koji_task_state_check", "state BETWEEN 0 AND 5"))
        .to_owned()
}

fn dependency() -> TableCreateStatement {
    Table::create()
        .table("dependency")
        .col(pk_auto("id"))
        .col(text("name"))
        .col(integer_null("epoch"))
        .col(text("version"))
        .col(text("release"))
        .col(text("arch"))
        .to_owned()
}

fn dependency_unique_index() -> IndexCreateStatement {
    Index::create()
        .unique()
        .name("ix_dependency_composite")
        .table("dependency")
        .col("name")
        .col("epoch")
        .col("version")
        .col("release")
        .col("arch")
        .to_owned()
}

/// applied_change and unapplied_change share their shape; they differ in the owner column and
/// the id width (unapplied_change.id is BIGINT in the original).
fn change_table(table: &'static str) -> TableCreateStatement {
    let applied = table == "applied_change";
    let (owner_col, owner_table, owner_fk, check_name, prev_fk, curr_fk) = if applied {
        (
            "build_id",
            "build",
            "applied_change_build_id_fkey",
            "applied_change_dep_id_check",
            "applied_change_prev_dep_id_fkey",
            "applied_change_curr_dep_id_fkey",
        )
    } else {
        (
            "package_id",
            "package",
            "unapplied_change_package_id_fkey",
            "unapplied_change_dep_id_check",
            "unapplied_change_prev_dep_id_fkey",
            "unapplied_change_curr_dep_id_fkey",
        )
    };
    Table::create()
        .table(table)
        .col(if applied { pk_auto("id") } else { big_pk_auto("id") })
        .col(integer(owner_col))
        .col(integer_null("prev_dep_id"))
        .col(integer_null("curr_dep_id"))
        .col(integer_null("distance"))
        .foreign_key(&mut fk(
            owner_fk,
            table,
            owner_col,
            owner_table,
            Some(ForeignKeyAction::Cascade),
        ))
        .foreign_key(&mut fk(prev_fk, table, "prev_dep_id", "dependency", None))
        .foreign_key(&mut fk(curr_fk, table, "curr_dep_id", "dependency", None))
        .check(check(check_name, "COALESCE(prev_dep_id, 0) <> COALESCE(curr_dep_id, 0)"))
        .to_owned()
}

fn resolution_change() -> TableCreateStatement {
    Table::create()
        .table("resolution_change")
        .col(pk_auto("id"))
        .col(boolean("resolved"))
        .col(timestamp_with_time_zone("timestamp"))
        .col(integer("package_id"))
        .foreign_key(&mut fk(
            "resolution_change_package_id_fkey",
            "resolution_change",
            "package_id",
            "package",
            Some(ForeignKeyAction::Cascade),
        ))
        .to_owned()
}

fn resolution_problem() -> TableCreateStatement {
    Table::create()
        .table("resolution_problem")
        .col(pk_auto("id"))
        .col(integer("resolution_id"))
        .col(text("problem"))
        .foreign_key(&mut fk(
            "resolution_problem_resolution_id_fkey",
            "resolution_problem",
            "resolution_id",
            "resolution_change",
            Some(ForeignKeyAction::Cascade),
        ))
        .to_owned()
}

fn buildroot_problem() -> TableCreateStatement {
    Table::create()
        .table("buildroot_problem")
        .col(pk_auto("id"))
        .col(integer_null("collection_id"))
        .col(text("problem"))
        .foreign_key(&mut fk(
            "buildroot_problem_collection_id_fkey",
            "buildroot_problem",
            "collection_id",
            "collection",
            Some(ForeignKeyAction::Cascade),
        ))
        .to_owned()
}

fn repo_mapping() -> TableCreateStatement {
    Table::create()
        .table("repo_mapping")
        // Koji's repo id on the secondary instance: a natural key, not generated.
        .col(integer("secondary_id").primary_key())
        .col(integer_null("primary_id"))
        .col(integer("task_id"))
        .to_owned()
}

/// Tables in creation order (children after parents); `down` drops them in reverse.
const TABLES: &[&str] = &[
    "collection",
    "base_package",
    "package",
    "build",
    "koji_task",
    "dependency",
    "applied_change",
    "unapplied_change",
    "resolution_change",
    "resolution_problem",
    "buildroot_problem",
    "repo_mapping",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sqlite = manager.get_database_backend() == DbBackend::Sqlite;
        manager.create_table(collection()).await?;
        manager.create_table(base_package()).await?;
        manager.create_table(package(sqlite)).await?;
        manager.create_table(build()).await?;
        if !sqlite {
            for fk in package_build_fks() {
                manager.create_foreign_key(fk).await?;
            }
        }
        manager.create_table(koji_task()).await?;
        manager.create_table(dependency()).await?;
        manager.create_index(dependency_unique_index()).await?;
        manager.create_table(change_table("applied_change")).await?;
        manager.create_table(change_table("unapplied_change")).await?;
        manager.create_table(resolution_change()).await?;
        manager.create_table(resolution_problem()).await?;
        manager.create_table(buildroot_problem()).await?;
        manager.create_table(repo_mapping()).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sqlite = manager.get_database_backend() == DbBackend::Sqlite;
        if sqlite {
            // Clear the package → build pointers so dropping `build` (an implicit DELETE on
            // SQLite) cannot violate the NO ACTION foreign key.
            manager
                .get_connection()
                .execute_unprepared(
                    "UPDATE package SET last_build_id = NULL, last_complete_build_id = NULL",
                )
                .await?;
        } else {
            for name in [FK_LAST_COMPLETE_BUILD, FK_LAST_BUILD] {
                manager
                    .drop_foreign_key(ForeignKey::drop().name(name).table("package").to_owned())
                    .await?;
            }
        }
        let reversed: Vec<&'static str> = TABLES.iter().rev().copied().collect();
        drop_tables(manager, &reversed).await
    }
}
