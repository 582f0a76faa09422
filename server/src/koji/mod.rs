//! Koji: the XML-RPC wire format (pure), the session and transport (the only code that
//! talks to a hub), the typed API every service uses, URL helpers and the choice between
//! the primary and secondary instance.

pub mod api;
#[cfg(test)]
mod cassettes;
pub mod error;
pub mod gssapi;
pub mod instances;
pub mod session;
pub mod transport;
pub mod urls;
pub mod xmlrpc;
