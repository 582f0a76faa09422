//! In-process event hub: domain code publishes what changed, GraphQL subscriptions (and
//! later the message bus) listen. Publishing never blocks and never fails: with no
//! listener an event is dropped; a listener that falls behind skips the oldest events.

use tokio::sync::broadcast;

/// A package's state string changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageStateChanged {
    /// The package's id.
    pub package_id: i32,
    /// The package's name.
    pub name: String,
    /// The collection's name.
    pub collection: String,
    /// The new state (`ok`, `failing`, `unresolved`, `blocked`, `untracked`, `unknown`).
    pub state: String,
    /// The state before, when known.
    pub previous_state: Option<String>,
}

/// Everything that can be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// See [`PackageStateChanged`].
    PackageStateChanged(PackageStateChanged),
}

/// The hub: cheap to clone, shared by everything in one process.
#[derive(Debug, Clone)]
pub struct EventHub {
    sender: broadcast::Sender<Event>,
}

impl Default for EventHub {
    fn default() -> Self {
        EventHub { sender: broadcast::channel(1024).0 }
    }
}

impl EventHub {
    /// Publishes an event to every current listener.
    pub fn publish(&self, event: Event) {
        // An error only means that nobody is listening right now.
        let _ = self.sender.send(event);
    }

    /// A new listener that receives events published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}
