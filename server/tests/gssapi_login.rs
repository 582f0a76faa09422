//! GSSAPI (Kerberos) login against a real MIT KDC: a throwaway realm `TEST.KOSCHEI` in a
//! temporary directory (kdb5_util, kadmin.local, `krb5kdc -n` on a free loopback port,
//! run unprivileged in the foreground), the hub simulator in-process verifying Negotiate
//! tokens with a keytab for `HTTP/localhost`, and our client (`KojiSession`) logging in
//! with `login_method = gssapi`.
//!
//! Compiled only with the `gssapi` feature. The Kerberos library reads `KRB5_CONFIG` and
//! friends from the environment, so they are set once, before any GSSAPI call, by the
//! first test that needs the KDC; that is why these tests have their own test binary.
//! When the KDC programs are missing the tests print a skip note, or fail if
//! `KOSCHEI_TEST_REQUIRE_KDC=1` (scripts/test.sh sets it).
#![cfg(feature = "gssapi")]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use koschei::config::{KojiAuth, KojiConfig, LoginMethod};
use koschei::koji::error::{GssapiFailure, KojiError};
use koschei::koji::session::KojiSession;
use koschei::koji::transport::RetryPolicy;
use koschei::koji::xmlrpc::{Call, Value};
use koschei::kojisim::{KojiSim, http};

const REALM: &str = "TEST.KOSCHEI";
/// A realm whose KDC never runs (for "KDC unreachable").
const DEAD_REALM: &str = "DEAD.KOSCHEI";

/// The running test realm. It lives in a static (never dropped), so a small shell
/// watchdog stops the KDC and removes the directory once this test process is gone.
struct Kdc {
    dir: PathBuf,
}

