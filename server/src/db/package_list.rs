//! The package list: filtering by collection, name and state, with keyset pagination
//! ordered by (name, id). Read-only.
//!
//! The state filter is the SQL mirror of `entities::states::package_state`; a test checks
//! that the two agree on every combination of the inputs.

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::entities::package::{self, Column};
use super::entities::states::{BuildState, PackageState};

/// Position of a row in the (name, id) order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// Package name.
    pub name: String,
    /// Package id.
    pub id: i32,
}

/// Which slice of the ordered list to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// Up to `limit` rows after `after` (from the start when `None`).
    Forward {
        /// Exclusive start.
        after: Option<Key>,
        /// Maximum rows.
        limit: u64,
    },
    /// Up to `limit` rows before `before` (from the end when `None`).
    Backward {
        /// Exclusive end.
        before: Option<Key>,
        /// Maximum rows.
        limit: u64,
    },
}

/// What to list.
#[derive(Debug, Clone)]
pub struct PackageQuery {
    /// Only this collection (all when `None`).
    pub collection_id: Option<i32>,
    /// Case-insensitive substring of the name; `*` matches anything.
    pub search: Option<String>,
    /// Only these states. When given, the two `include_` flags are ignored.
    pub states: Option<Vec<PackageState>>,
    /// Include untracked packages.
    pub include_untracked: bool,
    /// Include blocked packages.
    pub include_blocked: bool,
    /// The slice.
    pub page: Page,
}

/// One page of the list.
#[derive(Debug, Clone)]
pub struct PackagePage {
    /// The rows, in (name, id) order.
    pub packages: Vec<package::Model>,
    /// Rows matching the filter, on all pages.
    pub total: u64,
    /// There are rows before this page.
    pub has_previous: bool,
    /// There are rows after this page.
    pub has_next: bool,
}

/// SQL condition selecting the packages in `state` (the mirror of `package_state`).
pub fn state_condition(state: PackageState) -> Condition {
    let live = || Condition::all().add(Column::Blocked.eq(false)).add(Column::Tracked.eq(true));
    let not_unresolved =
        || Condition::any().add(Column::Resolved.is_null()).add(Column::Resolved.eq(true));
    let complete = BuildState::Complete as i32;
    let failed = BuildState::Failed as i32;
    match state {
        PackageState::Blocked => Condition::all().add(Column::Blocked.eq(true)),
        PackageState::Untracked => {
            Condition::all().add(Column::Blocked.eq(false)).add(Column::Tracked.eq(false))
        }
        PackageState::Unresolved => live().add(Column::Resolved.eq(false)),
        PackageState::Ok => {
            live().add(not_unresolved()).add(Column::LastCompleteBuildState.eq(complete))
        }
        PackageState::Failing => {
            live().add(not_unresolved()).add(Column::LastCompleteBuildState.eq(failed))
        }
        PackageState::Unknown => live().add(not_unresolved()).add(
            Condition::any()
                .add(Column::LastCompleteBuildState.is_null())
                .add(Column::LastCompleteBuildState.is_not_in([complete, failed])),
        ),
    }
}

/// Turns a user's search term into a LIKE pattern: `%` and `_` match literally, `*` is
/// the wildcard, and the term may occur anywhere in the name.
pub fn like_pattern(term: &str) -> String {
    let mut out = String::from("%");
    for c in term.trim().to_lowercase().chars() {
        match c {
            '%' | '_' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '*' => out.push('%'),
            c => out.push(c),
        }
    }
    out.push('%');
    out
}

fn filter(q: &PackageQuery) -> Condition {
    let mut cond = Condition::all();
    if let Some(id) = q.collection_id {
        cond = cond.add(Column::CollectionId.eq(id));
    }
    if let Some(term) = q.search.as_deref().filter(|t| !t.trim().is_empty()) {
        let lowered = Expr::expr(Func::lower(Expr::col((package::Entity, Column::Name))));
        cond = cond.add(lowered.like(LikeExpr::new(like_pattern(term)).escape('\\')));
    }
    match &q.states {
        Some(states) => {
            cond = cond
                .add(states.iter().fold(Condition::any(), |any, s| any.add(state_condition(*s))));
        }
        None => {
            if !q.include_blocked {
                cond = cond.add(Column::Blocked.eq(false));
            }
            if !q.include_untracked {
                cond = cond.add(Column::Tracked.eq(true));
            }
        }
    }
    cond
}

fn after(key: &Key) -> Condition {
    Condition::any()
        .add(Column::Name.gt(key.name.clone()))
        .add(Condition::all().add(Column::Name.eq(key.name.clone())).add(Column::Id.gt(key.id)))
}

fn before(key: &Key) -> Condition {
    Condition::any()
        .add(Column::Name.lt(key.name.clone()))
        .add(Condition::all().add(Column::Name.eq(key.name.clone())).add(Column::Id.lt(key.id)))
}

/// Runs the query: one count and one page query.
pub async fn list<C: ConnectionTrait>(db: &C, q: &PackageQuery) -> Result<PackagePage, DbErr> {
    let base = filter(q);
    let total = package::Entity::find().filter(base.clone()).count(db).await?;
    let (packages, has_previous, has_next) = match &q.page {
        Page::Forward { after: start, limit } => {
            let mut select = package::Entity::find().filter(base);
            if let Some(key) = start {
                select = select.filter(after(key));
            }
            let mut rows = select
                .order_by_asc(Column::Name)
                .order_by_asc(Column::Id)
                .limit(limit + 1)
                .all(db)
                .await?;
            let more = rows.len() as u64 > *limit;
            rows.truncate(*limit as usize);
            (rows, start.is_some(), more)
        }
        Page::Backward { before: end, limit } => {
            let mut select = package::Entity::find().filter(base);
            if let Some(key) = end {
                select = select.filter(before(key));
            }
            let mut rows = select
                .order_by_desc(Column::Name)
                .order_by_desc(Column::Id)
                .limit(limit + 1)
                .all(db)
                .await?;
            let more = rows.len() as u64 > *limit;
            rows.truncate(*limit as usize);
            rows.reverse();
            (rows, more, end.is_some())
        }
    };
    Ok(PackagePage { packages, total, has_previous, has_next })
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn search_terms_escape_like_metacharacters() {
        assert_eq!(like_pattern("gcc"), "%gcc%");
        assert_eq!(like_pattern(" Py*Test "), "%py%test%");
        assert_eq!(like_pattern("100%_x"), "%100\\%\\_x%");
    }
}
