//! `/packages` (also `/`): the package list with collection tabs, name search, state
//! filters, an untracked toggle and cursor paging, all kept in the query string.
//!
//! State badges follow live subscription events; the server decides order and filtering.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::params::ParamsMap;

use super::error_box;
use super::package::package_href;
use crate::api::{self, PackageFilter, PackagePage, PackageRow, PackageState, PackagesVars};
use crate::components::{BuildTime, CollectionTabs, Pager, StateBadge};
use crate::live::LiveStates;
use crate::url::{param, with_filter};

/// Rows per page unless `?size=` says otherwise.
const DEFAULT_PAGE_SIZE: i32 = 100;
const MAX_PAGE_SIZE: i32 = 500;
/// States offered as filter chips (blocked packages are never listed, untracked has a toggle).
const FILTER_STATES: [PackageState; 4] =
    [PackageState::Ok, PackageState::Failing, PackageState::Unresolved, PackageState::Unknown];

/// The package list page.
#[component]
pub fn PackagesPage() -> impl IntoView {
    let query = use_query_map();
    let vars = Memo::new(move |_| vars_from_query(&query.read()));
    let packages = LocalResource::new(move || {
        let vars = vars.get();
        async move { api::packages(&vars).await }
    });
    let show_collection = Memo::new(move |_| vars.read().collection.is_none());
    let (pending, set_pending) = signal(false);
    let table = move || {
        Suspend::new(async move {
            packages.await.map(|page| package_table(page, show_collection.get_untracked()))
        })
    };
    view! {
        <div class="page" data-page="packages">
            <h1>"Packages"</h1>
            <CollectionTabs />
            <Filters />
            <div class="results" class:pending=pending aria-busy=move || pending.get().to_string()>
                <Transition
                    fallback=|| view! { <p class="loading">"Loading packages…"</p> }
                    set_pending
                >
                    <ErrorBoundary fallback=error_box>{table}</ErrorBoundary>
                </Transition>
            </div>
        </div>
    }
}

/// Turns the query string into the variables of the `Packages` query.
fn vars_from_query(query: &ParamsMap) -> PackagesVars {
    let size = param(query, "size")
        .and_then(|size| size.parse::<i32>().ok())
        .map_or(DEFAULT_PAGE_SIZE, |size| size.clamp(1, MAX_PAGE_SIZE));
    let states = selected_states(query);
    let before = param(query, "before");
    let after = if before.is_some() { None } else { param(query, "after") };
    PackagesVars {
        collection: param(query, "collection"),
        filter: PackageFilter {
            search: param(query, "search"),
            states: (!states.is_empty()).then_some(states),
            include_untracked: untracked_shown(query),
        },
        first: before.is_none().then_some(size),
        last: before.is_some().then_some(size),
        after,
        before,
    }
}

/// States from `?state=ok,failing`; unknown names are ignored.
fn selected_states(query: &ParamsMap) -> Vec<PackageState> {
    param(query, "state")
        .map(|list| list.split(',').filter_map(PackageState::from_name).collect())
        .unwrap_or_default()
}

fn untracked_shown(query: &ParamsMap) -> bool {
    matches!(param(query, "untracked").as_deref(), Some("1" | "true" | "yes"))
}

/// State chips, the untracked toggle and the active name search.
#[component]
fn Filters() -> impl IntoView {
    let query = use_query_map();
    let location = use_location();
    let navigate = use_navigate();
    let go = move |changes: &[(&str, Option<&str>)]| {
        let href = with_filter(&location.pathname.get_untracked(), &query.get_untracked(), changes);
        navigate(&href, NavigateOptions::default());
    };
    let chip = {
        let go = go.clone();
        move |state: PackageState| {
            let go = go.clone();
            let checked = move || selected_states(&query.read()).contains(&state);
            let toggle = move |_| {
                let mut states = selected_states(&query.get_untracked());
                if let Some(at) = states.iter().position(|s| *s == state) {
                    states.remove(at);
                } else {
                    states.push(state);
                }
                let list: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
                let list = list.join(",");
                go(&[("state", (!list.is_empty()).then_some(list.as_str()))]);
            };
            view! {
                <label class=format!("chip chip-{}", state.as_str()) class:checked=checked>
                    <input type="checkbox" data-filter-state=state.as_str() prop:checked=checked on:change=toggle />
                    {state.as_str()}
                </label>
            }
        }
    };
    let toggle_untracked = {
        let go = go.clone();
        move |_| {
            let shown = untracked_shown(&query.get_untracked());
            go(&[("untracked", (!shown).then_some("1"))]);
        }
    };
    let search = move || param(&query.read(), "search");
    let clear_search = move |_| go(&[("search", None)]);
    view! {
        <div class="filters">
            <fieldset class="state-filter">
                <legend>"State"</legend>
                {FILTER_STATES.into_iter().map(chip.clone()).collect_view()}
            </fieldset>
            <label class="toggle">
                <input
                    type="checkbox"
                    data-filter="untracked"
                    prop:checked=move || untracked_shown(&query.read())
                    on:change=toggle_untracked
                />
                "Show untracked"
            </label>
            {move || {
                search()
                    .map(|term| {
                        view! {
                            <span class="active-search">
                                "Name matches " <q>{term}</q>
                                <button type="button" class="link" on:click=clear_search.clone()>"clear"</button>
                            </span>
                        }
                    })
            }}
        </div>
    }
}

fn package_table(page: PackagePage, show_collection: bool) -> AnyView {
    if page.nodes.is_empty() {
        return view! {
            <Pager total=page.total_count page_info=page.page_info />
            <p class="empty">"No packages"</p>
        }
        .into_any();
    }
    let rows = page.nodes.into_iter().map(|row| package_row(row, show_collection)).collect_view();
    view! {
        <Pager total=page.total_count page_info=page.page_info.clone() />
        <div class="table-wrap">
            <table class="packages">
                <thead>
                    <tr>
                        <th>"Name"</th>
                        {show_collection.then(|| view! { <th>"Collection"</th> })}
                        <th>"State"</th>
                        <th>"Running"</th>
                        <th>"Last build started"</th>
                        <th>"Version-release"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager total=page.total_count page_info=page.page_info />
    }
    .into_any()
}

fn package_row(row: PackageRow, show_collection: bool) -> impl IntoView {
    let live = expect_context::<LiveStates>();
    let (id, initial) = (row.id, row.state);
    let state = Signal::derive(move || live.state_of(id).unwrap_or(initial));
    let started = row.last_build.as_ref().map(|build| build.started.clone());
    let version_release = row.last_build.as_ref().and_then(|build| build.version_release());
    let (data_package, data_collection) = (row.name.clone(), row.collection.name.clone());
    view! {
        <tr data-package=data_package data-collection=data_collection class:untracked=!row.tracked>
            <td class="name">
                <a class="package-link" href=package_href(&row.name, &row.collection.name)>{row.name.clone()}</a>
            </td>
            {show_collection.then(|| view! { <td class="collection">{row.collection.display_name}</td> })}
            <td class="state" data-state=move || state.get().as_str()>
                <StateBadge state />
            </td>
            <td class="running" data-running=row.has_running_build.to_string()>
                {row.has_running_build.then(|| view! { <span class="badge running">"running"</span> })}
            </td>
            <td class="started">{started.map(|started| view! { <BuildTime started /> })}</td>
            <td class="version">{version_release}</td>
        </tr>
    }
}
