//! GSSAPI (Kerberos through SPNEGO) for Koji's `sslLogin` at `<hub>/ssllogin` with
//! `Authorization: Negotiate <token>` (koji-api.md §4.2), as the Python client's
//! `gssapi_login` does through requests-gssapi: the target is `HTTP@<hub host>`
//! (host-based service), mutual authentication is required (the hub's `200` answer must
//! carry `WWW-Authenticate: Negotiate <token>` proving the server's identity).
//!
//! The pure parts (header parsing, principal → user name, the classification of GSSAPI
//! and Kerberos status codes into [`GssapiFailure`]) are always compiled and tested from
//! values. The parts that call the system GSSAPI library (MIT krb5) need the `gssapi`
//! feature: [`Initiator`] for the client and [`Acceptor`] for the hub simulator.
//! Acquiring client credentials may talk to the KDC (blocking): callers run
//! [`Initiator::start`] on a blocking thread.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::error::GssapiFailure;

/// The default GSSAPI service of a Koji hub (`HTTP@<host>`).
pub const DEFAULT_SERVICE: &str = "HTTP";

/// `Negotiate <base64 token>`, the value of an `Authorization` or `WWW-Authenticate`
/// header.
pub fn negotiate_header(token: &[u8]) -> String {
    format!("Negotiate {}", BASE64.encode(token))
}

/// The token of a `Negotiate` header value: `Some(Ok(bytes))` for `Negotiate <base64>`,
/// `Some(Ok(empty))` for a bare `Negotiate` challenge, `Some(Err(_))` for bad base64,
/// `None` for another scheme. The scheme name is case-insensitive (RFC 7235).
pub fn parse_negotiate(value: &str) -> Option<Result<Vec<u8>, String>> {
    let value = value.trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("negotiate") {
        return None;
    }
    let rest = rest.trim();
    if rest.is_empty() {
        return Some(Ok(Vec::new()));
    }
    Some(BASE64.decode(rest).map_err(|e| format!("invalid Negotiate token: {e}")))
}

/// The Koji user name of a Kerberos principal, as a hub with the default principal
/// mapping sees it: the part before the realm (`user@REALM` → `user`,
/// `koschei/host@REALM` → `koschei/host`).
pub fn user_of_principal(principal: &str) -> &str {
    principal.rsplit_once('@').map_or(principal, |(name, _)| name)
}

/// Kerberos error codes (`krb5.h`, the com_err table of MIT krb5) that GSSAPI returns as
/// minor status; only the ones [`classify`] distinguishes.
pub mod krb5_codes {
    /// `KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN`: the KDC does not know the client principal.
    pub const C_PRINCIPAL_UNKNOWN: i32 = -1_765_328_378;
    /// `KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN`: the KDC does not know the service principal.
    pub const S_PRINCIPAL_UNKNOWN: i32 = -1_765_328_377;
    /// `KRB5_CC_NOTFOUND`: no matching credential in the cache.
    pub const CC_NOTFOUND: i32 = -1_765_328_243;
    /// `KRB5_NO_TKT_SUPPLIED`.
    pub const NO_TKT_SUPPLIED: i32 = -1_765_328_241;
    /// `KRB5_REALM_UNKNOWN`: no KDC is configured for the realm.
    pub const REALM_UNKNOWN: i32 = -1_765_328_230;
    /// `KRB5_KDC_UNREACH`: no KDC of the realm answered.
    pub const KDC_UNREACH: i32 = -1_765_328_228;
    /// `KRB5_KT_NOTFOUND`: the keytab has no key for the principal.
    pub const KT_NOTFOUND: i32 = -1_765_328_203;
    /// `KRB5_FCC_NOFILE`: the credentials cache file does not exist.
    pub const FCC_NOFILE: i32 = -1_765_328_189;
    /// `KRB5KRB_AP_ERR_TKT_EXPIRED`: the ticket has expired.
    pub const TKT_EXPIRED: i32 = -1_765_328_352;
}

/// GSSAPI routine errors (RFC 2744 §3.9.1), shifted into place.
mod gss_major {
    pub const ROUTINE_MASK: u32 = 0x00ff_0000;
    pub const NO_CRED: u32 = 7 << 16;
    pub const CREDENTIALS_EXPIRED: u32 = 11 << 16;
}

