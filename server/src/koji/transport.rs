//! HTTP transport of Koji's XML-RPC: one POST per request over reqwest (rustls), the
//! per-call timeout, bounded reading and decoding of the response, and the backoff policy
//! for retries.
//!
//! This module knows nothing about sessions, logins or Koji methods: it sends a prepared
//! body with the headers it is given and turns the answer into a value, a fault or a
//! [`KojiError`]. Retrying is decided by the session.

use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::time::Duration;

use super::error::KojiError;
use super::xmlrpc::{self, Fault, Limits, Value, XmlRpcError};

/// How many characters of an unexpected HTTP body are kept in [`KojiError::Http`].
const SNIPPET_CHARS: usize = 200;

/// How failed calls are repeated: at most `max_retries` times, waiting
/// `initial_backoff · 2ⁿ` (capped at `max_backoff`) with jitter before repetition `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Repetitions after the first attempt (0 = never retry).
    pub max_retries: u32,
    /// Wait before the first repetition.
    pub initial_backoff: Duration,
    /// Upper bound of any wait.
    pub max_backoff: Duration,
}

impl RetryPolicy {
    /// No retries at all.
    pub const NONE: RetryPolicy = RetryPolicy {
        max_retries: 0,
        initial_backoff: Duration::ZERO,
        max_backoff: Duration::ZERO,
    };

    /// The wait before repetition `retry` (0-based): the exponential delay capped at
    /// `max_backoff`, then scaled by a random factor in [0.5, 1.0] so that clients that
    /// failed together do not retry together.
    pub fn delay(&self, retry: u32) -> Duration {
        let exp = self.initial_backoff.saturating_mul(2u32.saturating_pow(retry.min(31)));
        let capped = exp.min(self.max_backoff);
        // 0.5 + jitter/2, jitter uniform in [0, 1).
        let jitter = (random_u64() >> 11) as f64 / (1u64 << 53) as f64;
        capped.mul_f64(0.5 + jitter / 2.0)
    }
}

/// A random number from the standard library's per-hasher random keys (no extra
/// dependency; quality is plenty for jitter).
fn random_u64() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0x9e37_79b9_7f4a_7c15);
    hasher.finish()
}

/// TLS material for the connection to the hub.
#[derive(Debug, Clone, Default)]
pub struct TlsFiles<'a> {
    /// PEM file with the client certificate and its private key (for `sslLogin`).
    pub client_cert: Option<&'a Path>,
    /// PEM file with the CA certificates the hub's certificate must chain to; when set,
    /// only these are trusted (like the Python client's `serverca`).
    pub server_ca: Option<&'a Path>,
}

/// Sends XML-RPC bodies over HTTP and decodes the answers.
#[derive(Debug, Clone)]
pub struct Transport {
    client: reqwest::Client,
    timeout: Duration,
    limits: Limits,
}

