//! A session with one Koji hub: login (anonymous, password `login`, TLS client
//! certificate `sslLogin`, GSSAPI `sslLogin` with `Authorization: Negotiate` when built
//! with the `gssapi` feature, see [`super::gssapi`]), session identity and call numbers
//! on every authenticated request (koji-api.md §4.1), one re-login when the session
//! expires, bounded retries with backoff, and chunked multicall.
//!
//! It speaks only raw XML-RPC calls ([`Call`] → [`Value`]); the typed API is layered on
//! top through [`KojiApi`]. It must not contain Koschei logic, and it never logs secrets.
//!
//! Authenticated calls are serialised (one request in flight per session): the hub
//! rejects a call number lower than one it has already committed, so concurrent requests
//! could overtake each other and fail. Anonymous sessions send no session data and run
//! calls concurrently.

use tokio::sync::Mutex;

use super::api::{BoxFuture, KojiApi};
use super::error::KojiError;
use super::transport::{RetryPolicy, TlsFiles, Transport};
use super::xmlrpc::{
    self, Call, MULTICALL, Struct, Value, decode_multicall_result, multicall_params,
};
use crate::config::{KojiAuth, KojiConfig, LoginMethod};

/// Path (relative to the hub URL) that `sslLogin` is posted to, so that the web server
/// can require a client certificate only there.
const SSL_LOGIN_PATH: &str = "ssllogin";

/// What a login returned (`session-id`, `session-key`, `header-auth`).
#[derive(Clone, PartialEq, Eq)]
struct SessionInfo {
    id: i64,
    key: String,
    /// Send the identity as headers (hub ≥ 1.35) rather than in the query string.
    header_auth: bool,
}

impl std::fmt::Debug for SessionInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionInfo")
            .field("id", &self.id)
            .field("key", &"********")
            .field("header_auth", &self.header_auth)
            .finish()
    }
}

#[derive(Debug, Default)]
struct SessionState {
    info: Option<SessionInfo>,
    /// Next call number: starts at 0, +1 per HTTP request, never reset (not even by a
    /// re-login), so it is always strictly increasing for the hub.
    callnum: u64,
}

/// Session data attached to one request.
struct Identity<'a> {
    info: &'a SessionInfo,
    callnum: u64,
}

/// A client session with one Koji hub. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct KojiSession {
    hub: url::Url,
    transport: Transport,
    login_method: LoginMethod,
    auth: KojiAuth,
    retry: RetryPolicy,
    chunk_size: usize,
    state: Mutex<SessionState>,
}

impl KojiSession {
    /// A session for `config` (no network traffic yet: logging in happens on the first
    /// call, or explicitly with [`KojiSession::login`]).
    ///
    /// Errors: an invalid hub URL ([`KojiError::Transport`]); unreadable TLS files, a
    /// missing user/password/certificate for the login method, or GSSAPI in a build
    /// without the `gssapi` feature ([`KojiError::Auth`]).
    pub fn new(config: &KojiConfig) -> Result<Self, KojiError> {
        let hub = url::Url::parse(&config.server).map_err(|e| KojiError::Transport {
            url: config.server.clone(),
            message: format!("invalid hub URL: {e}"),
            timeout: false,
        })?;
        let auth = &config.auth;
        match config.login_method {
            LoginMethod::Anonymous => {}
            LoginMethod::Password => {
                if auth.user.is_none() || auth.password.is_none() {
                    return Err(auth_error("password login needs koji.auth.user and .password"));
                }
            }
            LoginMethod::Ssl => {
                if auth.cert.is_none() {
                    return Err(auth_error("ssl login needs koji.auth.cert (PEM with key)"));
                }
            }
            LoginMethod::Gssapi => {
                if !cfg!(feature = "gssapi") {
                    return Err(gssapi_unsupported());
                }
            }
        }
        let tls = TlsFiles {
            client_cert: match config.login_method {
                LoginMethod::Ssl => auth.cert.as_deref(),
                _ => None,
            },
            server_ca: auth.serverca.as_deref(),
        };
        let transport = Transport::new(config.call_timeout, &tls)?;
        Ok(KojiSession {
            hub,
            transport,
            login_method: config.login_method,
            auth: auth.clone(),
            retry: RetryPolicy {
                max_retries: config.max_retries,
                initial_backoff: config.retry_backoff,
                max_backoff: config.retry_backoff_max,
            },
            chunk_size: config.multicall_chunk_size.max(1),
            state: Mutex::new(SessionState::default()),
        })
    }