impl Kdc {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// `krb5kdc -n` under a watchdog that kills it and deletes `dir` when the process `pid`
/// (this test binary) has exited, or ends when the KDC dies.
/// Arguments: pid, dir, krb5kdc path, realm.
const WATCHDOG: &str = r#"
"$3" -n -r "$4" &
kdc=$!
while kill -0 "$1" 2>/dev/null && kill -0 "$kdc" 2>/dev/null; do sleep 0.2; done
kill "$kdc" 2>/dev/null
wait "$kdc"
rm -rf "$2"
"#;

/// The directories the KDC tools live in (Debian puts them in /usr/sbin).
fn find_tool(name: &str) -> Option<PathBuf> {
    ["/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.exists())
}

#[expect(clippy::disallowed_methods, reason = "a test switch, not configuration")]
fn kdc_required() -> bool {
    std::env::var("KOSCHEI_TEST_REQUIRE_KDC").as_deref() == Ok("1")
}

/// The shared realm, set up by the first caller; `None` (after a printed note) when the
/// KDC programs are missing and not required.
fn kdc() -> Option<&'static Kdc> {
    static KDC: OnceLock<Option<Kdc>> = OnceLock::new();
    KDC.get_or_init(|| {
        let tools = ["krb5kdc", "kdb5_util", "kadmin.local"];
        let missing: Vec<&str> = tools.iter().copied().filter(|t| find_tool(t).is_none()).collect();
        if !missing.is_empty() {
            assert!(
                !kdc_required(),
                "KDC programs missing ({}): apt-get install krb5-kdc krb5-admin-server",
                missing.join(", ")
            );
            eprintln!("skipping GSSAPI tests: {} not installed", missing.join(", "));
            return None;
        }
        Some(start_kdc())
    })
    .as_ref()
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn run(kdc_dir: &Path, tool: &str, args: &[&str]) {
    let out = Command::new(find_tool(tool).expect("tool"))
        .args(args)
        .env("KRB5_CONFIG", kdc_dir.join("krb5.conf"))
        .env("KRB5_KDC_PROFILE", kdc_dir.join("kdc.conf"))
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn start_kdc() -> Kdc {
    let dir = tempfile::tempdir().expect("tempdir").keep();
    let d = dir.as_path();
    let port = free_port();
    let dead_port = free_port();
    let p = |name: &str| d.join(name).display().to_string();
    std::fs::write(
        d.join("krb5.conf"),
        format!(
            "[libdefaults]\n default_realm = {REALM}\n dns_lookup_kdc = false\n \
             dns_lookup_realm = false\n dns_canonicalize_hostname = false\n rdns = false\n \
             udp_preference_limit = 1\n default_ccache_name = FILE:{ccache}\n \
             default_keytab_name = FILE:{keytab}\n default_client_keytab_name = FILE:{ckeytab}\n\
             [realms]\n {REALM} = {{\n  kdc = 127.0.0.1:{port}\n }}\n \
             {DEAD_REALM} = {{\n  kdc = 127.0.0.1:{dead_port}\n }}\n\
             [domain_realm]\n localhost = {REALM}\n",
            ccache = p("default.ccache"),
            keytab = p("default.keytab"),
            ckeytab = p("default-client.keytab"),
        ),
    )
    .expect("krb5.conf");
    let realm_section = |realm: &str, db: &str| {
        format!(
            " {realm} = {{\n  database_name = {db}\n  key_stash_file = {db}.stash\n  \
             acl_file = {acl}\n  kdc_listen = 127.0.0.1:{port}\n  kdc_tcp_listen = 127.0.0.1:{port}\n  \
             max_life = 1h\n  supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal\n }}\n",
            db = p(db),
            acl = p("kadm5.acl"),
        )
    };
    std::fs::write(d.join("kadm5.acl"), "").expect("acl");
    std::fs::write(
        d.join("kdc.conf"),
        format!(
            "[kdcdefaults]\n kdc_listen = 127.0.0.1:{port}\n kdc_tcp_listen = 127.0.0.1:{port}\n\
             [realms]\n{}{}[logging]\n kdc = FILE:{}\n",
            realm_section(REALM, "principal"),
            realm_section(DEAD_REALM, "dead-principal"),
            p("kdc.log"),
        ),
    )
    .expect("kdc.conf");
    for realm in [REALM, DEAD_REALM] {
        run(d, "kdb5_util", &["-r", realm, "create", "-s", "-P", "master-pw"]);
    }
    let kadmin = |realm: &str, query: &str| run(d, "kadmin.local", &["-r", realm, "-q", query]);
    for princ in ["alice", "bob", "HTTP/localhost", "other/localhost"] {
        kadmin(REALM, &format!("addprinc -randkey {princ}"));
    }
    kadmin(REALM, &format!("ktadd -k {} HTTP/localhost", p("http.keytab")));
    kadmin(REALM, &format!("ktadd -k {} alice", p("alice.keytab")));
    kadmin(REALM, &format!("ktadd -k {} bob", p("bob.keytab")));
    kadmin(DEAD_REALM, "addprinc -randkey carol");
    kadmin(DEAD_REALM, &format!("ktadd -k {} carol", p("carol.keytab")));

    // The Kerberos library in this process must see the same configuration. No GSSAPI
    // call has happened yet: every test calls `kdc()` first.
    // SAFETY: set before any thread of this process uses the Kerberos library.
    unsafe {
        std::env::set_var("KRB5_CONFIG", d.join("krb5.conf"));
        std::env::set_var("KRB5_KDC_PROFILE", d.join("kdc.conf"));
        std::env::set_var("KRB5CCNAME", format!("FILE:{}", p("default.ccache")));
        std::env::set_var("KRB5_KTNAME", format!("FILE:{}", p("default.keytab")));
        std::env::set_var("KRB5_CLIENT_KTNAME", format!("FILE:{}", p("default-client.keytab")));
        std::env::set_var("KRB5RCACHEDIR", d);
    }

    #[expect(
        clippy::zombie_processes,
        reason = "the watchdog shell outlives the test process by design: it stops the KDC \
                  and removes the realm once this process exits"
    )]
    let mut child = Command::new("sh")
        .args(["-c", WATCHDOG, "sh", &std::process::id().to_string()])
        .arg(d)
        .arg(find_tool("krb5kdc").expect("krb5kdc"))
        .arg(REALM)
        .env("KRB5_CONFIG", d.join("krb5.conf"))
        .env("KRB5_KDC_PROFILE", d.join("kdc.conf"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start krb5kdc");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            let log = std::fs::read_to_string(d.join("kdc.log")).unwrap_or_default();
            panic!("krb5kdc exited ({status}): {log}");
        }
        assert!(Instant::now() < deadline, "krb5kdc did not listen on port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    Kdc { dir }
}

/// The simulator (built-in scenario) accepting GSSAPI with the `HTTP/localhost` keytab,
/// on a free loopback port.
async fn serve_sim(kdc: &Kdc) -> SocketAddr {
    let sim = KojiSim::builtin()
        .expect("builtin scenario")
        .with_gssapi_keytab(Some(&kdc.path("http.keytab")))
        .expect("acceptor credentials from the keytab");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(http::serve(listener, sim));
    addr
}

/// A GSSAPI client configuration for the simulator; the hub URL names `localhost`, so
/// the target is `HTTP@localhost`.
fn config(addr: SocketAddr, auth: KojiAuth) -> KojiConfig {
    KojiConfig {
        server: format!("http://localhost:{}/kojihub", addr.port()),
        topurl: format!("http://localhost:{}/kojifiles", addr.port()),
        login_method: LoginMethod::Gssapi,
        auth,
        call_timeout: Duration::from_secs(20),
        ..KojiConfig::default()
    }
}

fn session(cfg: &KojiConfig) -> KojiSession {
    KojiSession::new(cfg).expect("session").with_retry_policy(RetryPolicy::NONE)
}

async fn logged_in_user(koji: &KojiSession) -> Result<Value, KojiError> {
    koji.call(Call::new("getLoggedInUser", Vec::new())).await
}

fn gssapi_failure(result: Result<(), KojiError>) -> (GssapiFailure, String) {
    match result {
        Err(KojiError::Gssapi { failure, message }) => {
            eprintln!("expected failure ({failure}): {message}");
            (failure, message)
        }
        other => panic!("expected a GSSAPI error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keytab_login_gets_a_session_for_the_principals_user() {
    let Some(kdc) = kdc() else { return };
    let addr = serve_sim(kdc).await;
    let auth = KojiAuth {
        principal: Some(format!("alice@{REALM}")),
        keytab: Some(kdc.path("alice.keytab")),
        ccache: Some("MEMORY:alice".into()),
        ..KojiAuth::default()
    };
    let koji = session(&config(addr, auth));
    koji.login().await.expect("GSSAPI login");
    let user = logged_in_user(&koji).await.expect("getLoggedInUser");
    assert_eq!(user.field::<String>("name").expect("name"), "alice", "{user:?}");
    assert_eq!(
        user.field::<Option<String>>("krb_principal").expect("krb_principal").as_deref(),
        Some("alice@TEST.KOSCHEI")
    );
    assert_eq!(user.field::<i64>("authtype").expect("authtype"), 3, "GSSAPI authtype");
    // The session works for later calls too (same session, increasing call numbers).
    let again = logged_in_user(&koji).await.expect("second call");
    assert_eq!(again.field::<String>("name").expect("name"), "alice");
    // An anonymous client sees nobody: the identity came from the Kerberos login.
    let anon = KojiSession::new(&KojiConfig {
        login_method: LoginMethod::Anonymous,
        ..config(addr, KojiAuth::default())
    })
    .expect("anonymous");
    assert!(logged_in_user(&anon).await.expect("anonymous call").is_nil());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_cache_alone_is_enough_once_it_holds_a_ticket() {
    let Some(kdc) = kdc() else { return };
    let addr = serve_sim(kdc).await;
    let ccache = format!("FILE:{}", kdc.path("bob.ccache").display());
    let only_cache = KojiAuth { ccache: Some(ccache.clone()), ..KojiAuth::default() };
    // Empty cache, no keytab: no credentials.
    let (failure, message) =
        gssapi_failure(session(&config(addr, only_cache.clone())).login().await);
    assert_eq!(failure, GssapiFailure::NoCredentials, "{message}");
    // A keytab login stores bob's tickets in that cache ...
    let with_keytab = KojiAuth {
        principal: Some(format!("bob@{REALM}")),
        keytab: Some(kdc.path("bob.keytab")),
        ccache: Some(ccache),
        ..KojiAuth::default()
    };
    session(&config(addr, with_keytab)).login().await.expect("keytab login");
    // ... which then suffice without the keytab (as after `kinit`).
    let koji = session(&config(addr, only_cache));
    let user = logged_in_user(&koji).await.expect("login from the cache");
    assert_eq!(user.field::<String>("name").expect("name"), "bob");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_credentials_is_a_typed_error() {
    let Some(kdc) = kdc() else { return };
    let addr = serve_sim(kdc).await;
    // The default cache (KRB5CCNAME) is empty and there is no client keytab.
    let (failure, message) =
        gssapi_failure(session(&config(addr, KojiAuth::default())).login().await);
    assert_eq!(failure, GssapiFailure::NoCredentials, "{message}");
    // A keytab without the requested principal's key.
    let auth = KojiAuth {
        principal: Some(format!("bob@{REALM}")),
        keytab: Some(kdc.path("alice.keytab")),
        ccache: Some("MEMORY:nobody".into()),
        ..KojiAuth::default()
    };
    let (failure, message) = gssapi_failure(session(&config(addr, auth)).login().await);
    assert_eq!(failure, GssapiFailure::NoCredentials, "{message}");
}

fn alice(kdc: &Kdc, ccache: &str, service: Option<&str>) -> KojiAuth {
    KojiAuth {
        principal: Some(format!("alice@{REALM}")),
        keytab: Some(kdc.path("alice.keytab")),
        ccache: Some(ccache.into()),
        service: service.map(str::to_string),
        ..KojiAuth::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_service_principal_fails() {
    let Some(kdc) = kdc() else { return };
    let addr = serve_sim(kdc).await;
    // The KDC has no `nosuch/localhost`.
    let cfg = config(addr, alice(kdc, "MEMORY:wrong1", Some("nosuch")));
    let (failure, message) = gssapi_failure(session(&cfg).login().await);
    assert_eq!(failure, GssapiFailure::UnknownService, "{message}");
    // `other/localhost` exists, but the hub's keytab has no key for it: HTTP 401.
    let cfg = config(addr, alice(kdc, "MEMORY:wrong2", Some("other")));
    let (failure, message) = gssapi_failure(session(&cfg).login().await);
    assert_eq!(failure, GssapiFailure::Rejected, "{message}");
    assert!(message.contains("401"), "{message}");
    // The same client with the right service logs in.
    let cfg = config(addr, alice(kdc, "MEMORY:wrong3", None));
    session(&cfg).login().await.expect("login with HTTP/localhost");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_kdc_is_a_typed_error() {
    let Some(kdc) = kdc() else { return };
    let addr = serve_sim(kdc).await;
    // carol's realm has a KDC address where nothing listens.
    let auth = KojiAuth {
        principal: Some(format!("carol@{DEAD_REALM}")),
        keytab: Some(kdc.path("carol.keytab")),
        ccache: Some("MEMORY:carol".into()),
        ..KojiAuth::default()
    };
    let (failure, message) = gssapi_failure(session(&config(addr, auth)).login().await);
    assert_eq!(failure, GssapiFailure::KdcUnreachable, "{message}");
}

/// Serves the GSSAPI-enabled simulator with `rewrite` applied to the answer's
/// `WWW-Authenticate` header (a hub that cannot prove who it is).
async fn serve_tampered(kdc: &Kdc, rewrite: fn(&mut axum::http::HeaderMap)) -> SocketAddr {
    let sim = KojiSim::builtin()
        .expect("builtin scenario")
        .with_gssapi_keytab(Some(&kdc.path("http.keytab")))
        .expect("acceptor");
    let router = sim.router().layer(axum::middleware::map_response(
        move |mut resp: axum::response::Response| async move {
            rewrite(resp.headers_mut());
            resp
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_must_prove_its_identity() {
    let Some(kdc) = kdc() else { return };
    // No mutual-authentication token in the answer.
    let addr = serve_tampered(kdc, |h| {
        h.remove(axum::http::header::WWW_AUTHENTICATE);
    })
    .await;
    let cfg = config(addr, alice(kdc, "MEMORY:mutual1", None));
    let (failure, message) = gssapi_failure(session(&cfg).login().await);
    assert_eq!(failure, GssapiFailure::MutualAuth, "{message}");
    // A token that is not the answer to ours.
    let addr = serve_tampered(kdc, |h| {
        h.insert(
            axum::http::header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Negotiate oRQwEqADCgEAoQsGCSqGSIb3EgECAg=="),
        );
    })
    .await;
    let cfg = config(addr, alice(kdc, "MEMORY:mutual2", None));
    let (failure, message) = gssapi_failure(session(&cfg).login().await);
    assert_eq!(failure, GssapiFailure::MutualAuth, "{message}");
}
