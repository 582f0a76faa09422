//! Page chrome: header (brand, main tabs, search box, live status), buildroot notices,
//! the routed content, and the footer.
//!
//! The chrome reads the URL and shared context only; page content comes in as children.

use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};

use crate::api::CollectionState;
use crate::live::LiveStates;
use crate::url::{param, with_filter};
use crate::{Collections, Page};

/// Wraps every page in the common chrome.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <header class="site-header">
            <div class="header-inner">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"K"</span>
                    "Koschei"
                </a>
                <MainTabs />
                <SearchBox />
                <LiveIndicator />
            </div>
        </header>
        <main class="content">
            <BuildrootNotices />
            {children()}
        </main>
        <footer class="site-footer">
            "Koschei — continuous integration for Fedora packages. "
            <a href="/collections">"Collections"</a>
            " · "
            <a href="/packages">"Packages"</a>
        </footer>
    }
}

#[component]
fn MainTabs() -> impl IntoView {
    let location = use_location();
    let current = Memo::new(move |_| Page::of_path(&location.pathname.get()));
    let tab = move |page: Page, label: &'static str| {
        view! {
            <a
                class="main-tab"
                class:active=move || current.get() == Some(page)
                aria-current=move || (current.get() == Some(page)).then_some("page")
                href=page.path()
            >
                {label}
            </a>
        }
    };
    view! {
        <nav class="main-tabs" aria-label="Sections">
            {tab(Page::Collections, "Collections")}
            {tab(Page::Packages, "Packages")}
        </nav>
    }
}

/// Searches package names on the Packages page, keeping the collection selection.
#[component]
fn SearchBox() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let input = NodeRef::<html::Input>::new();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let term = input.get().map(|el| el.value()).unwrap_or_default();
        let term = term.trim();
        let href = with_filter(
            Page::Packages.path(),
            &query.get_untracked(),
            &[("search", (!term.is_empty()).then_some(term))],
        );
        navigate(&href, NavigateOptions::default());
    };
    view! {
        <form class="search" role="search" on:submit=on_submit>
            <input
                node_ref=input
                type="search"
                name="search"
                placeholder="Search packages"
                aria-label="Search packages"
                prop:value=move || param(&query.read(), "search").unwrap_or_default()
            />
            <button type="submit">"Search"</button>
        </form>
    }
}

#[component]
fn LiveIndicator() -> impl IntoView {
    let live = expect_context::<LiveStates>();
    let status = move || live.status.get().as_str();
    view! {
        <span class="live" data-live=status title="Live package state updates">
            <span class="live-dot" aria-hidden="true"></span>
            {move || match status() {
                "connected" => "live",
                "connecting" => "connecting…",
                _ => "offline",
            }}
        </span>
    }
}

/// A warning for every collection whose base buildroot cannot be installed.
#[component]
fn BuildrootNotices() -> impl IntoView {
    let Collections(collections) = expect_context::<Collections>();
    move || {
        let broken: Vec<_> = collections
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.state == CollectionState::Unresolved)
            .collect();
        broken
            .into_iter()
            .map(|collection| {
                view! {
                    <div class="notice warning" role="status">
                        <strong>
                            "Base buildroot for " {collection.display_name}
                            " is not installable."
                        </strong>
                        " Dependency problems:"
                        <ul>
                            {collection
                                .buildroot_problems
                                .into_iter()
                                .map(|problem| view! { <li>{problem}</li> })
                                .collect_view()}
                        </ul>
                    </div>
                }
            })
            .collect_view()
    }
}