    /// Replaces the retry policy (e.g. no retries for one-shot admin commands).
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The hub URL.
    pub fn hub_url(&self) -> &str {
        self.hub.as_str()
    }

    /// Whether this session authenticates (login method other than anonymous).
    pub fn is_authenticated(&self) -> bool {
        self.login_method != LoginMethod::Anonymous
    }

    /// Logs in now if the login method needs it and there is no session yet.
    pub async fn login(&self) -> Result<(), KojiError> {
        if !self.is_authenticated() {
            return Ok(());
        }
        let mut state = self.state.lock().await;
        if state.info.is_none() {
            self.login_locked(&mut state, false).await?;
        }
        Ok(())
    }

    /// Calls `call.method` and returns its result; a fault becomes [`KojiError::Fault`].
    pub async fn call(&self, call: Call) -> Result<Value, KojiError> {
        let body = xmlrpc::encode_call(&call.method, &call.params);
        if !self.is_authenticated() {
            return self.send_with_retries(&self.hub, &call.method, &body, None).await;
        }
        let mut state = self.state.lock().await;
        if state.info.is_none() {
            self.login_locked(&mut state, false).await?;
        }
        let mut relogged = false;
        loop {
            let Some(info) = state.info.clone() else {
                return Err(auth_error("no session after login"));
            };
            let callnum = next_callnum(&mut state);
            let identity = Identity { info: &info, callnum };
            match self.send_with_retries(&self.hub, &call.method, &body, Some(identity)).await {
                Err(e) if e.is_session_expired() && !relogged => {
                    tracing::info!(hub = %self.hub, "Koji session expired, logging in again");
                    relogged = true;
                    self.login_locked(&mut state, true).await?;
                }
                other => return other,
            }
        }
    }

    /// Runs `calls` as `multiCall` requests of at most `multicall_chunk_size` calls and
    /// returns one outcome per call, in order (a failed call is a [`KojiError::Fault`]
    /// naming its own method). If a whole request fails (after retries), that error is
    /// returned for every call of its chunk and of all later chunks, which are not sent.
    pub async fn multicall(&self, calls: Vec<Call>) -> Vec<Result<Value, KojiError>> {
        let mut out = Vec::with_capacity(calls.len());
        for chunk in calls.chunks(self.chunk_size) {
            let request = Call::new(MULTICALL, multicall_params(chunk));
            let failure = match self.call(request).await {
                Ok(result) => match decode_multicall_result(&result) {
                    Ok(items) if items.len() == chunk.len() => {
                        out.extend(items.into_iter().zip(chunk).map(|(item, c)| {
                            item.map_err(|f| KojiError::fault(c.method.clone(), f.code, f.string))
                        }));
                        continue;
                    }
                    Ok(items) => KojiError::Decode {
                        method: MULTICALL.to_string(),
                        source: xmlrpc::XmlRpcError::MalformedMulticall {
                            index: items.len().min(chunk.len()),
                            reason: format!("{} results for {} calls", items.len(), chunk.len()),
                        },
                    },
                    Err(source) => KojiError::Decode { method: MULTICALL.to_string(), source },
                },
                Err(e) => e,
            };
            out.resize(calls.len(), Err(failure));
            break;
        }
        out
    }

