//! Errors at the GraphQL boundary. Every error a client sees carries
//! `extensions.code`; internal errors are logged once with their cause and show the client
//! only a short message.

use std::sync::Arc;

use async_graphql::ErrorExtensions;

/// Machine-readable error codes sent in `extensions.code`.
pub mod code {
    /// Something named in the request does not exist.
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// The request's arguments are invalid.
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    /// The caller may not do this.
    pub const FORBIDDEN: &str = "FORBIDDEN";
    /// A server-side failure; details are in the server log.
    pub const INTERNAL: &str = "INTERNAL_SERVER_ERROR";
    /// The request is not valid GraphQL.
    pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The request does not match the schema.
    pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    /// The query nests deeper than `graphql.max_depth`.
    pub const QUERY_TOO_DEEP: &str = "QUERY_TOO_DEEP";
    /// The query is more complex than `graphql.max_complexity`.
    pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
}

/// An error returned by a resolver. It deliberately has no `Display`: async-graphql
/// converts every displayable error into a code-less error, so the conversion below is
/// the only way out and every error keeps its `extensions.code`.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// `what` named `key` does not exist.
    NotFound {
        /// Kind of thing, e.g. "collection".
        what: &'static str,
        /// What the client asked for.
        key: String,
    },
    /// Invalid arguments.
    BadUserInput(String),
    /// Not allowed.
    Forbidden,
    /// A failure of ours; the cause is logged, the client sees "internal error".
    Internal(Arc<anyhow::Error>),
}

impl ApiError {
    /// An internal error from any cause.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal(Arc::new(cause.into()))
    }

    /// The message shown to the client.
    pub fn message(&self) -> String {
        match self {
            ApiError::NotFound { what, key } => format!("{what} not found: {key}"),
            ApiError::BadUserInput(msg) => msg.clone(),
            ApiError::Forbidden => "forbidden".to_owned(),
            ApiError::Internal(_) => "internal error".to_owned(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::NotFound { .. } => code::NOT_FOUND,
            ApiError::BadUserInput(_) => code::BAD_USER_INPUT,
            ApiError::Forbidden => code::FORBIDDEN,
            ApiError::Internal(_) => code::INTERNAL,
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        ApiError::internal(anyhow::Error::new(e).context("database query failed"))
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        if let ApiError::Internal(cause) = &e {
            tracing::error!(error = ?cause, "GraphQL resolver failed");
        }
        let code = e.code();
        async_graphql::Error::new(e.message()).extend_with(|_, ext| ext.set("code", code))
    }
}

/// Result type of resolvers.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(e: ApiError) -> (String, String) {
        let gql: async_graphql::Error = e.into();
        let code = gql.extensions.as_ref().and_then(|x| x.get("code")).map(|v| v.to_string());
        (gql.message, code.unwrap_or_default())
    }

    #[test]
    fn each_error_carries_its_code() {
        assert_eq!(
            code_of(ApiError::NotFound { what: "collection", key: "f99".into() }),
            ("collection not found: f99".into(), "\"NOT_FOUND\"".into())
        );
        assert_eq!(code_of(ApiError::BadUserInput("bad".into())).1, "\"BAD_USER_INPUT\"");
        assert_eq!(code_of(ApiError::Forbidden).1, "\"FORBIDDEN\"");
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let (msg, code) = code_of(ApiError::internal(anyhow::anyhow!("password=hunter2 leaked")));
        assert_eq!(msg, "internal error");
        assert_eq!(code, "\"INTERNAL_SERVER_ERROR\"");
    }
}
