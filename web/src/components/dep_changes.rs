//! The dependency-change table (spec §2.6): dependency, old → new version with a direction
//! icon, distance badge and kind. More than [`COLLAPSE_AFTER`] rows collapse behind
//! "show N more".
//!
//! Only layout: the server orders the rows and decides each change's kind.

use leptos::prelude::*;

use crate::api::DependencyChange;

/// Rows shown before the rest collapses.
pub const COLLAPSE_AFTER: usize = 10;

/// A table of dependency changes, or `empty` when there are none.
#[component]
pub fn DependencyChanges(changes: Vec<DependencyChange>, empty: &'static str) -> impl IntoView {
    if changes.is_empty() {
        return view! { <p class="muted no-changes">{empty}</p> }.into_any();
    }
    let expanded = RwSignal::new(false);
    let hidden = changes.len().saturating_sub(COLLAPSE_AFTER);
    let rows = changes
        .into_iter()
        .enumerate()
        .map(|(i, change)| {
            let collapsible = i >= COLLAPSE_AFTER;
            let data_dep = change.dep_name.clone();
            let present = change.curr_evr.is_some();
            view! {
                <tr
                    class="dep-change"
                    data-dep=data_dep
                    data-kind=change.kind.as_str()
                    hidden=move || collapsible && !expanded.get()
                >
                    <td class="dep-name">{change.dep_name}</td>
                    <td class="evr prev">{change.prev_evr}</td>
                    <td class=format!("kind kind-{}", change.kind.as_str()) title=change.kind.as_str()>
                        <span aria-hidden="true">{change.kind.icon()}</span>
                        <span class="kind-name">{change.kind.as_str()}</span>
                    </td>
                    <td class="evr curr">{change.curr_evr}</td>
                    <td class="distance">{distance_badge(change.distance, present)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="dep-changes">
                <thead>
                    <tr>
                        <th>"Dependency"</th>
                        <th>"Old version"</th>
                        <th>"Change"</th>
                        <th>"New version"</th>
                        <th title="1 = direct build dependency, N = indirect, B = buildroot or distant">
                            "Distance"
                        </th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {(hidden > 0)
            .then(|| {
                view! {
                    <button
                        type="button"
                        class="link show-more"
                        on:click=move |_| expanded.update(|e| *e = !*e)
                    >
                        {move || {
                            if expanded.get() { "show less".to_owned() } else { format!("show {hidden} more") }
                        }}
                    </button>
                }
            })}
    }
    .into_any()
}

/// `1` (direct), `N` (indirect), `B` (no distance but present: buildroot, distant or
/// scriptlet dependency), nothing for a removed dependency without distance.
fn distance_badge(distance: Option<i64>, present: bool) -> Option<AnyView> {
    let (text, class, title) = match distance {
        Some(1) => ("1".to_owned(), "distance direct", "Direct build dependency".to_owned()),
        Some(n) => (
            n.to_string(),
            "distance indirect",
            format!("Indirect build dependency, shortest distance {n}"),
        ),
        None if present => (
            "B".to_owned(),
            "distance buildroot",
            "Distant, part of the minimal buildroot, or a scriptlet dependency".to_owned(),
        ),
        None => return None,
    };
    Some(view! { <span class=format!("badge {class}") title=title>{text}</span> }.into_any())
}
