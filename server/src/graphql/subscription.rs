//! The subscription root: live events from the in-process hub.

use async_graphql::{Context, Subscription};
use futures::{Stream, StreamExt};
use tokio_stream::wrappers::BroadcastStream;

use super::app;
use super::types::{PackageEvent, PackageState};
use crate::events::Event;

/// The root of all subscriptions.
#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription]
impl SubscriptionRoot {
    /// Pushed whenever a package's state changes, optionally only in one collection.
    async fn package_state_changed(
        &self,
        ctx: &Context<'_>,
        collection: Option<String>,
    ) -> impl Stream<Item = PackageEvent> + use<> {
        let rx = app(ctx).events.subscribe();
        // A lagging listener skips what it missed rather than ending the subscription.
        BroadcastStream::new(rx).filter_map(move |item| {
            let wanted = collection.clone();
            async move {
                let Ok(Event::PackageStateChanged(e)) = item else { return None };
                if wanted.as_ref().is_some_and(|c| *c != e.collection) {
                    return None;
                }
                Some(PackageEvent {
                    package_id: e.package_id,
                    name: e.name,
                    collection: e.collection,
                    state: PackageState::from_str_opt(&e.state)?,
                    previous_state: e
                        .previous_state
                        .as_deref()
                        .and_then(PackageState::from_str_opt),
                })
            }
        })
    }
}