impl Transport {
    /// A transport with the given per-call timeout and TLS material. Files that cannot be
    /// read or parsed are an [`KojiError::Auth`] error naming the file.
    pub fn new(timeout: Duration, tls: &TlsFiles<'_>) -> Result<Self, KojiError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(30)))
            .user_agent(concat!("koschei-rs/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = tls.client_cert {
            let pem = read_pem(path, "client certificate")?;
            let identity = reqwest::Identity::from_pem(&pem).map_err(|e| KojiError::Auth {
                message: format!("client certificate {}: {e}", path.display()),
            })?;
            builder = builder.identity(identity);
        }
        if let Some(path) = tls.server_ca {
            let pem = read_pem(path, "server CA")?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                KojiError::Auth { message: format!("server CA {}: {e}", path.display()) }
            })?;
            builder = builder.tls_certs_only(certs);
        }
        let client = builder.build().map_err(|e| KojiError::Auth {
            message: format!("cannot set up the HTTP client: {e}"),
        })?;
        Ok(Transport { client, timeout, limits: Limits::default() })
    }

    /// Replaces the decoding limits (the default is the codec's [`Limits::default`]).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// POSTs `body` (an encoded `methodCall` of `method`) to `url` with extra `headers`
    /// and returns the decoded result: `Ok(Ok(value))`, `Ok(Err(fault))`, or an error for
    /// anything that is not a 200 XML-RPC answer. `display_url` is what errors show (the
    /// URL without session secrets).
    pub async fn post(
        &self,
        url: &url::Url,
        display_url: &str,
        headers: &[(&'static str, String)],
        method: &str,
        body: String,
    ) -> Result<Result<Value, Fault>, KojiError> {
        self.post_reading_header(url, display_url, headers, method, body, None)
            .await
            .map(|(r, _)| r)
    }

    /// [`Transport::post`] that also returns the value of the response header
    /// `reply_header` of a 200 answer (e.g. `WWW-Authenticate` for GSSAPI's mutual
    /// authentication).
    pub async fn post_reading_header(
        &self,
        url: &url::Url,
        display_url: &str,
        headers: &[(&'static str, String)],
        method: &str,
        body: String,
        reply_header: Option<&'static str>,
    ) -> Result<(Result<Value, Fault>, Option<String>), KojiError> {
        let mut request = self
            .client
            .post(url.clone())
            .timeout(self.timeout)
            .header(reqwest::header::CONTENT_TYPE, "text/xml")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        let transport_error = |e: reqwest::Error| KojiError::Transport {
            url: display_url.to_string(),
            message: error_chain(&e),
            timeout: e.is_timeout(),
        };
        let mut response = request.send().await.map_err(transport_error)?;
        let status = response.status();
        let header_value = reply_header
            .and_then(|name| response.headers().get(name))
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let max = self.limits.max_body_bytes;
        let mut bytes = Vec::new();
        let mut too_big = None;
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if bytes.len() + chunk.len() > max {
                too_big = Some(bytes.len() + chunk.len());
                break;
            }
            bytes.extend_from_slice(&chunk);
        }
        if status != reqwest::StatusCode::OK {
            return Err(KojiError::Http {
                url: display_url.to_string(),
                status: status.as_u16(),
                snippet: snippet(&bytes),
            });
        }
        if let Some(size) = too_big {
            return Err(KojiError::Decode {
                method: method.to_string(),
                source: XmlRpcError::TooBig { size, limit: max },
            });
        }
        let value = xmlrpc::decode_response_with(&bytes, &self.limits)
            .map_err(|source| KojiError::Decode { method: method.to_string(), source })?;
        Ok((value, header_value))
    }
}

fn read_pem(path: &Path, what: &str) -> Result<Vec<u8>, KojiError> {
    std::fs::read(path).map_err(|e| KojiError::Auth {
        message: format!("cannot read {what} {}: {e}", path.display()),
    })
}

/// The error with its sources ("error sending request: connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// The first [`SNIPPET_CHARS`] characters of a body, whitespace collapsed.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        if out.chars().count() >= SNIPPET_CHARS {
            out = out.chars().take(SNIPPET_CHARS).collect();
            out.push('…');
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        let p = RetryPolicy {
            max_retries: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
        };
        for _ in 0..50 {
            let d0 = p.delay(0);
            assert!(d0 >= Duration::from_millis(50) && d0 <= Duration::from_millis(100), "{d0:?}");
            let d2 = p.delay(2);
            assert!(d2 >= Duration::from_millis(200) && d2 <= Duration::from_millis(400), "{d2:?}");
            let d9 = p.delay(9);
            assert!(d9 >= Duration::from_millis(500) && d9 <= Duration::from_secs(1), "{d9:?}");
            assert!(p.delay(u32::MAX) <= Duration::from_secs(1));
        }
        let distinct: std::collections::BTreeSet<_> = (0..20).map(|_| p.delay(3)).collect();
        assert!(distinct.len() > 1, "jitter must vary");
    }

    #[test]
    fn snippet_collapses_whitespace_and_is_bounded() {
        assert_eq!(snippet(b"<html>\n  <title>502   Bad</title>"), "<html> <title>502 Bad</title>");
        let long = "x ".repeat(500);
        let s = snippet(long.as_bytes());
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
        assert!(s.ends_with('…'));
    }

    #[test]
    fn unreadable_tls_files_are_auth_errors_naming_the_file() {
        let path = Path::new("/nonexistent/koschei-client.pem");
        let tls = TlsFiles { client_cert: Some(path), server_ca: None };
        let err = Transport::new(Duration::from_secs(1), &tls).unwrap_err();
        assert!(
            matches!(&err, KojiError::Auth { message } if message.contains("koschei-client.pem")),
            "{err}"
        );
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("ca.pem");
        std::fs::write(&bad, "not a pem").unwrap();
        let tls = TlsFiles { client_cert: Some(&bad), server_ca: None };
        let err = Transport::new(Duration::from_secs(1), &tls).unwrap_err();
        assert!(matches!(err, KojiError::Auth { .. }), "{err}");
    }
}
