//! `log_entry`: append-only audit log of effective actions. Row shape only; `timestamp` is set
//! by the application (UTC).

use sea_orm::entity::prelude::*;

/// Where a log entry came from (a PostgreSQL enum in the original; text + CHECK here).
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum LogEnvironment {
    #[sea_orm(string_value = "admin")]
    Admin,
    #[sea_orm(string_value = "backend")]
    Backend,
    #[sea_orm(string_value = "frontend")]
    Frontend,
}

/// A log entry row. `user_id` may be NULL only for backend entries.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "log_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: Option<i32>,
    pub environment: LogEnvironment,
    pub timestamp: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub base_id: Option<i32>,
}

/// Relations of `log_entry`.
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
        belongs_to = "super::base_package::Entity",
        from = "Column::BaseId",
        to = "super::base_package::Column::Id",
        on_delete = "Cascade"
    )]
    BasePackage,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::base_package::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::BasePackage.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