/// Sorts a failed GSSAPI call (major and minor status) into a [`GssapiFailure`].
pub fn classify(major: u32, minor: u32) -> GssapiFailure {
    use krb5_codes::*;
    // Minor codes are krb5 `krb5_error_code`s (i32) carried in an OM_uint32.
    match minor as i32 {
        KDC_UNREACH | REALM_UNKNOWN => return GssapiFailure::KdcUnreachable,
        S_PRINCIPAL_UNKNOWN => return GssapiFailure::UnknownService,
        FCC_NOFILE | CC_NOTFOUND | NO_TKT_SUPPLIED | KT_NOTFOUND | C_PRINCIPAL_UNKNOWN
        | TKT_EXPIRED => return GssapiFailure::NoCredentials,
        _ => {}
    }
    match major & gss_major::ROUTINE_MASK {
        gss_major::NO_CRED | gss_major::CREDENTIALS_EXPIRED => GssapiFailure::NoCredentials,
        _ => GssapiFailure::Other,
    }
}

#[cfg(feature = "gssapi")]
pub use imp::{Accepted, Acceptor, Initiator, InitiatorOptions};

#[cfg(feature = "gssapi")]
mod imp {
    use std::ffi::{CString, c_void};
    use std::path::{Path, PathBuf};
    use std::ptr;

    use libgssapi::context::{ClientCtx, CtxFlags, SecurityContext, ServerCtx};
    use libgssapi::credential::{Cred, CredUsage};
    use libgssapi::error::{Error as GssError, MajorFlags};
    use libgssapi::name::Name;
    use libgssapi::oid::{GSS_MECH_KRB5, GSS_MECH_SPNEGO, GSS_NT_HOSTBASED_SERVICE};
    use libgssapi_sys as sys;

    use super::{GssapiFailure, classify};
    use crate::koji::error::KojiError;

    /// `GSS_KRB5_NT_PRINCIPAL_NAME` (1.2.840.113554.1.2.2.1): a Kerberos principal name.
    const KRB5_NT_PRINCIPAL_NAME: &[u8] = b"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x01";

    /// GSSAPI's message for `e` (its status texts can end in NUL bytes).
    fn text(e: &GssError) -> String {
        e.to_string().replace(|c: char| c.is_control(), " ").trim().to_string()
    }

    fn gss_failure(what: &str, e: &GssError) -> KojiError {
        KojiError::Gssapi {
            failure: classify(e.major.bits(), e.minor),
            message: format!(
                "{what}: {} (GSSAPI major {:#x}, minor {})",
                text(e),
                e.major.bits(),
                e.minor as i32
            ),
        }
    }

    fn other(message: String) -> KojiError {
        KojiError::Gssapi { failure: GssapiFailure::Other, message }
    }

    fn c_string(what: &str, s: &str) -> Result<CString, KojiError> {
        CString::new(s).map_err(|_| other(format!("{what} contains a NUL byte")))
    }

