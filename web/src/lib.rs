//! Koschei's web UI: a client-side Leptos app that reads everything from the GraphQL API.
//!
//! `App` sets up the router, the shared collection list and the live-update subscription.
//! This crate must not hold business rules: the server decides states, order and paging.

mod api;
mod components;
mod live;
mod pages;
mod url;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::api::{ApiError, Collection};
use crate::components::Layout;
use crate::pages::{CollectionsPage, NotFoundPage, PackagePage, PackagesPage};

/// The routed sections of the app, so paths are spelled in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// `/collections`
    Collections,
    /// `/packages` (also the front page `/`)
    Packages,
}

impl Page {
    /// The path of the page.
    pub fn path(self) -> &'static str {
        match self {
            Self::Collections => "/collections",
            Self::Packages => "/packages",
        }
    }

    /// The page a location path belongs to, for highlighting the main tabs (a package's
    /// page belongs to Packages).
    pub fn of_path(path: &str) -> Option<Self> {
        if path.starts_with("/package/") {
            return Some(Self::Packages);
        }
        match path.trim_end_matches('/') {
            "" | "/packages" => Some(Self::Packages),
            "/collections" => Some(Self::Collections),
            _ => None,
        }
    }
}

/// All collections, loaded once per page load and shared through context.
#[derive(Clone, Copy)]
pub struct Collections(pub LocalResource<Result<Vec<Collection>, ApiError>>);

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    provide_context(Collections(LocalResource::new(api::collections)));
    provide_context(live::LiveStates::start());
    view! {
        <Router>
            <Layout>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=PackagesPage />
                    <Route path=path!("/packages") view=PackagesPage />
                    <Route path=path!("/collections") view=CollectionsPage />
                    <Route path=path!("/package/:name") view=PackagePage />
                </Routes>
            </Layout>
        </Router>
    }
}
