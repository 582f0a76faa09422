//! Live package states: keeps one `packageStateChanged` subscription open (reconnecting
//! with backoff) and exposes the latest state per package id to the rows that show it.
//!
//! A failing socket must never break a page: it only changes the status indicator.

use std::collections::HashMap;
use std::time::Duration;

use futures::channel::oneshot;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::PackageState;
use crate::api::live::subscribe_package_states;

/// State of the live-update connection, shown in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveStatus {
    /// Opening the socket or waiting for the server to accept it.
    Connecting,
    /// Subscribed; events arrive as they happen.
    Connected,
    /// The socket failed; a reconnect is scheduled.
    Offline,
}

impl LiveStatus {
    /// Lower-case name for `data-live` attributes and CSS.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Connected => "connected",
            Self::Offline => "offline",
        }
    }
}

/// Latest known states from subscription events, keyed by package id.
#[derive(Clone, Copy)]
pub struct LiveStates {
    states: RwSignal<HashMap<i64, PackageState>>,
    /// Number of events seen per package id (pages refetch when it grows).
    events: RwSignal<HashMap<i64, u64>>,
    /// Connection status.
    pub status: RwSignal<LiveStatus>,
}

const FIRST_RETRY: Duration = Duration::from_secs(2);
const MAX_RETRY: Duration = Duration::from_secs(60);

impl LiveStates {
    /// Creates the store and starts the subscription loop in the background.
    pub fn start() -> Self {
        let live = Self {
            states: RwSignal::new(HashMap::new()),
            events: RwSignal::new(HashMap::new()),
            status: RwSignal::new(LiveStatus::Connecting),
        };
        spawn_local(async move {
            let mut delay = FIRST_RETRY;
            loop {
                live.status.set(LiveStatus::Connecting);
                let error = subscribe_package_states(
                    || live.status.set(LiveStatus::Connected),
                    |event| {
                        live.states.update(|map| {
                            map.insert(event.package_id, event.state);
                        });
                        live.events.update(|map| *map.entry(event.package_id).or_default() += 1);
                    },
                )
                .await;
                let was_connected = live.status.get_untracked() == LiveStatus::Connected;
                live.status.set(LiveStatus::Offline);
                leptos::logging::warn!("live updates stopped ({error}); retrying in {delay:?}");
                if was_connected {
                    delay = FIRST_RETRY;
                }
                sleep(delay).await;
                delay = (delay * 2).min(MAX_RETRY);
            }
        });
        live
    }

    /// The state a live event reported for this package, if any arrived.
    pub fn state_of(&self, package_id: i64) -> Option<PackageState> {
        self.states.with(|map| map.get(&package_id).copied())
    }

    /// How many events arrived for this package so far (0 before the first); reading it
    /// subscribes, so a page can reload the package whenever it changes.
    pub fn events_of(&self, package_id: i64) -> u64 {
        self.events.with(|map| map.get(&package_id).copied().unwrap_or(0))
    }
}

async fn sleep(duration: Duration) {
    let (done, wait) = oneshot::channel::<()>();
    set_timeout(
        move || {
            let _ = done.send(());
        },
        duration,
    );
    let _ = wait.await;
}
