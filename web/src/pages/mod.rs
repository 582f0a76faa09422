//! Routed pages, one component per file.
//!
//! Pages turn the URL into query variables, load data and lay out components; they do not
//! talk to the network except through `crate::api`.

mod collections;
mod not_found;
mod package;
mod packages;

pub use collections::CollectionsPage;
pub use not_found::NotFoundPage;
pub use package::PackagePage;
pub use packages::PackagesPage;

use leptos::error::Errors;
use leptos::prelude::*;

/// The fallback of an `ErrorBoundary`: every error's message in an alert box.
pub(crate) fn error_box(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <div class="error" role="alert">
            <strong>"Could not load this page."</strong>
            <ul>
                {move || {
                    errors
                        .get()
                        .into_iter()
                        .map(|(_, error)| view! { <li class="error-message">{error.to_string()}</li> })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
