//! `repo_mapping` (secondary mode): Koji repo ids on the secondary instance mapped to the
//! primary's. Row shape only.

use sea_orm::entity::prelude::*;

/// A repo mapping row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "repo_mapping")]
pub struct Model {
    /// Repo id on the secondary Koji (natural key, not generated).
    #[sea_orm(primary_key, auto_increment = false)]
    pub secondary_id: i32,
    /// Repo id on the primary, once known.
    pub primary_id: Option<i32>,
    /// The primary's `newRepo` task id.
    pub task_id: i32,
}

/// `repo_mapping` has no foreign keys.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