    /// `gss_acquire_cred_from` (MIT krb5 ≥ 1.11): credentials for `principal` (or the
    /// default one) from an explicit credential store (`client_keytab`, `ccache`,
    /// `keytab`), without touching the process environment.
    fn acquire_from(
        principal: Option<&str>,
        usage: CredUsage,
        store: &[(&'static str, CString)],
    ) -> Result<Cred, GssError> {
        let mut minor: sys::OM_uint32 = 0;
        let mut name: sys::gss_name_t = ptr::null_mut();
        if let Some(p) = principal {
            let mut buf =
                sys::gss_buffer_desc { length: p.len(), value: p.as_ptr() as *mut c_void };
            let mut oid = sys::gss_OID_desc {
                length: KRB5_NT_PRINCIPAL_NAME.len() as sys::OM_uint32,
                elements: KRB5_NT_PRINCIPAL_NAME.as_ptr() as *mut c_void,
            };
            // SAFETY: buf and oid point to live memory for the call; gss_import_name
            // copies what it keeps and writes a new name (released below).
            let major = unsafe { sys::gss_import_name(&mut minor, &mut buf, &mut oid, &mut name) };
            if major & 0xffff_0000 != 0 {
                return Err(GssError { major: MajorFlags::from_bits_retain(major), minor });
            }
        }
        let keys: Vec<CString> =
            store.iter().map(|(k, _)| CString::new(*k).unwrap_or_default()).collect();
        let mut elements: Vec<sys::gss_key_value_element_desc> = store
            .iter()
            .zip(&keys)
            .map(|((_, v), k)| sys::gss_key_value_element_desc {
                key: k.as_ptr(),
                value: v.as_ptr(),
            })
            .collect();
        let set = sys::gss_key_value_set_desc {
            count: elements.len() as sys::OM_uint32,
            elements: elements.as_mut_ptr(),
        };
        let usage = match usage {
            CredUsage::Accept => sys::GSS_C_ACCEPT,
            CredUsage::Initiate => sys::GSS_C_INITIATE,
            CredUsage::Both => sys::GSS_C_BOTH,
        };
        let mut cred: sys::gss_cred_id_t = ptr::null_mut();
        // SAFETY: every pointer is valid for the call (the store's strings outlive it);
        // on success the library hands us a credential we own.
        let major = unsafe {
            sys::gss_acquire_cred_from(
                &mut minor,
                name,
                sys::_GSS_C_INDEFINITE,
                ptr::null_mut(),
                usage as sys::gss_cred_usage_t,
                &set,
                &mut cred,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        if !name.is_null() {
            let mut ignored: sys::OM_uint32 = 0;
            // SAFETY: `name` came from gss_import_name and is released once.
            unsafe { sys::gss_release_name(&mut ignored, &mut name) };
        }
        if major & 0xffff_0000 != 0 {
            return Err(GssError { major: MajorFlags::from_bits_retain(major), minor });
        }
        // SAFETY: a fresh credential that nothing else owns.
        Ok(unsafe { Cred::from_c(cred) })
    }

    /// Where the client's Kerberos credentials come from (`koji.auth`).
    #[derive(Debug, Clone, Default)]
    pub struct InitiatorOptions {
        /// Principal to log in as; the cache's (or keytab's) default when `None`.
        pub principal: Option<String>,
        /// Client keytab to get initial tickets from.
        pub keytab: Option<PathBuf>,
        /// Credentials cache name (`FILE:…`, `MEMORY:…`, `DIR:…`).
        pub ccache: Option<String>,
        /// GSSAPI service of the hub (`HTTP`).
        pub service: String,
    }

    /// The client side of one Negotiate exchange.
    pub struct Initiator {
        ctx: ClientCtx,
    }

    impl std::fmt::Debug for Initiator {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Initiator").finish_non_exhaustive()
        }
    }

    impl Initiator {
        /// Acquires credentials and makes the first token for `<service>@<host>`.
        /// Blocking: may contact the KDC (for a ticket from the keytab and for the
        /// service ticket).
        pub fn start(
            opts: &InitiatorOptions,
            host: &str,
        ) -> Result<(Initiator, Vec<u8>), KojiError> {
            let cred = if opts.principal.is_some() || opts.keytab.is_some() || opts.ccache.is_some()
            {
                let mut store = Vec::new();
                if let Some(keytab) = &opts.keytab {
                    let path =
                        keytab.to_str().ok_or_else(|| other("keytab path is not UTF-8".into()))?;
                    store.push(("client_keytab", c_string("keytab path", path)?));
                }
                if let Some(ccache) = &opts.ccache {
                    store.push(("ccache", c_string("ccache", ccache)?));
                }
                let cred = acquire_from(opts.principal.as_deref(), CredUsage::Initiate, &store)
                    .map_err(|e| gss_failure("acquiring Kerberos credentials", &e))?;
                Some(cred)
            } else {
                None
            };
            let target = format!("{}@{host}", opts.service);
            let name = Name::new(target.as_bytes(), Some(GSS_NT_HOSTBASED_SERVICE))
                .map_err(|e| gss_failure(&format!("service name {target}"), &e))?;
            let flags = CtxFlags::GSS_C_MUTUAL_FLAG | CtxFlags::GSS_C_SEQUENCE_FLAG;
            let probe_name = name.duplicate();
            let mut ctx = ClientCtx::new(cred.clone(), name, flags, Some(GSS_MECH_SPNEGO));
            let token = match ctx.step(None, None) {
                Ok(token) => {
                    token.ok_or_else(|| other("GSSAPI produced no initial token".into()))?
                }
                Err(e) => {
                    // SPNEGO hands on Kerberos' minor status renumbered by the mechanism
                    // glue, so [`classify`] cannot read it; the same step with the
                    // Kerberos mechanism itself reports the real code.
                    let probed = probe_name.ok().and_then(|n| {
                        ClientCtx::new(cred, n, flags, Some(GSS_MECH_KRB5)).step(None, None).err()
                    });
                    return Err(gss_failure(
                        &format!("initiating a context with {target}"),
                        &probed.unwrap_or(e),
                    ));
                }
            };
            Ok((Initiator { ctx }, token.to_vec()))
        }

        /// Checks the hub's answer token (mutual authentication): the context must be
        /// complete afterwards.
        pub fn finish(mut self, server_token: Option<&[u8]>) -> Result<(), KojiError> {
            let Some(token) = server_token.filter(|t| !t.is_empty()) else {
                return Err(KojiError::Gssapi {
                    failure: GssapiFailure::MutualAuth,
                    message: "the hub's answer carries no Negotiate token".into(),
                });
            };
            let mutual =
                |message: String| KojiError::Gssapi { failure: GssapiFailure::MutualAuth, message };
            match self.ctx.step(Some(token), None) {
                Ok(None) if self.ctx.is_complete() => Ok(()),
                Ok(_) => {
                    Err(mutual("the GSSAPI context is not complete after the hub's token".into()))
                }
                Err(e) => Err(mutual(format!("verifying the hub's token: {}", text(&e)))),
            }
        }
    }

    /// The server side: verifies Negotiate tokens with a service keytab.
    #[derive(Debug)]
    pub struct Acceptor {
        cred: Option<Cred>,
    }

    /// A verified client.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Accepted {
        /// The client's principal (`user@REALM`).
        pub principal: String,
        /// The token for the client (mutual authentication), if any.
        pub reply: Option<Vec<u8>>,
    }

    impl Acceptor {
        /// An acceptor for any service principal of `keytab` (the library's default
        /// keytab, `KRB5_KTNAME`, when `None`). Fails when the keytab has no usable key.
        pub fn new(keytab: Option<&Path>) -> Result<Acceptor, KojiError> {
            let cred = match keytab {
                Some(path) => {
                    let path =
                        path.to_str().ok_or_else(|| other("keytab path is not UTF-8".into()))?;
                    let store = [("keytab", c_string("keytab path", path)?)];
                    Some(
                        acquire_from(None, CredUsage::Accept, &store)
                            .map_err(|e| gss_failure("acquiring acceptor credentials", &e))?,
                    )
                }
                None => None,
            };
            Ok(Acceptor { cred })
        }

        /// Verifies one client token (a one-round-trip Kerberos exchange, as HTTP
        /// Negotiate needs). Errors are GSSAPI's message.
        pub fn accept(&self, token: &[u8]) -> Result<Accepted, String> {
            let mut ctx = ServerCtx::new(self.cred.clone());
            let reply = ctx.step(token, None).map_err(|e| text(&e))?;
            if !ctx.is_complete() {
                return Err("the client's token needs more than one round trip".into());
            }
            let name = ctx.source_name().map_err(|e| text(&e))?;
            Ok(Accepted { principal: name.to_string(), reply: reply.map(|t| t.to_vec()) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiate_headers_round_trip_and_other_schemes_are_ignored() {
        let h = negotiate_header(b"\x60\x82token");
        assert_eq!(h, "Negotiate YIJ0b2tlbg==");
        assert_eq!(parse_negotiate(&h), Some(Ok(b"\x60\x82token".to_vec())));
        assert_eq!(
            parse_negotiate("negotiate  YIJ0b2tlbg== "),
            Some(Ok(b"\x60\x82token".to_vec()))
        );
        assert_eq!(parse_negotiate("Negotiate"), Some(Ok(Vec::new())));
        assert!(matches!(parse_negotiate("Negotiate !!"), Some(Err(_))));
        assert_eq!(parse_negotiate("Basic dXNlcjpwdw=="), None);
        assert_eq!(parse_negotiate("NegotiateX abc"), None);
    }

    #[test]
    fn principals_map_to_their_name_part() {
        assert_eq!(user_of_principal("koschei@TEST.KOSCHEI"), "koschei");
        assert_eq!(user_of_principal("koschei/build.example@EXAMPLE.ORG"), "koschei/build.example");
        assert_eq!(user_of_principal("plain"), "plain");
    }

    #[test]
    fn gssapi_status_codes_are_classified() {
        use krb5_codes::*;
        let failure = 13 << 16; // GSS_S_FAILURE
        assert_eq!(classify(failure, KDC_UNREACH as u32), GssapiFailure::KdcUnreachable);
        assert_eq!(classify(failure, REALM_UNKNOWN as u32), GssapiFailure::KdcUnreachable);
        assert_eq!(classify(failure, S_PRINCIPAL_UNKNOWN as u32), GssapiFailure::UnknownService);
        assert_eq!(classify(failure, FCC_NOFILE as u32), GssapiFailure::NoCredentials);
        assert_eq!(classify(failure, KT_NOTFOUND as u32), GssapiFailure::NoCredentials);
        assert_eq!(classify(7 << 16, 0), GssapiFailure::NoCredentials);
        assert_eq!(classify(11 << 16, 0), GssapiFailure::NoCredentials);
        assert_eq!(classify(failure, 0), GssapiFailure::Other);
        assert_eq!(classify(9 << 16, 12345), GssapiFailure::Other);
    }
}
