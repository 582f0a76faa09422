//! `copr_rebuild_request` (copr plugin): a user's request to rebuild packages with a copr repo
//! added. Row shape only; `timestamp` is set by the application (UTC).

use sea_orm::entity::prelude::*;

/// Request state (a PostgreSQL enum in the original; text + CHECK here).
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum RebuildRequestState {
    /// Just submitted.
    #[sea_orm(string_value = "new")]
    New,
    /// Resolved, scheduling in progress.
    #[sea_orm(string_value = "in progress")]
    InProgress,
    /// Every build was scheduled.
    #[sea_orm(string_value = "scheduled")]
    Scheduled,
    /// Every build completed.
    #[sea_orm(string_value = "finished")]
    Finished,
    /// An error occurred; processing stopped.
    #[sea_orm(string_value = "failed")]
    Failed,
}

/// A copr rebuild request row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "copr_rebuild_request")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub collection_id: i32,
    /// `copr:owner/name` or `copr:name`.
    #[sea_orm(column_type = "Text")]
    pub repo_source: String,
    /// Raw yum repo URL, set by the resolver.
    #[sea_orm(column_type = "Text", nullable)]
    pub yum_repo: Option<String>,
    pub timestamp: DateTimeUtc,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// Koji repo id of the base repo (collection's latest_repo_id at resolution time).
    pub repo_id: Option<i32>,
    pub schedule_count: Option<i32>,
    pub scheduler_queue_index: Option<i32>,
    pub state: RebuildRequestState,
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
}

/// Relations of `copr_rebuild_request`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
    #[sea_orm(
        belongs_to = "super::collection::Entity",
        from = "Column::CollectionId",
        to = "super::collection::Column::Id",
        on_delete = "Cascade"
    )]
    Collection,
    #[sea_orm(has_many = "super::copr_rebuild::Entity")]
    Rebuilds,
    #[sea_orm(has_many = "super::copr_resolution_change::Entity")]
    ResolutionChanges,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::collection::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Collection.def()
    }
}

impl Related<super::copr_rebuild::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Rebuilds.def()
    }
}

impl Related<super::copr_resolution_change::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ResolutionChanges.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
