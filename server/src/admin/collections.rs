//! `create-collection` and `edit-collection`: validate the options, take the build tag from
//! the Koji target (on the secondary Koji for collections in secondary mode, when one is
//! configured), write the row and the audit entry in one transaction.
//!
//! Packages are not added here: polling fills a new collection's package list from Koji.

use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
};

use super::{AdminError, log_action, user_id};
use crate::db::entities::collection;
use crate::koji::instances::KojiInstances;

/// Where a collection reads its packages, builds and repos from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// The primary Koji (the one that builds).
    Primary,
    /// The secondary Koji (read-only; builds still run on the primary).
    Secondary,
}

/// Collection settings given on the command line; `None` = not given (the database default
/// when creating, unchanged when editing).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CollectionOptions {
    /// Human-readable name.
    pub display_name: Option<String>,
    /// Koji build target.
    pub target: Option<String>,
    /// Koji destination tag (default: the target's build tag).
    pub dest_tag: Option<String>,
    /// Primary or secondary mode.
    pub mode: Option<Mode>,
    /// Multiplier of the dynamic priority.
    pub priority_coefficient: Option<f64>,
    /// Display order.
    pub order: Option<i32>,
    /// Comps group of the minimal buildroot.
    pub build_group: Option<String>,
    /// Register real builds of untracked packages too.
    pub poll_untracked: Option<bool>,
    /// Bugzilla product for FTBFS reports.
    pub bugzilla_product: Option<String>,
    /// Bugzilla version for FTBFS reports.
    pub bugzilla_version: Option<String>,
}

impl CollectionOptions {
    /// Rejects empty names and a coefficient that is negative or not a number.
    pub fn validate(&self) -> Result<(), AdminError> {
        let texts = [
            ("display name", &self.display_name),
            ("target", &self.target),
            ("destination tag", &self.dest_tag),
            ("build group", &self.build_group),
        ];
        for (what, value) in texts {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                return Err(AdminError::Invalid(format!("the {what} must not be empty")));
            }
        }
        if let Some(c) = self.priority_coefficient
            && !(c.is_finite() && c >= 0.0)
        {
            return Err(AdminError::Invalid(format!(
                "the priority coefficient must be a non-negative number, not {c}"
            )));
        }
        Ok(())
    }
}

fn check_name(name: &str) -> Result<(), AdminError> {
    if name.trim().is_empty() || name.contains(char::is_whitespace) {
        return Err(AdminError::Invalid(format!("invalid collection name {name:?}")));
    }
    Ok(())
}

/// The build tag of `target`, asked of the Koji a collection in the given mode reads from.
async fn build_tag(
    koji: &KojiInstances,
    secondary_mode: bool,
    target: &str,
) -> Result<String, AdminError> {
    let instance = koji.for_reading(secondary_mode);
    let found = instance.api.get_build_target(target).await?;
    found.map(|t| t.build_tag_name).ok_or(AdminError::TargetNotFound)
}

/// The collection named `name`, if any.
pub async fn find<C: sea_orm::ConnectionTrait>(
    db: &C,
    name: &str,
) -> Result<Option<collection::Model>, AdminError> {
    Ok(collection::Entity::find().filter(collection::Column::Name.eq(name)).one(db).await?)
}