    /// Logs in (again); `renew` asks the hub to renew the expired session (same id, new
    /// key) and falls back to a fresh login if the hub refuses. The caller holds the lock.
    async fn login_locked(&self, state: &mut SessionState, renew: bool) -> Result<(), KojiError> {
        let (url, method, params) = match self.login_method {
            LoginMethod::Anonymous => return Ok(()),
            LoginMethod::Gssapi if !cfg!(feature = "gssapi") => return Err(gssapi_unsupported()),
            LoginMethod::Gssapi => (ssl_login_url(&self.hub), "sslLogin", Vec::new()),
            LoginMethod::Password => {
                let user = self.auth.user.clone().unwrap_or_default();
                let password =
                    self.auth.password.as_ref().map(|p| p.expose().to_string()).unwrap_or_default();
                (self.hub.clone(), "login", vec![Value::from(user), Value::from(password)])
            }
            LoginMethod::Ssl => (ssl_login_url(&self.hub), "sslLogin", Vec::new()),
        };
        let old = state.info.take();
        let outcome = match (&old, renew) {
            (Some(info), true) => {
                let mut renew_params = params.clone();
                xmlrpc::push_kwargs(
                    &mut renew_params,
                    Struct::from([("renew".into(), true.into())]),
                );
                let body = xmlrpc::encode_call(method, &renew_params);
                let identity = Identity { info, callnum: next_callnum(state) };
                match self.send_login(&url, method, &body, Some(identity)).await {
                    Err(KojiError::Fault { code, message, .. }) => {
                        tracing::info!(code, %message, "renewing the Koji session failed; new login");
                        None
                    }
                    other => Some(other),
                }
            }
            _ => None,
        };
        let outcome = match outcome {
            Some(outcome) => outcome,
            None => {
                let body = xmlrpc::encode_call(method, &params);
                self.send_login(&url, method, &body, None).await
            }
        };
        let value = outcome.map_err(|e| match e {
            KojiError::Fault { code, message, method } => {
                auth_error(format!("{method} refused (fault {code}): {message}"))
            }
            other => other,
        })?;
        state.info = Some(parse_session_info(method, &value)?);
        Ok(())
    }

    /// Sends a login request: GSSAPI logins go through `send_negotiate` (once, with a fresh token, as the Python client does), the others through the
    /// usual retries.
    async fn send_login(
        &self,
        url: &url::Url,
        method: &str,
        body: &str,
        identity: Option<Identity<'_>>,
    ) -> Result<Value, KojiError> {
        #[cfg(feature = "gssapi")]
        if self.login_method == LoginMethod::Gssapi {
            return self.send_negotiate(url, method, body, identity).await;
        }
        self.send_with_retries(url, method, body, identity).await
    }

    /// Sends `sslLogin` with `Authorization: Negotiate` and checks the hub's answer token
    /// (mutual authentication). Getting the first token may talk to the KDC, so it runs
    /// on a blocking thread. HTTP 401 becomes [`GssapiFailure::Rejected`].
    #[cfg(feature = "gssapi")]
    async fn send_negotiate(
        &self,
        base: &url::Url,
        method: &str,
        body: &str,
        identity: Option<Identity<'_>>,
    ) -> Result<Value, KojiError> {
        use super::error::GssapiFailure;
        use super::gssapi::{self, Initiator, InitiatorOptions};
        let gss = |failure, message: String| KojiError::Gssapi { failure, message };
        let host = base
            .host_str()
            .ok_or_else(|| gss(GssapiFailure::Other, format!("hub URL {base} has no host")))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let opts = InitiatorOptions {
            principal: self.auth.principal.clone(),
            keytab: self.auth.keytab.clone(),
            ccache: self.auth.ccache.clone(),
            service: self.auth.service.clone().unwrap_or_else(|| gssapi::DEFAULT_SERVICE.into()),
        };
        let (initiator, token) =
            tokio::task::spawn_blocking(move || Initiator::start(&opts, &host))
                .await
                .map_err(|e| gss(GssapiFailure::Other, format!("GSSAPI thread failed: {e}")))??;
        let (url, mut headers) = with_identity(base, identity.as_ref());
        headers.push(("Authorization", gssapi::negotiate_header(&token)));
        let sent = self
            .transport
            .post_reading_header(
                &url,
                base.as_str(),
                &headers,
                method,
                body.into(),
                Some("WWW-Authenticate"),
            )
            .await;
        let (value, reply) = match sent {
            Err(KojiError::Http { url, status: 401, snippet }) => {
                return Err(gss(
                    GssapiFailure::Rejected,
                    format!("{url} answered HTTP 401 to the Negotiate token: {snippet}"),
                ));
            }
            other => other?,
        };
        let reply = reply
            .as_deref()
            .and_then(gssapi::parse_negotiate)
            .transpose()
            .map_err(|m| gss(GssapiFailure::MutualAuth, m))?;
        initiator.finish(reply.as_deref())?;
        value.map_err(|f| KojiError::fault(method, f.code, f.string))
    }

