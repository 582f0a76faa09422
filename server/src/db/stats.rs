//! The emulated materialized views `scalar_stats` and `resource_consumption_stats` (spec
//! §1.3): rebuilt by polling at the end of every run, in one transaction (delete, insert).
//! The aggregation is done here rather than in SQL so that it is the same on SQLite and
//! PostgreSQL (interval arithmetic differs between them).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, JoinType, PaginatorTrait, QueryFilter,
    QuerySelect, RelationTrait,
};

use super::entities::{build, koji_task, package, resource_consumption_stats, scalar_stats};

/// A finished Koji task: package name, arch, started, finished.
pub type TaskSpan = (String, String, DateTime<Utc>, DateTime<Utc>);

/// Seconds of Koji task time per (package name, arch), and their share of all task time
/// (`None` when no task has finished). Pure.
pub fn consumption(tasks: &[TaskSpan]) -> Vec<(String, String, i64, Option<f64>)> {
    let mut sums: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for (name, arch, started, finished) in tasks {
        let secs = (*finished - *started).num_seconds().max(0);
        *sums.entry((name, arch)).or_default() += secs;
    }
    let total: i64 = sums.values().sum();
    sums.into_iter()
        .map(|((name, arch), t)| {
            let share = (total > 0).then(|| t as f64 / total as f64);
            (name.to_owned(), arch.to_owned(), t, share)
        })
        .collect()
}

fn count(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Rebuilds both tables as of `now`.
pub async fn refresh(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<(), DbErr> {
    type Row = (String, String, DateTime<Utc>, Option<DateTime<Utc>>);
    let tasks: Vec<Row> = koji_task::Entity::find()
        .select_only()
        .column(package::Column::Name)
        .column(koji_task::Column::Arch)
        .column(koji_task::Column::Started)
        .column(koji_task::Column::Finished)
        .join(JoinType::InnerJoin, koji_task::Relation::Build.def())
        .join(JoinType::InnerJoin, build::Relation::Package.def())
        .filter(koji_task::Column::Finished.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let finished: Vec<_> =
        tasks.into_iter().filter_map(|(n, a, s, f)| f.map(|f| (n, a, s, f))).collect();
    let rows = consumption(&finished);
    let packages = package::Entity::find().count(db).await?;
    let tracked =
        package::Entity::find().filter(package::Column::Tracked.eq(true)).count(db).await?;
    let blocked =
        package::Entity::find().filter(package::Column::Blocked.eq(true)).count(db).await?;
    let builds = build::Entity::find().count(db).await?;
    let real = build::Entity::find().filter(build::Column::Real.eq(true)).count(db).await?;
    let txn = super::begin_write(db).await?;
    resource_consumption_stats::Entity::delete_many().exec(&txn).await?;
    for chunk in rows.chunks(500) {
        let models =
            chunk.iter().map(|(name, arch, time, share)| resource_consumption_stats::ActiveModel {
                name: Set(name.clone()),
                arch: Set(arch.clone()),
                time: Set(Some(*time)),
                time_percentage: Set(*share),
            });
        resource_consumption_stats::Entity::insert_many(models).exec(&txn).await?;
    }
    scalar_stats::Entity::delete_many().exec(&txn).await?;
    scalar_stats::Entity::insert(scalar_stats::ActiveModel {
        refresh_time: Set(now),
        packages: Set(count(packages)),
        tracked_packages: Set(count(tracked)),
        blocked_packages: Set(count(blocked)),
        builds: Set(count(builds)),
        real_builds: Set(count(real)),
        scratch_builds: Set(count(builds - real)),
    })
    .exec(&txn)
    .await?;
    txn.commit().await
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::consumption;

    #[test]
    fn consumption_sums_per_name_and_arch_with_shares() {
        let t0 = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .expect("time")
            .with_timezone(&chrono::Utc);
        let at = |s: i64| t0 + TimeDelta::seconds(s);
        let task = |n: &str, a: &str, s, f| (n.to_owned(), a.to_owned(), at(s), at(f));
        let rows = consumption(&[
            task("foo", "x86_64", 0, 60),
            task("foo", "x86_64", 100, 160),
            task("foo", "noarch", 0, 30),
            task("bar", "x86_64", 0, 90),
            task("bar", "x86_64", 50, 40), // clock skew: counts as zero
        ]);
        assert_eq!(
            rows,
            [
                ("bar".to_owned(), "x86_64".to_owned(), 90, Some(0.375)),
                ("foo".to_owned(), "noarch".to_owned(), 30, Some(0.125)),
                ("foo".to_owned(), "x86_64".to_owned(), 120, Some(0.5)),
            ]
        );
        assert!(consumption(&[]).is_empty());
        let zero = consumption(&[task("z", "x86_64", 5, 5)]);
        assert_eq!(zero, [("z".to_owned(), "x86_64".to_owned(), 0, None)]);
    }
}
