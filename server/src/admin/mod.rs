//! Administration commands (koschei-frontend.md §6): creating and editing collections and
//! tracking packages, each in one database transaction that also writes the audit log
//! (`log_entry`, environment `admin`). The functions here validate input, talk to the
//! database and (for collections) ask Koji for a target's build tag; they return the audit
//! messages so the caller can print them.
//!
//! Argument parsing and printing live in the CLI (`cli_args` holds the clap structs); this
//! module must not read the environment, print, or exit the process.

pub mod cli_args;
pub mod collections;
pub mod packages;

use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::db::entities::{log_entry, user};
use crate::koji::error::KojiError;

pub use collections::{CollectionOptions, Mode, create_collection, edit_collection};
pub use packages::{add_pkg, track_packages};

/// Why an admin command failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The named collection does not exist (`add-pkg`).
    #[error("Collection not found")]
    CollectionNotFound,
    /// The object to edit does not exist (`edit-collection`).
    #[error("Object not found")]
    ObjectNotFound,
    /// The object to create (or the new name) exists already.
    #[error("Object already exists")]
    ObjectAlreadyExists,
    /// Koji has no such build target.
    #[error("Target not found in Koji")]
    TargetNotFound,
    /// Some named packages do not exist in the collection (sorted names).
    #[error("Packages don't exist: {}", .0.join(","))]
    PackagesDontExist(Vec<String>),
    /// Any other invalid argument.
    #[error("{0}")]
    Invalid(String),
    /// Koji could not be asked.
    #[error(transparent)]
    Koji(#[from] KojiError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl AdminError {
    /// True for errors caused by the command's arguments (exit code 2), false for runtime
    /// failures (Koji, database: exit code 1).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, AdminError::Koji(_) | AdminError::Db(_))
    }
}

/// Returns the id of the user `name`, creating the row when missing (as the original does
/// for the operator's login).
pub async fn user_id<C: ConnectionTrait>(db: &C, name: &str) -> Result<i32, AdminError> {
    if name.trim().is_empty() {
        return Err(AdminError::Invalid("cannot tell who is running the command".into()));
    }
    if let Some(u) = user::Entity::find().filter(user::Column::Name.eq(name)).one(db).await? {
        return Ok(u.id);
    }
    let u =
        user::ActiveModel { name: Set(name.to_owned()), admin: Set(false), ..Default::default() }
            .insert(db)
            .await?;
    Ok(u.id)
}

/// Appends one audit entry (environment `admin`) and returns its message.
pub async fn log_action<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    message: String,
    base_id: Option<i32>,
) -> Result<String, AdminError> {
    log_entry::ActiveModel {
        user_id: Set(Some(user_id)),
        environment: Set(log_entry::LogEnvironment::Admin),
        timestamp: Set(chrono::Utc::now()),
        message: Set(message.clone()),
        base_id: Set(base_id),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(message)
}
