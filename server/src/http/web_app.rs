//! Serves the built web app: files from the dist directory, `index.html` for every other
//! path (client-side routes), hashed assets cached for a year, `index.html` never cached.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::services::{ServeDir, ServeFile};

/// The fallback service for everything that is not API or health.
pub fn service(dist: &Path) -> Router {
    let index = dist.join("index.html");
    if !index.is_file() {
        let msg = format!(
            "The web app is not built: {} is missing. Build it with `trunk build --release` (see README); the API at /graphql works without it.\n",
            index.display()
        );
        return Router::new().fallback(move || {
            let msg = msg.clone();
            async move { (StatusCode::SERVICE_UNAVAILABLE, msg) }
        });
    }
    let files =
        ServeDir::new(dist).append_index_html_on_directories(true).fallback(ServeFile::new(index));
    Router::new().fallback_service(files).layer(middleware::from_fn(cache_headers))
}

async fn cache_headers(req: Request, next: Next) -> Response {
    let policy = cache_policy(req.uri().path());
    let mut res = next.run(req).await;
    if res.status().is_success() {
        res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    res.into_response()
}

/// Trunk names assets `name-<16 hex>.ext` (or `_bg.wasm` after the hash); those never
/// change and can be cached forever. Everything else, notably `index.html` served for
/// client routes, must be revalidated.
fn cache_policy(path: &str) -> &'static str {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    let hashed = stem
        .split(['-', '_'])
        .any(|part| part.len() >= 10 && part.bytes().all(|b| b.is_ascii_hexdigit()));
    if hashed { "public, max-age=31536000, immutable" } else { "no-cache" }
}

#[cfg(test)]
mod tests {
    use super::cache_policy;

    #[test]
    fn hashed_assets_are_immutable_and_the_rest_revalidates() {
        assert_eq!(
            cache_policy("/web-1a2b3c4d5e6f7a8b_bg.wasm"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            cache_policy("/style-0123456789abcdef.css"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_policy("/"), "no-cache");
        assert_eq!(cache_policy("/index.html"), "no-cache");
        assert_eq!(cache_policy("/packages"), "no-cache");
        assert_eq!(cache_policy("/package/some-long-package-name"), "no-cache");
    }
}
