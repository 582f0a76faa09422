//! The collection chooser: an "All collections" tab plus one tab per collection.
//!
//! The selection lives only in the `?collection=` query parameter; tab links keep the other
//! parameters and drop the paging cursors.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

use crate::Collections;
use crate::url::{param, with_filter};

/// Tab strip selecting the collection of the current page.
#[component]
pub fn CollectionTabs() -> impl IntoView {
    let Collections(collections) = expect_context::<Collections>();
    let query = use_query_map();
    let location = use_location();
    let selected = Memo::new(move |_| param(&query.read(), "collection"));
    let href = move |name: Option<&str>| {
        with_filter(&location.pathname.get(), &query.get(), &[("collection", name)])
    };
    let tab = move |name: Option<String>, label: String| {
        let is_active = {
            let name = name.clone();
            move || selected.get() == name
        };
        let data_collection = name.clone().unwrap_or_default();
        view! {
            <a
                class="tab"
                class:active=is_active.clone()
                aria-current=move || is_active().then_some("page")
                data-collection=data_collection
                href=move || href(name.as_deref())
            >
                {label}
            </a>
        }
    };
    view! {
        <nav class="collection-tabs" aria-label="Collections">
            {tab(None, "All collections".to_owned())}
            {move || {
                collections
                    .get()
                    .and_then(Result::ok)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| tab(Some(c.name), c.display_name))
                    .collect_view()
            }}
        </nav>
    }
}
