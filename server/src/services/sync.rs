//! Pieces shared by the services: reading Koji task trees (koschei-backend.md §5.4),
//! writing `koji_task` rows, clearing a package's priority data, and publishing package
//! state changes. Builds are still written only through `db::builds`.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set, Unchanged};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::db::entities::states::{PackageState, package_state};
use crate::db::entities::{collection, koji_task, package, unapplied_change};
use crate::events::{Event, EventHub, PackageStateChanged};
use crate::koji::api::{KojiApi, TaskInfo};
use crate::koji::error::KojiError;

/// Epoch seconds (Koji's `*_ts`) as a UTC time (microsecond precision).
pub(crate) fn from_ts(secs: f64) -> Option<DateTime<Utc>> {
    if !secs.is_finite() {
        return None;
    }
    DateTime::from_timestamp_micros((secs * 1e6).round() as i64)
}

/// A Koji task with its direct children.
#[derive(Debug, Clone)]
pub(crate) struct TaskTree {
    pub info: TaskInfo,
    pub children: Vec<TaskInfo>,
}

impl TaskTree {
    /// `create_ts` of the parent.
    pub fn started(&self) -> Option<DateTime<Utc>> {
        self.info.create_ts.and_then(from_ts)
    }

    /// `completion_ts` of the parent.
    pub fn finished(&self) -> Option<DateTime<Utc>> {
        self.info.completion_ts.and_then(from_ts)
    }

    /// The repo id from the first child that names one (`buildArch` / `rebuildSRPM`).
    pub fn repo_id(&self) -> Option<i32> {
        self.children
            .iter()
            .find_map(TaskInfo::request_repo_id)
            .and_then(|id| i32::try_from(id).ok())
    }

    /// The `buildArch` children.
    pub fn arch_tasks(&self) -> impl Iterator<Item = &TaskInfo> {
        self.children.iter().filter(|c| c.method == "buildArch")
    }
}

/// `getTaskInfo` and `getTaskChildren(request=True)` for each task, each in one multicall.
/// `None` for a task Koji does not know (or whose info is a fault); transport errors fail
/// the whole call.
pub(crate) async fn fetch_trees(
    api: &dyn KojiApi,
    task_ids: &[i64],
) -> Result<Vec<Option<TaskTree>>, KojiError> {
    if task_ids.is_empty() {
        return Ok(Vec::new());
    }
    let infos = api.get_task_infos(task_ids).await;
    let children = api.get_tasks_children(task_ids).await;
    let mut out = Vec::with_capacity(task_ids.len());
    for (info, kids) in infos.into_iter().zip(children) {
        let info = match info {
            Ok(i) => i,
            Err(e @ KojiError::Fault { .. }) => {
                tracing::warn!(error = %e, "getTaskInfo fault; task skipped");
                None
            }
            Err(e) => return Err(e),
        };
        let kids = match kids {
            Ok(k) => k,
            Err(e @ KojiError::Fault { .. }) => {
                tracing::warn!(error = %e, "getTaskChildren fault; no children");
                Vec::new()
            }
            Err(e) => return Err(e),
        };
        out.push(info.map(|info| TaskTree { info, children: kids }));
    }
    Ok(out)
}

/// Inserts or updates the `koji_task` rows of a build's arch tasks (matched by task id).
pub(crate) async fn upsert_arch_tasks<C: ConnectionTrait>(
    db: &C,
    build_id: i32,
    tree: &TaskTree,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let existing =
        koji_task::Entity::find().filter(koji_task::Column::BuildId.eq(build_id)).all(db).await?;
    for child in tree.arch_tasks() {
        let Ok(task_id) = i32::try_from(child.id) else { continue };
        let started = child.create_ts.and_then(from_ts).unwrap_or(now);
        let finished = child.completion_ts.and_then(from_ts);
        let state = child.state.code() as i32;
        match existing.iter().find(|t| t.task_id == task_id) {
            Some(row) if row.state == state && row.finished == finished => {}
            Some(row) => {
                koji_task::ActiveModel {
                    id: Unchanged(row.id),
                    state: Set(state),
                    started: Set(started),
                    finished: Set(finished),
                    ..Default::default()
                }
                .update(db)
                .await?;
            }
            None => {
                koji_task::ActiveModel {
                    id: NotSet,
                    build_id: Set(build_id),
                    task_id: Set(task_id),
                    arch: Set(child.arch.clone()),
                    state: Set(state),
                    started: Set(started),
                    finished: Set(finished),
                }
                .insert(db)
                .await?;
            }
        }
    }
    Ok(())
}

/// The original's `clear_priority_data`: manual, dependency and build priority to 0 and the
/// unapplied changes deleted. Also clears `scheduler_skip_reason`: the package has a new
/// build, so an earlier "no SRPM"/"no arch" verdict no longer holds.
pub(crate) async fn clear_priority_data<C: ConnectionTrait>(
    db: &C,
    package_id: i32,
) -> Result<(), DbErr> {
    package::Entity::update_many()
        .col_expr(package::Column::ManualPriority, Expr::value(0))
        .col_expr(package::Column::DependencyPriority, Expr::value(0))
        .col_expr(package::Column::BuildPriority, Expr::value(0))
        .col_expr(package::Column::SchedulerSkipReason, Expr::value(Option::<i32>::None))
        .filter(package::Column::Id.eq(package_id))
        .exec(db)
        .await?;
    unapplied_change::Entity::delete_many()
        .filter(unapplied_change::Column::PackageId.eq(package_id))
        .exec(db)
        .await?;
    Ok(())
}

/// A package's state string and what an event about it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StateOf {
    pub package_id: i32,
    pub name: String,
    pub collection: String,
    pub state: PackageState,
}

/// The current state of a package (`None` if it does not exist).
pub(crate) async fn state_of<C: ConnectionTrait>(
    db: &C,
    package_id: i32,
) -> Result<Option<StateOf>, DbErr> {
    let Some((p, c)) = package::Entity::find_by_id(package_id)
        .find_also_related(collection::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(StateOf {
        package_id,
        state: package_state(p.blocked, p.tracked, p.resolved, p.last_complete_build_state),
        name: p.name,
        collection: c.map(|c| c.name).unwrap_or_default(),
    }))
}

/// Publishes [`PackageStateChanged`] when the state string differs.
pub(crate) fn publish_change(events: &EventHub, before: Option<&StateOf>, after: &StateOf) {
    let previous = before.map(|b| b.state);
    if previous == Some(after.state) {
        return;
    }
    events.publish(Event::PackageStateChanged(PackageStateChanged {
        package_id: after.package_id,
        name: after.name.clone(),
        collection: after.collection.clone(),
        state: after.state.as_str().to_owned(),
        previous_state: previous.map(|s| s.as_str().to_owned()),
    }));
}
