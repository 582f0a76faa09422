//! `/package/:name?collection=…`: one package in one collection: state, scheduling,
//! dependency changes since the last build, resolution problems and the build history
//! (with each build's Koji tasks and dependency changes, expandable).
//!
//! The page reloads the package whenever a live event for it arrives.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::params::ParamsMap;

use super::error_box;
use crate::Collections;
use crate::api::{self, BuildPage, BuildRow, PackageDetail, PackageVars, ResolutionChange};
use crate::components::{BuildTime, DependencyChanges, StateBadge};
use crate::live::LiveStates;
use crate::url::{param, with_query};

/// Builds per page of the history.
const BUILDS_PER_PAGE: i32 = 15;

/// Link to a package's page in a collection.
pub fn package_href(name: &str, collection: &str) -> String {
    with_query(&format!("/package/{name}"), &ParamsMap::new(), &[("collection", Some(collection))])
}

/// The package detail page.
#[component]
pub fn PackagePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let live = expect_context::<LiveStates>();
    let vars = Memo::new(move |_| PackageVars {
        collection: param(&query.read(), "collection"),
        name: params.read().get("name").unwrap_or_default(),
        first: Some(BUILDS_PER_PAGE),
        after: param(&query.read(), "after"),
    });
    // Live refresh: reload whenever an event for the shown package arrives.
    let package_id = RwSignal::new(None::<i64>);
    let events = Memo::new(move |_| package_id.get().map_or(0, |id| live.events_of(id)));
    let detail = LocalResource::new(move || {
        let vars = vars.get();
        events.track();
        async move { api::package(&vars).await }
    });
    Effect::new(move || {
        if let Some(Ok(d)) = detail.get() {
            package_id.set(Some(d.id));
        }
    });
    let name = move || vars.read().name.clone();
    let (pending, set_pending) = signal(false);
    let body = move || {
        Suspend::new(async move {
            let vars = vars.get_untracked();
            match detail.await {
                Ok(d) => Ok(package_view(d).into_any()),
                Err(e) if e.is_not_found() => Ok(not_here(&vars).into_any()),
                Err(e) => Err(e),
            }
        })
    };
    view! {
        <div class="page" data-page="package" data-package=name>
            <h1>{name}</h1>
            <PackageTabs name=Signal::derive(name) />
            <div class="results" class:pending=pending aria-busy=move || pending.get().to_string()>
                <Transition fallback=|| view! { <p class="loading">"Loading package…"</p> } set_pending>
                    <ErrorBoundary fallback=error_box>{body}</ErrorBoundary>
                </Transition>
            </div>
        </div>
    }
}

/// One tab per collection (no "All collections"): the package's page in that collection.
#[component]
fn PackageTabs(name: Signal<String>) -> impl IntoView {
    let Collections(collections) = expect_context::<Collections>();
    let query = use_query_map();
    let selected = Memo::new(move |_| param(&query.read(), "collection"));
    move || {
        let all = collections.get().and_then(Result::ok).unwrap_or_default();
        let first = all.first().map(|c| c.name.clone());
        let tabs = all
            .into_iter()
            .map(|c| {
                let is_active = {
                    let me = c.name.clone();
                    let first = first.clone();
                    move || selected.get().or(first.clone()).as_deref() == Some(me.as_str())
                };
                let href = package_href(&name.get(), &c.name);
                view! {
                    <a
                        class="tab"
                        class:active=is_active.clone()
                        aria-current=move || is_active().then_some("page")
                        data-collection=c.name
                        href=href
                    >
                        {c.display_name}
                    </a>
                }
            })
            .collect_view();
        view! { <nav class="collection-tabs" aria-label="Collections">{tabs}</nav> }
    }
}

fn not_here(vars: &PackageVars) -> impl IntoView {
    let place = vars
        .collection
        .clone()
        .map_or_else(|| "any collection".to_owned(), |c| format!("collection {c}"));
    view! {
        <p class="empty not-found" data-missing=vars.name.clone()>
            "Package " <strong>{vars.name.clone()}</strong> " does not exist in " {place}
            ". Pick another collection above, or go back to the "
            <a href="/packages">"package list"</a> "."
        </p>
    }
}

