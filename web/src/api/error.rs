//! Errors of the GraphQL client, with the server's `extensions.code` mapped to a typed code.
//!
//! This module only classifies errors; deciding what to show the user is the pages' job.

use std::fmt;

/// The machine-readable class of a GraphQL error, taken from `errors[].extensions.code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorCode {
    /// `NOT_FOUND`: the named collection, package or build does not exist.
    NotFound,
    /// `BAD_USER_INPUT` or `BAD_REQUEST`: an argument was rejected.
    BadInput,
    /// Any other code the server sent.
    Other(String),
    /// The error had no `extensions.code`.
    None,
}

impl ErrorCode {
    /// Maps the `extensions.code` string of a GraphQL error to a typed code.
    pub fn from_extension(code: Option<&str>) -> Self {
        match code {
            Some("NOT_FOUND") => Self::NotFound,
            Some("BAD_USER_INPUT" | "BAD_REQUEST") => Self::BadInput,
            Some(other) => Self::Other(other.to_owned()),
            None => Self::None,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound => f.write_str("NOT_FOUND"),
            Self::BadInput => f.write_str("BAD_USER_INPUT"),
            Self::Other(code) => f.write_str(code),
            Self::None => f.write_str("none"),
        }
    }
}

/// Why a GraphQL request failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The request never got an answer (server down, connection refused, CORS, ...).
    #[error("Cannot reach the server: {0}")]
    Network(String),
    /// The server answered with an HTTP error status and no GraphQL body.
    #[error("The server answered HTTP {status}{}", colon_prefixed(message))]
    Http {
        /// HTTP status code.
        status: u16,
        /// Response body or status text, shortened.
        message: String,
    },
    /// The server answered with a GraphQL error; `message` is the server's own text.
    #[error("{message}")]
    GraphQl {
        /// The mapped `extensions.code`.
        code: ErrorCode,
        /// The error message as sent by the server.
        message: String,
    },
    /// The response was not the JSON shape this client expects.
    #[error("Unexpected response from the server: {0}")]
    Decode(String),
}

/// `": message"`, or nothing for an empty message.
fn colon_prefixed(message: &str) -> String {
    if message.is_empty() { String::new() } else { format!(": {message}") }
}

impl ApiError {
    /// True when the server said the requested object does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::GraphQl { code: ErrorCode::NotFound, .. })
    }
}
