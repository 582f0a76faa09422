//! `/collections`: a simple list of all collections in the global order.
//!
//! Reads the shared `Collections` resource; no query of its own.

use leptos::prelude::*;

use super::error_box;
use crate::Collections;
use crate::api::{Collection, CollectionState};
use crate::url::with_filter;

/// Lists collections with their Koji tags and buildroot state.
#[component]
pub fn CollectionsPage() -> impl IntoView {
    let Collections(collections) = expect_context::<Collections>();
    view! {
        <div class="page" data-page="collections">
            <h1>"Collections"</h1>
            <Transition fallback=|| view! { <p class="loading">"Loading collections…"</p> }>
                <ErrorBoundary fallback=error_box>
                    {move || Suspend::new(async move { collections.await.map(collection_table) })}
                </ErrorBoundary>
            </Transition>
        </div>
    }
}

fn collection_table(collections: Vec<Collection>) -> AnyView {
    if collections.is_empty() {
        return view! { <p class="empty">"No collections"</p> }.into_any();
    }
    let rows = collections.into_iter().map(|c| {
        let href = with_filter("/packages", &Default::default(), &[("collection", Some(&c.name))]);
        let (state, state_class) = match c.state {
            CollectionState::Ok => ("ok", "state-ok"),
            CollectionState::Unresolved => ("unresolved", "state-unresolved"),
            CollectionState::Unknown => ("unknown", "state-unknown"),
        };
        let data_collection = c.name.clone();
        view! {
            <tr data-collection=data_collection>
                <td class="name">
                    <a href=href>{c.display_name}</a>
                </td>
                <td><code>{c.name}</code></td>
                <td>{c.target}</td>
                <td>{c.build_tag}</td>
                <td>{c.dest_tag}</td>
                <td class="state" data-state=state>
                    <span class=format!("badge {state_class}")>{state}</span>
                </td>
            </tr>
        }
    });
    view! {
        <div class="table-wrap">
            <table class="collections">
                <thead>
                    <tr>
                        <th>"Collection"</th>
                        <th>"Name"</th>
                        <th>"Target"</th>
                        <th>"Build tag"</th>
                        <th>"Destination tag"</th>
                        <th title="Whether the base buildroot is installable">"Buildroot"</th>
                    </tr>
                </thead>
                <tbody>{rows.collect_view()}</tbody>
            </table>
        </div>
    }
    .into_any()
}
