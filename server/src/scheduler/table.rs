//! A plain-text table of a scheduler snapshot's priorities — name, collection, the priority
//! components, total and skip reason — optionally annotated with a plan's effects. Used for
//! readable snapshot assertions in tests and for debug output.
//!
//! Pure formatting; it must not be used on hot paths (it sorts and allocates per package).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::domain::priority::{TimeScale, priority_breakdown};
use crate::scheduler::plan::{Effect, SchedulerSnapshot};

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorityRow {
    /// Package id.
    pub id: i32,
    /// Package name.
    pub name: String,
    /// Collection name (`?` when the collection is missing from the snapshot).
    pub collection: String,
    /// Manual, static, dependency and build priority.
    pub components: [i32; 4],
    /// Time priority (before the coefficient), when schedulable.
    pub time: Option<f64>,
    /// Total priority, or the first blocking reason's text.
    pub total: Result<f64, String>,
}

/// All packages of the snapshot, schedulable ones first by descending priority (ties by id,
/// the plan's order), then the others by name and id.
pub fn priority_rows(snapshot: &SchedulerSnapshot, now: DateTime<Utc>) -> Vec<PriorityRow> {
    let scale = TimeScale::new(&snapshot.priorities);
    let mut rows: Vec<PriorityRow> = snapshot
        .packages
        .iter()
        .map(|p| {
            let coll = snapshot.collections.iter().find(|c| c.id == p.collection_id);
            let (collection, result) = match coll {
                Some(c) => (
                    c.name.clone(),
                    priority_breakdown(&scale, p, c, now).map_err(|r| r.text(&c.display_name)),
                ),
                None => ("?".to_owned(), Err("Unknown collection".to_owned())),
            };
            PriorityRow {
                id: p.id,
                name: p.name.clone(),
                collection,
                components: [
                    p.manual_priority,
                    p.static_priority,
                    p.dependency_priority,
                    p.build_priority,
                ],
                time: result.as_ref().ok().map(|b| b.time),
                total: result.map(|b| b.total()),
            }
        })
        .collect();
    rows.sort_by(|a, b| match (&a.total, &b.total) {
        (Ok(x), Ok(y)) => y.total_cmp(x).then(a.id.cmp(&b.id)),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.name.cmp(&b.name).then(a.id.cmp(&b.id)),
    });
    rows
}

/// The table as text, one line per package, with a header line. `effects` (from
/// `Plan::effects`, may be empty) add a `plan` column: `submit`, `skip: no SRPM`,
/// `skip: no arch`. Numbers have two decimals; blocked packages show their reason instead of
/// a total.
pub fn render(snapshot: &SchedulerSnapshot, now: DateTime<Utc>, effects: &[Effect]) -> String {
    let rows = priority_rows(snapshot, now);
    let mark = |id: i32| {
        effects.iter().rev().find_map(|e| match *e {
            Effect::Submitted(package_id) if package_id == id => Some("submit"),
            Effect::SkipNoSrpm(package_id) if package_id == id => Some("skip: no SRPM"),
            Effect::SkipNoArch(package_id) if package_id == id => Some("skip: no arch"),
            _ => None,
        })
    };
    let header = ["name", "coll", "manual", "static", "dep", "build", "time", "total", "plan"];
    let mut cells: Vec<[String; 9]> = vec![header.map(str::to_owned)];
    for r in &rows {
        let [m, s, d, b] = r.components;
        let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"));
        let total = match &r.total {
            Ok(t) => format!("{t:.2}"),
            Err(reason) => reason.clone(),
        };
        cells.push([
            r.name.clone(),
            r.collection.clone(),
            m.to_string(),
            s.to_string(),
            d.to_string(),
            b.to_string(),
            fmt(r.time),
            total,
            mark(r.id).unwrap_or("").to_owned(),
        ]);
    }
    let mut widths = [0_usize; 9];
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &cells {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            // names left-aligned, numbers right-aligned, total/reason left-aligned
            let _ = match i {
                0 | 1 => write!(line, "{cell:<w$}  "),
                2..=6 => write!(line, "{cell:>w$}  "),
                7 => write!(line, "{cell:<w$}  "),
                _ => write!(line, "{cell}"),
            };
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
