//! The transport: `POST /graphql` with `{query, variables}` and decoding of the
//! `{data, errors}` envelope.
//!
//! It knows nothing about individual queries; those live in `queries.rs`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ErrorCode};

/// Path of the GraphQL endpoint, on the origin that served the app.
pub const ENDPOINT: &str = "/graphql";

#[derive(Serialize)]
struct RequestBody<'a, V> {
    query: &'a str,
    variables: &'a V,
}

#[derive(Deserialize)]
struct ResponseBody {
    data: Option<serde_json::Value>,
    #[serde(default)]
    errors: Vec<GraphQlError>,
}

#[derive(Deserialize)]
struct GraphQlError {
    message: String,
    #[serde(default)]
    extensions: Option<Extensions>,
}

#[derive(Deserialize)]
struct Extensions {
    code: Option<String>,
}

/// Sends one GraphQL operation and decodes its `data` into `D`.
pub async fn request<V, D>(query: &str, variables: &V) -> Result<D, ApiError>
where
    V: Serialize,
    D: DeserializeOwned,
{
    let body = RequestBody { query, variables };
    let response = gloo_net::http::Request::post(ENDPOINT)
        .header("Accept", "application/json")
        .json(&body)
        .map_err(|e| ApiError::Decode(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let (status, status_text) = (response.status(), response.status_text());
    let text = response.text().await.map_err(|e| ApiError::Network(e.to_string()))?;
    decode_response(status, &status_text, &text)
}

/// Decodes a GraphQL response body. The first entry of `errors`, if any, wins over `data`.
pub fn decode_response<D: DeserializeOwned>(
    status: u16,
    status_text: &str,
    text: &str,
) -> Result<D, ApiError> {
    let body: ResponseBody = match serde_json::from_str(text) {
        Ok(body) => body,
        Err(_) if !(200..300).contains(&status) => {
            return Err(ApiError::Http { status, message: http_message(status_text, text) });
        }
        Err(e) => return Err(ApiError::Decode(e.to_string())),
    };
    if let Some(first) = body.errors.into_iter().next() {
        let code = first.extensions.as_ref().and_then(|ext| ext.code.as_deref());
        return Err(ApiError::GraphQl {
            code: ErrorCode::from_extension(code),
            message: first.message,
        });
    }
    match body.data {
        Some(data) if !data.is_null() => {
            serde_json::from_value(data).map_err(|e| ApiError::Decode(e.to_string()))
        }
        _ => Err(ApiError::Decode("the response has neither data nor errors".to_owned())),
    }
}

/// What to show for an HTTP error: a short plain-text body, else the status text
/// (error pages in HTML are not shown).
fn http_message(status_text: &str, text: &str) -> String {
    const MAX_CHARS: usize = 200;
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.starts_with('<') {
        status_text.trim().to_owned()
    } else if trimmed.chars().count() <= MAX_CHARS {
        trimmed.to_owned()
    } else {
        let mut short: String = trimmed.chars().take(MAX_CHARS).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Version {
        version: String,
    }

    #[test]
    fn data_is_decoded_into_the_requested_type() {
        let got: Version = decode_response(200, "OK", r#"{"data":{"version":"1.2"}}"#).unwrap();
        assert_eq!(got, Version { version: "1.2".into() });
    }

    #[test]
    fn the_first_error_and_its_code_win_over_data() {
        let text = r#"{"data":null,"errors":[{"message":"Collection not found",
            "extensions":{"code":"NOT_FOUND"}},{"message":"second"}]}"#;
        let err = decode_response::<Version>(200, "OK", text).unwrap_err();
        assert!(err.is_not_found());
        assert_eq!(err.to_string(), "Collection not found");
    }

    #[test]
    fn an_error_without_code_maps_to_code_none() {
        let err =
            decode_response::<Version>(400, "Bad Request", r#"{"errors":[{"message":"syntax"}]}"#);
        assert_eq!(err, Err(ApiError::GraphQl { code: ErrorCode::None, message: "syntax".into() }));
    }

    #[test]
    fn a_non_json_error_status_becomes_an_http_error() {
        let err = decode_response::<Version>(502, "", "upstream down").unwrap_err();
        assert_eq!(err, ApiError::Http { status: 502, message: "upstream down".into() });
        let err = decode_response::<Version>(501, "Not Implemented", "<html>…</html>").unwrap_err();
        assert_eq!(err.to_string(), "The server answered HTTP 501: Not Implemented");
    }

    #[test]
    fn a_wrong_shape_is_a_decode_error() {
        let err = decode_response::<Version>(200, "OK", r#"{"data":{"version":3}}"#).unwrap_err();
        assert!(matches!(err, ApiError::Decode(_)), "{err:?}");
        let err = decode_response::<Version>(200, "OK", r#"{"data":null}"#).unwrap_err();
        assert!(matches!(err, ApiError::Decode(_)), "{err:?}");
    }
}