/// `create-collection`: creates collection `name`; `display_name` and `target` are
/// required. Returns the audit message ("Collection X created").
pub async fn create_collection(
    db: &DatabaseConnection,
    koji: &KojiInstances,
    user: &str,
    name: &str,
    opts: CollectionOptions,
) -> Result<Vec<String>, AdminError> {
    check_name(name)?;
    opts.validate()?;
    let (Some(display_name), Some(target)) = (opts.display_name, opts.target) else {
        return Err(AdminError::Invalid("a display name and a target are required".into()));
    };
    if find(db, name).await?.is_some() {
        return Err(AdminError::ObjectAlreadyExists);
    }
    let secondary_mode = opts.mode == Some(Mode::Secondary);
    let build_tag = build_tag(koji, secondary_mode, &target).await?;
    let txn = crate::db::begin_write(db).await?;
    if find(&txn, name).await?.is_some() {
        return Err(AdminError::ObjectAlreadyExists);
    }
    let uid = user_id(&txn, user).await?;
    collection::ActiveModel {
        order: Set(opts.order.unwrap_or(100)),
        name: Set(name.to_owned()),
        display_name: Set(display_name),
        secondary_mode: Set(secondary_mode),
        target: Set(target),
        dest_tag: Set(opts.dest_tag.unwrap_or_else(|| build_tag.clone())),
        build_tag: Set(build_tag),
        bugzilla_product: Set(opts.bugzilla_product),
        bugzilla_version: Set(opts.bugzilla_version),
        priority_coefficient: Set(opts.priority_coefficient.unwrap_or(1.0)),
        build_group: Set(opts.build_group.unwrap_or_else(|| "build".to_owned())),
        latest_repo_id: Set(None),
        latest_repo_resolved: Set(None),
        poll_untracked: Set(opts.poll_untracked.unwrap_or(true)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let msg = log_action(&txn, uid, format!("Collection {name} created"), None).await?;
    txn.commit().await?;
    Ok(vec![msg])
}

/// `edit-collection`: sets the given options of collection `name` (and renames it to
/// `new_name`). When a target or mode is given, the build tag is read again from Koji.
/// Returns the audit message ("Collection X modified", with the final name).
pub async fn edit_collection(
    db: &DatabaseConnection,
    koji: &KojiInstances,
    user: &str,
    name: &str,
    new_name: Option<String>,
    opts: CollectionOptions,
) -> Result<Vec<String>, AdminError> {
    if let Some(n) = &new_name {
        check_name(n)?;
    }
    opts.validate()?;
    let txn = crate::db::begin_write(db).await?;
    let current = find(&txn, name).await?.ok_or(AdminError::ObjectNotFound)?;
    if let Some(n) = new_name.as_deref().filter(|n| *n != name)
        && find(&txn, n).await?.is_some()
    {
        return Err(AdminError::ObjectAlreadyExists);
    }
    let secondary_mode = opts.mode.map_or(current.secondary_mode, |m| m == Mode::Secondary);
    let target = opts.target.clone().unwrap_or_else(|| current.target.clone());
    let new_build_tag = if opts.target.is_some() || opts.mode.is_some() {
        Some(build_tag(koji, secondary_mode, &target).await?)
    } else {
        None
    };
    let final_name = new_name.unwrap_or_else(|| current.name.clone());
    let mut row = current.into_active_model();
    row.name = Set(final_name.clone());
    row.secondary_mode = Set(secondary_mode);
    row.target = Set(target);
    if let Some(tag) = new_build_tag {
        row.build_tag = Set(tag);
    }
    if let Some(v) = opts.display_name {
        row.display_name = Set(v);
    }
    if let Some(v) = opts.dest_tag {
        row.dest_tag = Set(v);
    }
    if let Some(v) = opts.priority_coefficient {
        row.priority_coefficient = Set(v);
    }
    if let Some(v) = opts.order {
        row.order = Set(v);
    }
    if let Some(v) = opts.build_group {
        row.build_group = Set(v);
    }
    if let Some(v) = opts.poll_untracked {
        row.poll_untracked = Set(v);
    }
    if let Some(v) = opts.bugzilla_product {
        row.bugzilla_product = Set(Some(v));
    }
    if let Some(v) = opts.bugzilla_version {
        row.bugzilla_version = Set(Some(v));
    }
    let uid = user_id(&txn, user).await?;
    row.update(&txn).await?;
    let msg = log_action(&txn, uid, format!("Collection {final_name} modified"), None).await?;
    txn.commit().await?;
    Ok(vec![msg])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_validated() {
        assert!(CollectionOptions::default().validate().is_ok());
        let ok = CollectionOptions { priority_coefficient: Some(0.0), ..Default::default() };
        assert!(ok.validate().is_ok());
        for bad in [
            CollectionOptions { priority_coefficient: Some(-1.0), ..Default::default() },
            CollectionOptions { priority_coefficient: Some(f64::NAN), ..Default::default() },
            CollectionOptions { target: Some(" ".into()), ..Default::default() },
            CollectionOptions { build_group: Some(String::new()), ..Default::default() },
        ] {
            let err = bad.validate().expect_err("invalid");
            assert!(err.is_bad_input(), "{err}");
        }
        assert!(check_name("f40").is_ok());
        assert!(check_name("").is_err() && check_name("f 40").is_err());
    }

    #[test]
    fn messages_are_the_originals() {
        let e = AdminError::PackagesDontExist(vec!["a1".into(), "a2".into()]);
        assert_eq!(e.to_string(), "Packages don't exist: a1,a2");
        assert!(e.is_bad_input());
        assert!(!AdminError::Db(sea_orm::DbErr::Custom("x".into())).is_bad_input());
    }
}
