//! The coloured package-state badge (text plus colour, never colour alone).
//!
//! Colours are in `style/main.css` under `.badge.state-*`.

use leptos::prelude::*;

use crate::api::PackageState;

/// A badge for a package state; `state` may change (live updates).
#[component]
pub fn StateBadge(#[prop(into)] state: Signal<PackageState>) -> impl IntoView {
    view! {
        <span
            class=move || format!("badge state-{}", state.get().as_str())
            title=move || format!("Package state: {}", state.get().as_str())
        >
            {move || state.get().as_str()}
        </span>
    }
}