    /// Sends one request, repeating it (same body, same call number, as the Python client
    /// does) on retryable errors.
    async fn send_with_retries(
        &self,
        base: &url::Url,
        method: &str,
        body: &str,
        identity: Option<Identity<'_>>,
    ) -> Result<Value, KojiError> {
        let (url, headers) = with_identity(base, identity.as_ref());
        let display = base.as_str();
        let mut retry = 0;
        loop {
            let result =
                match self.transport.post(&url, display, &headers, method, body.into()).await {
                    Ok(Ok(value)) => Ok(value),
                    Ok(Err(fault)) => Err(KojiError::fault(method, fault.code, fault.string)),
                    Err(e) => Err(e),
                };
            match result {
                Err(e) if e.is_retryable() && retry < self.retry.max_retries => {
                    let wait = self.retry.delay(retry);
                    tracing::warn!(method, attempt = retry + 1, ?wait, error = %e, "Koji call failed, retrying");
                    tokio::time::sleep(wait).await;
                    retry += 1;
                }
                other => return other,
            }
        }
    }
}

impl KojiApi for KojiSession {
    fn call(&self, call: Call) -> BoxFuture<'_, Result<Value, KojiError>> {
        Box::pin(KojiSession::call(self, call))
    }

    fn multicall(&self, calls: Vec<Call>) -> BoxFuture<'_, Vec<Result<Value, KojiError>>> {
        Box::pin(KojiSession::multicall(self, calls))
    }
}

/// The URL and headers that carry the session identity (headers for hubs that asked for
/// them, the legacy query string otherwise).
fn with_identity(
    base: &url::Url,
    identity: Option<&Identity<'_>>,
) -> (url::Url, Vec<(&'static str, String)>) {
    let mut url = base.clone();
    let mut headers = Vec::new();
    if let Some(Identity { info, callnum }) = identity {
        if info.header_auth {
            headers.push(("Koji-Session-Id", info.id.to_string()));
            headers.push(("Koji-Session-Key", info.key.clone()));
            headers.push(("Koji-Session-Callnum", callnum.to_string()));
        } else {
            url.query_pairs_mut()
                .append_pair("session-id", &info.id.to_string())
                .append_pair("session-key", &info.key)
                .append_pair("callnum", &callnum.to_string());
        }
    }
    (url, headers)
}

fn next_callnum(state: &mut SessionState) -> u64 {
    let n = state.callnum;
    state.callnum += 1;
    n
}

fn ssl_login_url(hub: &url::Url) -> url::Url {
    let mut url = hub.clone();
    let path = format!("{}/{SSL_LOGIN_PATH}", hub.path().trim_end_matches('/'));
    url.set_path(&path);
    url
}

fn auth_error(message: impl Into<String>) -> KojiError {
    KojiError::Auth { message: message.into() }
}

/// The error a GSSAPI login gives in a build without the `gssapi` feature.
fn gssapi_unsupported() -> KojiError {
    auth_error("GSSAPI login is not supported in this build (built without the `gssapi` feature)")
}

fn parse_session_info(method: &str, value: &Value) -> Result<SessionInfo, KojiError> {
    if value.is_nil() {
        return Err(auth_error(format!("{method} returned no session")));
    }
    let conversion = |source| KojiError::Conversion { method: method.to_string(), source };
    Ok(SessionInfo {
        id: value.field("session-id").map_err(conversion)?,
        key: value.field("session-key").map_err(conversion)?,
        header_auth: value
            .field::<Option<bool>>("header-auth")
            .map_err(conversion)?
            .unwrap_or(false),
    })
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
