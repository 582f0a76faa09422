//! Cursor pagination: the total count plus Previous / Next links.
//!
//! Links only rewrite the `after` / `before` query parameters; the page component turns
//! them into `first/after` or `last/before` variables.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

use crate::api::PageInfo;
use crate::url::with_query;

/// "N packages" plus Previous / Next links for one page of a connection.
#[component]
pub fn Pager(
    total: i64,
    page_info: PageInfo,
    #[prop(default = "packages")] what: &'static str,
) -> impl IntoView {
    let query = use_query_map().get_untracked();
    let path = use_location().pathname.get_untracked();
    let paged_forward = query.get_str("after").is_some();
    let paged_backward = query.get_str("before").is_some();
    // A server may only report the flag for the direction it paged in; a cursor in the URL
    // proves that rows exist on the other side.
    let previous = page_info
        .start_cursor
        .filter(|_| page_info.has_previous_page || paged_forward)
        .map(|cursor| with_query(&path, &query, &[("after", None), ("before", Some(&cursor))]));
    let next = page_info
        .end_cursor
        .filter(|_| page_info.has_next_page || paged_backward)
        .map(|cursor| with_query(&path, &query, &[("before", None), ("after", Some(&cursor))]));
    let noun = if total == 1 { what.trim_end_matches('s') } else { what };
    let link = |href: Option<String>, label: &'static str, rel: &'static str| {
        match href {
        Some(href) => view! { <a class="page-link" rel=rel data-pager=rel href=href>{label}</a> }.into_any(),
        None => view! { <span class="page-link disabled" data-pager=rel aria-disabled="true">{label}</span> }.into_any(),
    }
    };
    view! {
        <div class="pager">
            <span class="total" data-total=total>{format!("{total} {noun}")}</span>
            <span class="page-links">
                {link(previous, "« Previous", "prev")}
                {link(next, "Next »", "next")}
            </span>
        </div>
    }
}
