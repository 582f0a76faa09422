//! Koji: the XML-RPC wire format (pure), and later the session, the typed API and the
//! hub simulator. Only this module talks to Koji.

pub mod xmlrpc;
