//! Non-unique indexes of the original schema, including the three partial indexes used by hot
//! queries (`ix_package_collection_id`, `ix_builds_unprocessed`, `ix_builds_last_complete`).
//!
//! Unique indexes/constraints belong to their tables' migrations; this one must not create
//! tables or constraints. Partial-index predicates are plain column references (`NOT blocked`,
//! `last_complete`) so SQLite's 0/1 booleans and PostgreSQL's booleans both accept them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (index name, table, columns) for the plain indexes.
const PLAIN: &[(&str, &str, &[&str])] = &[
    ("ix_package_name", "package", &["name"]),
    ("ix_koji_task_build_id", "koji_task", &["build_id"]),
    ("ix_applied_change_build_id", "applied_change", &["build_id"]),
    ("ix_applied_change_prev_dep_id", "applied_change", &["prev_dep_id"]),
    ("ix_applied_change_curr_dep_id", "applied_change", &["curr_dep_id"]),
    ("ix_unapplied_change_package_id", "unapplied_change", &["package_id"]),
    ("ix_unapplied_change_prev_dep_id", "unapplied_change", &["prev_dep_id"]),
    ("ix_unapplied_change_curr_dep_id", "unapplied_change", &["curr_dep_id"]),
    ("ix_resolution_change_package_id", "resolution_change", &["package_id"]),
    ("ix_resolution_problem_resolution_id", "resolution_problem", &["resolution_id"]),
    ("ix_buildroot_problem_collection_id", "buildroot_problem", &["collection_id"]),
    ("ix_package_group_relation_base_id", "package_group_relation", &["base_id"]),
    ("ix_resource_consumption_stats_time", "resource_consumption_stats", &["time"]),
];

/// The indexes that need more than a column list: descending order or a WHERE clause.
fn special() -> Vec<IndexCreateStatement> {
    vec![
        Index::create()
            .name("ix_build_composite")
            .table("build")
            .col("package_id")
            .col(("started", IndexOrder::Desc))
            .to_owned(),
        Index::create()
            .name("ix_package_collection_id")
            .table("package")
            .col("collection_id")
            .col("tracked")
            .and_where(Expr::col("blocked").not())
            .to_owned(),
        Index::create()
            .name("ix_builds_unprocessed")
            .table("build")
            .col("task_id")
            .and_where(Expr::col("deps_resolved").is_null())
            .and_where(Expr::col("repo_id").is_not_null())
            .to_owned(),
        Index::create()
            .name("ix_builds_last_complete")
            .table("build")
            .col("package_id")
            .col("task_id")
            .and_where(Expr::col("last_complete"))
            .to_owned(),
    ]
}

/// Names of every index this migration creates, with their tables (for `down`).
fn all_names() -> Vec<(&'static str, &'static str)> {
    let mut names: Vec<(&'static str, &'static str)> =
        PLAIN.iter().map(|(name, table, _)| (*name, *table)).collect();
    names.extend([
        ("ix_build_composite", "build"),
        ("ix_package_collection_id", "package"),
        ("ix_builds_unprocessed", "build"),
        ("ix_builds_last_complete", "build"),
    ]);
    names
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, cols) in PLAIN {
            let mut stmt = Index::create();
            stmt.name(*name).table(*table);
            for col in *cols {
                stmt.col(*col);
            }
            manager.create_index(stmt).await?;
        }
        for stmt in special() {
            manager.create_index(stmt).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table) in all_names() {
            manager.drop_index(Index::drop().name(name).table(table).to_owned()).await?;
        }
        Ok(())
    }
}
