//! The error type of every Koji call ([`KojiError`]) and the classification of Koji fault
//! codes (koji-api.md §3.6): which faults are worth retrying, which mean the session
//! expired, and which count as a "Koji fault" for the scheduler (koschei-backend.md §5.3,
//! §12.21).
//!
//! Pure data and predicates: no IO, no retry logic (that lives in the session).

use super::xmlrpc::{ConversionError, XmlRpcError};

/// Koji's fault codes (`koji/__init__.py`, koji-api.md §3.6).
pub mod codes {
    /// A plain `xmlrpc.client.Fault`: an unexpected exception in the hub or a builder.
    pub const UNEXPECTED: i64 = 1;
    /// `GenericError`: most validation errors.
    pub const GENERIC: i64 = 1000;
    /// `LockError`.
    pub const LOCK: i64 = 1001;
    /// `AuthError`: bad credentials, invalid session, not logged in.
    pub const AUTH: i64 = 1002;
    /// `ActionNotAllowed`: missing login or permission.
    pub const ACTION_NOT_ALLOWED: i64 = 1004;
    /// `BuildError`.
    pub const BUILD: i64 = 1005;
    /// `AuthLockError`: another session of the user is exclusive.
    pub const AUTH_LOCK: i64 = 1006;
    /// `AuthExpired`: the session expired; log in again (with `renew=True`).
    pub const AUTH_EXPIRED: i64 = 1007;
    /// `SequenceError`: call number lower than the last committed one.
    pub const SEQUENCE: i64 = 1008;
    /// `RetryError`: a retried call already committed.
    pub const RETRY: i64 = 1009;
    /// `ServerOffline`: the hub is offline or cannot reach its database.
    pub const SERVER_OFFLINE: i64 = 1014;
    /// `ParameterError`: wrong argument count or type.
    pub const PARAMETER: i64 = 1019;
    /// The highest code that `koji.convertFault` maps to a Koji exception class.
    pub const LAST_KNOWN: i64 = 1024;
}

/// Everything a Koji call can fail with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KojiError {
    /// The hub answered with an XML-RPC fault (also used for one failed call inside a
    /// multicall).
    #[error("Koji fault {code} from {method}: {message}")]
    Fault {
        /// `faultCode` (a Koji exception class, see [`codes`]).
        code: i64,
        /// `faultString`.
        message: String,
        /// The method that failed.
        method: String,
    },
    /// The request did not get an HTTP response: connection refused or reset, DNS, TLS,
    /// or the per-call timeout.
    #[error("cannot reach Koji at {url}: {message}")]
    Transport {
        /// The URL that was requested (without session parameters).
        url: String,
        /// What went wrong.
        message: String,
        /// True when the per-call timeout expired.
        timeout: bool,
    },
    /// The hub (or a proxy in front of it) answered with a non-200 HTTP status.
    #[error("Koji at {url} answered HTTP {status}: {snippet}")]
    Http {
        /// The URL that was requested.
        url: String,
        /// HTTP status code.
        status: u16,
        /// The start of the body, whitespace collapsed (e.g. an HTML error page).
        snippet: String,
    },
    /// The response was not a valid XML-RPC document.
    #[error("bad XML-RPC response to {method}: {source}")]
    Decode {
        /// The method called.
        method: String,
        /// The codec's error.
        #[source]
        source: XmlRpcError,
    },
    /// The result had an unexpected shape (the error names the offending field).
    #[error("unexpected result of {method}: {source}")]
    Conversion {
        /// The method called.
        method: String,
        /// Which field, what was expected, what was found.
        #[source]
        source: ConversionError,
    },
    /// Logging in failed, or the configured login method cannot be used.
    #[error("Koji login failed: {message}")]
    Auth {
        /// Why.
        message: String,
    },
    /// A GSSAPI (Kerberos) login failed; `failure` says at which step.
    #[error("Koji GSSAPI login failed ({failure}): {message}")]
    Gssapi {
        /// The kind of failure.
        failure: GssapiFailure,
        /// Details (GSSAPI's and Kerberos' own messages, or the hub's answer).
        message: String,
    },
}

/// What went wrong in a GSSAPI login ([`KojiError::Gssapi`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GssapiFailure {
    /// No usable Kerberos credentials: no ticket cache (or an empty or expired one) and
    /// no keytab, or a keytab without the principal's key.
    NoCredentials,
    /// No KDC of the realm could be reached (or none is configured for it).
    KdcUnreachable,
    /// The KDC does not know the hub's service principal (`<service>/<hub host>`).
    UnknownService,
    /// The hub (its web server) refused the Negotiate token: HTTP 401.
    Rejected,
    /// The hub's answer did not prove its identity (mutual authentication failed).
    MutualAuth,
    /// Any other GSSAPI or Kerberos failure.
    Other,
}

