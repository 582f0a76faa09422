//! `dependency` rows (flyweight NEVRAs of binary RPMs, spec §1.1): mapping NEVRAs to ids
//! (inserting the missing ones in bulk) and ids back to NEVRAs, on both backends.
//!
//! Epoch convention: Koschei always writes an integer epoch (spec §12.25), so this module
//! stores epoch 0 as `0`, never NULL — the unique index `(name, epoch, version, release,
//! arch)` then deduplicates every row written here. Rows with a NULL epoch (written by
//! something else) are read as epoch 0 but never matched when looking ids up.
//!
//! Must not decide anything about resolution; callers pass NEVRAs and get ids.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use crate::db::entities::dependency;
use crate::rpm::Nevra;

/// NEVRAs handled per query.
const CHUNK: usize = 300;

fn to_nevra(m: &dependency::Model) -> Nevra {
    Nevra {
        name: m.name.clone(),
        epoch: m.epoch.map_or(0, |e| u32::try_from(e).unwrap_or(0)),
        version: m.version.clone(),
        release: m.release.clone(),
        arch: m.arch.clone(),
    }
}

fn epoch_of(n: &Nevra) -> i32 {
    i32::try_from(n.epoch).unwrap_or(i32::MAX)
}

async fn existing<C: ConnectionTrait>(
    db: &C,
    chunk: &[&Nevra],
    out: &mut HashMap<Nevra, i32>,
) -> Result<(), DbErr> {
    let names: HashSet<&str> = chunk.iter().map(|n| n.name.as_str()).collect();
    let wanted: HashSet<&Nevra> = chunk.iter().copied().collect();
    let rows = dependency::Entity::find()
        .filter(dependency::Column::Name.is_in(names))
        .filter(dependency::Column::Epoch.is_not_null())
        .all(db)
        .await?;
    for r in rows {
        let n = to_nevra(&r);
        if wanted.contains(&n) {
            out.insert(n, r.id);
        }
    }
    Ok(())
}

/// The ids of `nevras`, inserting rows for the ones not stored yet (concurrent inserters
/// are tolerated: conflicts are ignored and the rows re-read).
pub async fn ids_for<C: ConnectionTrait>(
    db: &C,
    nevras: &[Nevra],
) -> Result<HashMap<Nevra, i32>, DbErr> {
    let mut unique: Vec<&Nevra> = nevras.iter().collect::<HashSet<_>>().into_iter().collect();
    unique.sort_by(|a, b| {
        (&a.name, a.epoch, &a.version, &a.release, &a.arch)
            .cmp(&(&b.name, b.epoch, &b.version, &b.release, &b.arch))
    });
    let mut out = HashMap::with_capacity(unique.len());
    for chunk in unique.chunks(CHUNK) {
        existing(db, chunk, &mut out).await?;
        let missing: Vec<&Nevra> = chunk.iter().copied().filter(|n| !out.contains_key(n)).collect();
        if missing.is_empty() {
            continue;
        }
        let rows = missing.iter().map(|n| dependency::ActiveModel {
            name: Set(n.name.clone()),
            epoch: Set(Some(epoch_of(n))),
            version: Set(n.version.clone()),
            release: Set(n.release.clone()),
            arch: Set(n.arch.clone()),
            ..Default::default()
        });
        dependency::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([
                dependency::Column::Name,
                dependency::Column::Epoch,
                dependency::Column::Version,
                dependency::Column::Release,
                dependency::Column::Arch,
            ])
            .exec(db)
            .await?;
        existing(db, &missing, &mut out).await?;
        if let Some(n) = missing.iter().find(|n| !out.contains_key(**n)) {
            return Err(DbErr::RecordNotFound(format!("dependency {n} after insert")));
        }
    }
    Ok(out)
}

/// The NEVRAs of the given dependency ids (unknown ids are left out).
pub async fn nevras_for<C: ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> Result<HashMap<i32, Nevra>, DbErr> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let rows = dependency::Entity::find()
            .filter(dependency::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        out.extend(rows.iter().map(|r| (r.id, to_nevra(r))));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::test_db::backends;

    fn n(s: &str) -> Nevra {
        Nevra::parse(s).expect("nevra")
    }

    #[tokio::test]
    async fn get_or_create_is_stable_and_round_trips() {
        for tdb in backends().await {
            let l = tdb.label;
            let a = vec![n("foo-1.0-1.x86_64"), n("bar-2:3-4.noarch"), n("foo-1.0-1.x86_64")];
            let first = ids_for(&tdb.conn, &a).await.expect("ids");
            assert_eq!(first.len(), 2, "{l}");
            let b = vec![n("bar-2:3-4.noarch"), n("baz-0:1-1.x86_64"), n("foo-1.0-1.i686")];
            let second = ids_for(&tdb.conn, &b).await.expect("ids");
            assert_eq!(second[&n("bar-2:3-4.noarch")], first[&n("bar-2:3-4.noarch")], "{l}");
            assert_ne!(second[&n("foo-1.0-1.i686")], first[&n("foo-1.0-1.x86_64")], "{l}");
            let count = dependency::Entity::find().all(&tdb.conn).await.expect("all").len();
            assert_eq!(count, 4, "{l}");
            let ids: Vec<i32> = second.values().copied().collect();
            let back = nevras_for(&tdb.conn, &ids).await.expect("nevras");
            for (nevra, id) in &second {
                assert_eq!(&back[id], nevra, "{l}");
            }
            let row = dependency::Entity::find_by_id(second[&n("baz-0:1-1.x86_64")])
                .one(&tdb.conn)
                .await
                .expect("q")
                .expect("row");
            assert_eq!(row.epoch, Some(0), "{l}: epoch 0 is stored as 0");
        }
    }
}
