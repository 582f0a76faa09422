//! The page for any route the app does not know.
//!
//! Static content only.

use leptos::prelude::*;

/// "Page not found" with links back into the app.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <div class="page not-found" data-page="not-found">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address."</p>
            <p>
                "Try the " <a href="/packages">"package list"</a> " or the "
                <a href="/collections">"collections"</a> "."
            </p>
        </div>
    }
}
