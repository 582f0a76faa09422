//! Building in-app links from the current query string (the collection selection,
//! filters and cursors all live in the URL so that links can be shared).
//!
//! Pure string work only: no navigation, no reactive reads.

use leptos_router::params::ParamsMap;

/// Query parameters that select a page of results; any filter change must drop them.
pub const CURSOR_PARAMS: [&str; 2] = ["after", "before"];

/// `path` plus the current query with `changes` applied: `Some(value)` sets a parameter,
/// `None` removes it. Other parameters are kept.
pub fn with_query(path: &str, current: &ParamsMap, changes: &[(&str, Option<&str>)]) -> String {
    let mut query = current.clone();
    for (key, value) in changes {
        query.remove(key);
        if let Some(value) = value {
            query.insert(key.to_string(), value.to_string());
        }
    }
    format!("{path}{}", query.to_query_string())
}

/// Like [`with_query`], and also drops the paging cursors (for filter and tab links).
pub fn with_filter(path: &str, current: &ParamsMap, changes: &[(&str, Option<&str>)]) -> String {
    let mut all: Vec<(&str, Option<&str>)> = CURSOR_PARAMS.iter().map(|key| (*key, None)).collect();
    all.extend_from_slice(changes);
    with_query(path, current, &all)
}

/// A non-empty, trimmed parameter value.
pub fn param(query: &ParamsMap, key: &str) -> Option<String> {
    query.get_str(key).map(str::trim).filter(|value| !value.is_empty()).map(str::to_owned)
}