impl std::fmt::Display for GssapiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GssapiFailure::NoCredentials => "no Kerberos credentials",
            GssapiFailure::KdcUnreachable => "KDC unreachable",
            GssapiFailure::UnknownService => "unknown service principal",
            GssapiFailure::Rejected => "rejected by the hub",
            GssapiFailure::MutualAuth => "mutual authentication failed",
            GssapiFailure::Other => "GSSAPI error",
        })
    }
}

impl KojiError {
    /// A fault from `method`.
    pub fn fault(method: impl Into<String>, code: i64, message: impl Into<String>) -> Self {
        KojiError::Fault { code, message: message.into(), method: method.into() }
    }

    /// The fault code, if this is a fault.
    pub fn fault_code(&self) -> Option<i64> {
        match self {
            KojiError::Fault { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether repeating the same request may succeed: transport errors (including
    /// timeouts), HTTP 500/502/503/504 and 408/429, and the `ServerOffline` fault. Never
    /// true for a fault that says the request itself is wrong or not allowed, nor for
    /// decoding/conversion/auth/GSSAPI errors.
    pub fn is_retryable(&self) -> bool {
        match self {
            KojiError::Transport { .. } => true,
            KojiError::Http { status, .. } => matches!(status, 408 | 429 | 500 | 502 | 503 | 504),
            KojiError::Fault { code, .. } => *code == codes::SERVER_OFFLINE,
            KojiError::Decode { .. }
            | KojiError::Conversion { .. }
            | KojiError::Auth { .. }
            | KojiError::Gssapi { .. } => false,
        }
    }

    /// Whether this is the `AuthExpired` fault (the session must log in again).
    pub fn is_session_expired(&self) -> bool {
        self.fault_code() == Some(codes::AUTH_EXPIRED)
    }

    /// The original's `is_koji_fault` classification of a `getTaskResult` failure
    /// (koschei-backend.md §5.3, §12.21): `LockError` (1001) and codes that Koji maps to no
    /// exception class (typically 1, an unexpected builder exception) are Koji
    /// (infrastructure) faults — the build is deleted and retried; every other Koji
    /// exception class (1000, 1002–1024, e.g. `BuildError`) is a genuine package failure.
    ///
    /// Only faults can be classified: this returns false for every other error, which the
    /// caller must propagate instead (see `KojiApi::is_koji_fault` in the API module).
    pub fn is_koji_fault(&self) -> bool {
        match self {
            KojiError::Fault { code, .. } => is_koji_fault_code(*code),
            _ => false,
        }
    }
}

/// See [`KojiError::is_koji_fault`]: true for 1001 and for codes outside 1000–1024.
pub fn is_koji_fault_code(code: i64) -> bool {
    code == codes::LOCK || !(codes::GENERIC..=codes::LAST_KNOWN).contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn koji_fault_classification_follows_the_original() {
        // koschei-tests.md §2.15
        assert!(!is_koji_fault_code(codes::GENERIC));
        assert!(!is_koji_fault_code(codes::BUILD));
        assert!(is_koji_fault_code(codes::LOCK));
        assert!(is_koji_fault_code(codes::UNEXPECTED));
        assert!(!is_koji_fault_code(codes::LAST_KNOWN));
        assert!(is_koji_fault_code(codes::LAST_KNOWN + 1));
        assert!(KojiError::fault("getTaskResult", 1, "Traceback").is_koji_fault());
        let transport =
            KojiError::Transport { url: "u".into(), message: "m".into(), timeout: false };
        assert!(!transport.is_koji_fault());
    }

    #[test]
    fn only_offline_faults_and_transient_transport_errors_are_retryable() {
        assert!(KojiError::fault("x", codes::SERVER_OFFLINE, "database outage").is_retryable());
        for code in [1, 1000, 1002, 1004, 1005, 1007, 1008, 1009, 1019] {
            assert!(!KojiError::fault("x", code, "no").is_retryable(), "{code}");
        }
        let http = |status| KojiError::Http { url: "u".into(), status, snippet: String::new() };
        assert!(http(503).is_retryable());
        assert!(http(502).is_retryable());
        assert!(!http(404).is_retryable());
        assert!(!http(400).is_retryable());
        assert!(
            KojiError::Transport { url: "u".into(), message: "m".into(), timeout: true }
                .is_retryable()
        );
        assert!(!KojiError::Auth { message: "m".into() }.is_retryable());
    }
}