fn package_view(d: PackageDetail) -> impl IntoView {
    let live = expect_context::<LiveStates>();
    let (id, initial) = (d.id, d.state);
    let state = Signal::derive(move || live.state_of(id).unwrap_or(initial));
    let collection = d.collection.name.clone();
    let others = d
        .in_collections
        .iter()
        .map(|p| {
            let href = package_href(&d.name, &p.collection.name);
            let active = p.collection.name == collection;
            view! {
                <li class:active=active>
                    <a href=href>{p.collection.display_name.clone()}</a>
                    " "
                    <span class=format!("badge small state-{}", p.state.as_str())>{p.state.as_str()}</span>
                </li>
            }
        })
        .collect_view();
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let problems = (!d.resolution_problems.is_empty()).then(|| {
        view! {
            <section class="card problems" data-section="problems">
                <h2>"Dependency problems"</h2>
                <p>"The build dependencies cannot be installed:"</p>
                <ul class="problem-list">
                    {d.resolution_problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}
                </ul>
            </section>
        }
    });
    let skip = (!d.skip_reasons.is_empty()).then(|| {
        view! {
            <div class="skip-reasons">
                <p>"Not scheduled because:"</p>
                <ul>{d.skip_reasons.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}</ul>
            </div>
        }
    });
    let history = resolution_history(d.resolution_history.clone());
    view! {
        <div class="package-detail" data-package-id=d.id data-collection=collection.clone()>
            <div class="cards">
                <section class="card package-info">
                    <h2>"Package"</h2>
                    <dl>
                        <dt>"State"</dt>
                        <dd class="state" data-state=move || state.get().as_str()><StateBadge state /></dd>
                        <dt>"Collection"</dt>
                        <dd>{d.collection.display_name.clone()}</dd>
                        <dt>"Tracked"</dt>
                        <dd data-tracked=d.tracked.to_string()>{yes_no(d.tracked)}</dd>
                        <dt>"Blocked in Koji"</dt>
                        <dd data-blocked=d.blocked.to_string()>{yes_no(d.blocked)}</dd>
                        <dt>"Running build"</dt>
                        <dd>{yes_no(d.has_running_build)}</dd>
                    </dl>
                    <ul class="in-collections">{others}</ul>
                </section>
                <section class="card scheduling">
                    <h2>"Scheduling"</h2>
                    {skip}
                    <dl>
                        <dt>"Current priority"</dt>
                        <dd class="current-priority">
                            {d.current_priority.map_or_else(|| "—".to_owned(), |p| p.to_string())}
                        </dd>
                        <dt>"Dependency priority"</dt>
                        <dd>{d.dependency_priority}</dd>
                        <dt>"Build priority"</dt>
                        <dd>{d.build_priority}</dd>
                        <dt>"Manual priority"</dt>
                        <dd>{d.manual_priority}</dd>
                        <dt>"Static priority"</dt>
                        <dd>{d.static_priority}</dd>
                        <dt>"Arch override"</dt>
                        <dd>{d.arch_override.clone().unwrap_or_else(|| "none".to_owned())}</dd>
                        <dt>"Skip resolution"</dt>
                        <dd>{yes_no(d.skip_resolution)}</dd>
                    </dl>
                </section>
            </div>
            {problems}
            <section class="dep-changes-section" data-section="changes">
                <h2>"Dependency changes since the last build"</h2>
                <DependencyChanges changes=d.dependency_changes empty="No dependency changes" />
            </section>
            <section class="builds-section" data-section="builds">
                <h2>"Builds"</h2>
                {build_table(d.builds)}
            </section>
            {history}
        </div>
    }
}

