//! `add-pkg`: mark packages of a collection tracked (koschei-tests.md §2.19 track_packages).
//! All names must exist in the collection, otherwise nothing changes. Only actual changes
//! are logged, as "Package N (collection C): tracked set from False to True".
//!
//! Packages are not created here: the package list comes from Koji (polling), and a name
//! that is not in it is an error, as in the original.

use std::collections::BTreeSet;

use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder,
};

use super::{AdminError, log_action, user_id};
use crate::db::entities::{collection, package};

/// Maximum names per `IN (…)` list.
const CHUNK: usize = 500;

/// Marks `names` tracked in `coll`, logging each change as user `uid`. Fails with
/// [`AdminError::PackagesDontExist`] (changing nothing) when some name is not a package of
/// the collection. Returns the audit messages written.
pub async fn track_packages<C: ConnectionTrait>(
    db: &C,
    uid: i32,
    coll: &collection::Model,
    names: &[String],
) -> Result<Vec<String>, AdminError> {
    let wanted: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    let wanted: Vec<&str> = wanted.into_iter().collect();
    let mut found = Vec::new();
    for chunk in wanted.chunks(CHUNK) {
        found.extend(
            package::Entity::find()
                .filter(package::Column::CollectionId.eq(coll.id))
                .filter(package::Column::Name.is_in(chunk.iter().copied()))
                .order_by_asc(package::Column::Name)
                .all(db)
                .await?,
        );
    }
    let missing: Vec<String> = wanted
        .iter()
        .filter(|n| !found.iter().any(|p| p.name == **n))
        .map(|n| (*n).to_owned())
        .collect();
    if !missing.is_empty() {
        return Err(AdminError::PackagesDontExist(missing));
    }
    let mut messages = Vec::new();
    for pkg in found.into_iter().filter(|p| !p.tracked) {
        let (name, base_id) = (pkg.name.clone(), pkg.base_id);
        let mut row = pkg.into_active_model();
        row.tracked = Set(true);
        row.update(db).await?;
        let msg =
            format!("Package {name} (collection {}): tracked set from False to True", coll.name);
        messages.push(log_action(db, uid, msg, Some(base_id)).await?);
    }
    Ok(messages)
}

/// `add-pkg <names…> -c C`: tracks the packages in collection C in one transaction.
/// Returns the audit messages (one per package that was not tracked yet).
pub async fn add_pkg(
    db: &DatabaseConnection,
    user: &str,
    collection_name: &str,
    names: &[String],
) -> Result<Vec<String>, AdminError> {
    if names.is_empty() {
        return Err(AdminError::Invalid("no package names given".into()));
    }
    let txn = crate::db::begin_write(db).await?;
    let coll = collection::Entity::find()
        .filter(collection::Column::Name.eq(collection_name))
        .one(&txn)
        .await?
        .ok_or(AdminError::CollectionNotFound)?;
    let uid = user_id(&txn, user).await?;
    let messages = track_packages(&txn, uid, &coll, names).await?;
    txn.commit().await?;
    Ok(messages)
}
