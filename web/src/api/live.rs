//! The `packageStateChanged` subscription over WebSocket (`/graphql/ws`, subprotocol
//! `graphql-transport-ws`): `connection_init` → `connection_ack` → `subscribe` → `next`…,
//! answering every `ping` with a `pong`.
//!
//! It hands events to a callback and reports connection status; it must not retry
//! (the caller decides) and must never panic on a bad frame.

use futures::{SinkExt, StreamExt};
use gloo_net::websocket::{Message, futures::WebSocket};
use serde::Deserialize;
use serde_json::json;

use super::queries::PACKAGE_STATE_CHANGED;
use super::types::PackageEvent;

/// Path of the subscription endpoint, on the origin that served the app.
pub const WS_PATH: &str = "/graphql/ws";
/// The WebSocket subprotocol the server speaks.
pub const SUBPROTOCOL: &str = "graphql-transport-ws";
const SUBSCRIPTION_ID: &str = "1";

/// Why a subscription session ended.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LiveError {
    /// The socket could not be opened or broke.
    #[error("WebSocket failure: {0}")]
    Socket(String),
    /// The server closed the socket or completed the subscription.
    #[error("the server ended the subscription")]
    Closed,
    /// The server rejected the subscription or sent something this client does not understand.
    #[error("subscription error: {0}")]
    Protocol(String),
}

/// A server → client message of graphql-transport-ws, as far as this client cares.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerMessage {
    /// The server accepted `connection_init`.
    ConnectionAck,
    /// A keep-alive the client must answer with `pong`.
    Ping,
    /// A keep-alive answer, or anything else to ignore.
    Ignored,
    /// A subscription event.
    Next(PackageEvent),
    /// The subscription failed; the text is the server's messages.
    Error(String),
    /// The subscription ended.
    Complete,
}

#[derive(Deserialize)]
struct Frame {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    payload: serde_json::Value,
}

#[derive(Deserialize)]
struct NextData {
    #[serde(rename = "packageStateChanged")]
    package_state_changed: PackageEvent,
}

/// Parses one text frame; malformed frames become [`ServerMessage::Error`].
pub fn parse_server_message(text: &str) -> ServerMessage {
    let frame: Frame = match serde_json::from_str(text) {
        Ok(frame) => frame,
        Err(e) => return ServerMessage::Error(format!("bad frame: {e}")),
    };
    match frame.kind.as_str() {
        "connection_ack" => ServerMessage::ConnectionAck,
        "ping" => ServerMessage::Ping,
        "complete" => ServerMessage::Complete,
        "error" => ServerMessage::Error(frame.payload.to_string()),
        "next" => {
            if let Some(errors) = frame.payload.get("errors").filter(|e| !e.is_null()) {
                return ServerMessage::Error(errors.to_string());
            }
            match frame.payload.get("data").cloned().map(serde_json::from_value::<NextData>) {
                Some(Ok(data)) => ServerMessage::Next(data.package_state_changed),
                Some(Err(e)) => ServerMessage::Error(format!("bad event: {e}")),
                None => ServerMessage::Error("event without data".to_owned()),
            }
        }
        _ => ServerMessage::Ignored,
    }
}

/// The `ws://` or `wss://` URL of the subscription endpoint for the page's origin.
pub fn ws_url() -> Result<String, LiveError> {
    let location =
        web_sys::window().ok_or_else(|| LiveError::Socket("no window".to_owned()))?.location();
    let protocol = location.protocol().map_err(|_| LiveError::Socket("no protocol".to_owned()))?;
    let host = location.host().map_err(|_| LiveError::Socket("no host".to_owned()))?;
    let scheme = if protocol == "https:" { "wss" } else { "ws" };
    Ok(format!("{scheme}://{host}{WS_PATH}"))
}

/// Runs one subscription session until it ends. `on_connected` is called once the
/// subscription is sent, `on_event` for every event. Always returns an error saying why
/// the session ended.
pub async fn subscribe_package_states(
    on_connected: impl Fn(),
    on_event: impl Fn(PackageEvent),
) -> LiveError {
    match run_session(on_connected, on_event).await {
        Ok(()) => LiveError::Closed,
        Err(e) => e,
    }
}

async fn run_session(
    on_connected: impl Fn(),
    on_event: impl Fn(PackageEvent),
) -> Result<(), LiveError> {
    let socket = WebSocket::open_with_protocol(&ws_url()?, SUBPROTOCOL)
        .map_err(|e| LiveError::Socket(e.to_string()))?;
    let (mut sink, mut stream) = socket.split();
    let send = |value: serde_json::Value| Message::Text(value.to_string());
    sink.send(send(json!({"type": "connection_init", "payload": {}})))
        .await
        .map_err(|e| LiveError::Socket(e.to_string()))?;
    while let Some(frame) = stream.next().await {
        let text = match frame.map_err(|e| LiveError::Socket(e.to_string()))? {
            Message::Text(text) => text,
            Message::Bytes(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        };
        let reply = match parse_server_message(&text) {
            ServerMessage::ConnectionAck => {
                on_connected();
                Some(json!({
                    "id": SUBSCRIPTION_ID,
                    "type": "subscribe",
                    "payload": {"query": PACKAGE_STATE_CHANGED, "variables": {}},
                }))
            }
            ServerMessage::Ping => Some(json!({"type": "pong"})),
            ServerMessage::Next(event) => {
                on_event(event);
                None
            }
            ServerMessage::Ignored => None,
            ServerMessage::Error(message) => return Err(LiveError::Protocol(message)),
            ServerMessage::Complete => return Ok(()),
        };
        if let Some(reply) = reply {
            sink.send(send(reply)).await.map_err(|e| LiveError::Socket(e.to_string()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::PackageState;

    #[test]
    fn control_frames_are_recognised() {
        assert_eq!(
            parse_server_message(r#"{"type":"connection_ack"}"#),
            ServerMessage::ConnectionAck
        );
        assert_eq!(parse_server_message(r#"{"type":"ping","payload":{}}"#), ServerMessage::Ping);
        assert_eq!(parse_server_message(r#"{"type":"pong"}"#), ServerMessage::Ignored);
        assert_eq!(
            parse_server_message(r#"{"id":"1","type":"complete"}"#),
            ServerMessage::Complete
        );
        assert!(matches!(parse_server_message("not json"), ServerMessage::Error(_)));
    }

    #[test]
    fn a_next_frame_carries_the_event() {
        let text = r#"{"id":"1","type":"next","payload":{"data":{"packageStateChanged":
            {"packageId":7,"name":"rnv","collection":"f40","state":"FAILING","previousState":"OK"}}}}"#;
        let ServerMessage::Next(event) = parse_server_message(text) else {
            panic!("expected an event from {text}");
        };
        assert_eq!(event.package_id, 7);
        assert_eq!(event.state, PackageState::Failing);
        assert_eq!(event.previous_state, Some(PackageState::Ok));
    }

    #[test]
    fn errors_inside_next_or_error_frames_are_errors() {
        let text = r#"{"id":"1","type":"next","payload":{"data":null,"errors":[{"message":"x"}]}}"#;
        assert!(matches!(parse_server_message(text), ServerMessage::Error(m) if m.contains('x')));
        let text = r#"{"id":"1","type":"error","payload":[{"message":"unknown field"}]}"#;
        assert!(
            matches!(parse_server_message(text), ServerMessage::Error(m) if m.contains("unknown"))
        );
    }
}