fn build_table(page: BuildPage) -> AnyView {
    let total = page.total_count;
    if page.nodes.is_empty() {
        return view! { <p class="empty">"No builds yet"</p> }.into_any();
    }
    let query = use_query_map().get_untracked();
    let older = page
        .page_info
        .end_cursor
        .filter(|_| page.page_info.has_next_page)
        .map(|cursor| with_query("", &query, &[("after", Some(&cursor))]));
    let newest =
        query.get_str("after").is_some().then(|| with_query("", &query, &[("after", None)]));
    let rows = page.nodes.into_iter().map(build_rows).collect_view();
    view! {
        <div class="pager">
            <span class="total" data-total=total>
                {format!("{total} build{}", if total == 1 { "" } else { "s" })}
            </span>
            <span class="page-links">
                {newest.map(|href| view! { <a class="page-link" data-pager="newest" href=href>"« Newest"</a> })}
                {older.map(|href| view! { <a class="page-link" data-pager="older" href=href>"Older »"</a> })}
            </span>
        </div>
        <div class="table-wrap">
            <table class="builds">
                <thead>
                    <tr>
                        <th>"State"</th>
                        <th>"Koji task"</th>
                        <th>"Version"</th>
                        <th>"Started"</th>
                        <th>"Finished"</th>
                        <th>"Dependency changes"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn build_rows(b: BuildRow) -> impl IntoView {
    let expanded = RwSignal::new(false);
    let state = b.state.as_str();
    let changes = b.dependency_changes.len();
    let summary = match b.deps_resolved {
        Some(true) if changes == 0 => "none".to_owned(),
        Some(true) => format!("{changes} change{}", if changes == 1 { "" } else { "s" }),
        Some(false) => "not processable".to_owned(),
        None => "not processed yet".to_owned(),
    };
    let deps_note = match b.deps_resolved {
        Some(false) => Some("Dependencies for this build couldn't be processed."),
        None => Some("Dependencies for this build weren't processed yet."),
        Some(true) => None,
    };
    let evr = b.evr();
    let tasks = b
        .koji_tasks
        .into_iter()
        .map(|t| {
            let data_arch = t.arch.clone();
            view! {
                <li class=format!("koji-task task-{}", t.state.as_str()) data-arch=data_arch>
                    <span class="arch">{t.arch}</span> " "
                    <a href=t.task_url target="_blank" rel="noopener">{t.task_id}</a> " "
                    <a href=t.build_log_url target="_blank" rel="noopener">"build.log"</a> " | "
                    <a href=t.root_log_url target="_blank" rel="noopener">"root.log"</a>
                </li>
            }
        })
        .collect_view();
    let build_id = b.id;
    view! {
        <tr
            class=format!("build build-{state}")
            class:real=b.real
            class:untagged=b.untagged
            data-build-id=build_id
            data-task-id=b.task_id
            data-state=state
        >
            <td class="state">
                <span class=format!("badge build-state build-{state}")>{state}</span>
                {b.real.then(|| view! { <span class="badge small real" title="A maintainer's build">"real"</span> })}
                {b.untagged.then(|| view! { <span class="badge small untagged" title="No longer tagged in Koji">"untagged"</span> })}
            </td>
            <td class="task">
                <a class="task-link" href=b.task_url target="_blank" rel="noopener">{b.task_id}</a>
            </td>
            <td class="version">{evr}</td>
            <td class="started"><BuildTime started=b.started /></td>
            <td class="finished">{b.finished.map(|finished| view! { <BuildTime started=finished /> })}</td>
            <td class="changes">
                <button
                    type="button"
                    class="link toggle-changes"
                    aria-expanded=move || expanded.get().to_string()
                    on:click=move |_| expanded.update(|e| *e = !*e)
                >
                    {move || if expanded.get() { "▾ " } else { "▸ " }}
                    {summary}
                </button>
            </td>
        </tr>
        <tr class="build-details" data-task-id=b.task_id hidden=move || !expanded.get()>
            <td colspan="6">
                <div class="build-details-inner">
                    <div class="koji-tasks">
                        <h3>"Koji tasks"</h3>
                        <ul>{tasks}</ul>
                        {b.repo_id.map(|r| view! { <p class="muted">"Koji repo " {r}</p> })}
                    </div>
                    <div class="build-changes">
                        <h3>"Dependency changes from the previous build"</h3>
                        {match deps_note {
                            Some(note) => view! { <p class="muted">{note}</p> }.into_any(),
                            None => view! {
                                <DependencyChanges changes=b.dependency_changes empty="No dependency changes" />
                            }
                            .into_any(),
                        }}
                    </div>
                </div>
            </td>
        </tr>
    }
}

fn resolution_history(changes: Vec<ResolutionChange>) -> Option<impl IntoView> {
    if changes.is_empty() {
        return None;
    }
    let rows = changes
        .into_iter()
        .map(|c| {
            let text = if c.resolved {
                "Package dependencies resolved successfully"
            } else {
                "Package resolution failed"
            };
            view! {
                <li class:resolved=c.resolved class:failed=!c.resolved>
                    <BuildTime started=c.timestamp /> " " {text}
                    {(!c.problems.is_empty()).then(|| view! {
                        <ul class="problem-list">
                            {c.problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                        </ul>
                    })}
                </li>
            }
        })
        .collect_view();
    Some(view! {
        <section class="resolution-history" data-section="resolution">
            <h2>"Resolution history"</h2>
            <ul>{rows}</ul>
        </section>
    })
}
