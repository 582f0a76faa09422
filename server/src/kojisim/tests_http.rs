//! HTTP tests of the simulator on 127.0.0.1:0, with requests built by the codec and a
//! minimal HTTP/1.1 client (no Koji client involved): sessions, result shapes, faults,
//! multicall, files under topurl and rpm-md accepted by libsolv's `rpmmd2solv`.

use std::io::Read as _;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::koji::xmlrpc::{
    Call, Fault, Value, decode_multicall_result, decode_response, encode_call, kwargs_struct,
    multicall_params,
};

use super::KojiSim;
use super::repogen::sha256_hex;

struct Server {
    addr: std::net::SocketAddr,
    sim: KojiSim,
}

async fn start() -> Server {
    let sim = KojiSim::builtin().expect("builtin");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(super::http::serve(listener, sim.clone()));
    Server { addr, sim }
}

/// Raw HTTP/1.1 exchange: (status, headers text, body).
async fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).await.expect("write");
    stream.write_all(body).await.expect("write body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status");
    (status, head, raw[split + 4..].to_vec())
}

#[derive(Default, Clone)]
struct Session {
    id: Option<String>,
    key: Option<String>,
    callnum: i64,
}

impl Server {
    async fn call_with(
        &self,
        s: &mut Session,
        method: &str,
        params: Vec<Value>,
    ) -> Result<Value, Fault> {
        let mut headers = vec![("Content-Type", "text/xml".to_string())];
        if let (Some(id), Some(key)) = (&s.id, &s.key) {
            headers.push(("Koji-Session-Id", id.clone()));
            headers.push(("Koji-Session-Key", key.clone()));
            headers.push(("Koji-Session-Callnum", s.callnum.to_string()));
            s.callnum += 1;
        }
        let (status, head, body) =
            http(self.addr, "POST", "/kojihub", &headers, encode_call(method, &params).as_bytes())
                .await;
        assert_eq!(status, 200, "{head}");
        assert!(head.to_ascii_lowercase().contains("koji-version: 1.35.3"), "{head}");
        decode_response(&body).expect("valid response")
    }

    async fn call(&self, method: &str, params: Vec<Value>) -> Result<Value, Fault> {
        self.call_with(&mut Session::default(), method, params).await
    }

    async fn login(&self, user: &str) -> Session {
        let v = self.call("login", vec![user.into(), user.into()]).await.expect("login");
        assert_eq!(v.get("header-auth"), Some(&Value::Bool(true)));
        let key = v.get("session-key").and_then(Value::as_str).expect("key").to_string();
        assert!(key.starts_with(&format!(
            "{}-",
            self.sim.with_hub(|h| h.state.user_named(user).map(|u| u.id).unwrap_or(0))
        )));
        Session {
            id: Some(v.get("session-id").and_then(Value::as_i64).expect("id").to_string()),
            key: Some(key),
            callnum: 0,
        }
    }
}

fn keys(v: &Value) -> Vec<String> {
    v.as_struct().map(|m| m.keys().cloned().collect()).unwrap_or_default()
}

fn has_keys(v: &Value, want: &[&str]) {
    let k = keys(v);
    for w in want {
        assert!(k.iter().any(|x| x == w), "missing {w} in {k:?}");
    }
}

/// The decompressed primary.xml of a repo, found through repomd.xml.
pub fn primary_of(sim: &KojiSim, tag: &str, repo: i64, arch: &str) -> String {
    let base = format!("repos/{tag}/{repo}/{arch}");
    let repomd =
        String::from_utf8(sim.file(&format!("{base}/repodata/repomd.xml")).expect("repomd"))
            .expect("utf8");
    let href = repomd.split("href=\"").nth(1).and_then(|s| s.split('"').next()).expect("href");
    assert!(href.ends_with("-primary.xml.gz"), "{href}");
    let gz = sim.file(&format!("{base}/{href}")).expect("primary");
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz.as_slice()).read_to_string(&mut text).expect("gunzip");
    text
}

#[tokio::test]
async fn transport_errors_and_faults() {
    let srv = start().await;
    assert_eq!(srv.call("getAPIVersion", vec![]).await, Ok(Value::Int(1)));
    assert_eq!(srv.call("getKojiVersion", vec![]).await, Ok(Value::from("1.35.3")));
    let (status, head, _) = http(srv.addr, "GET", "/kojihub", &[], b"").await;
    assert_eq!(status, 405);
    assert!(head.to_ascii_lowercase().contains("allow: post"));
    for garbage in [&b""[..], b"not xml", b"<methodCall><methodName>x</methodName><params><param><value><int>zz</int></value></param></params></methodCall>"] {
        let (status, _, body) = http(srv.addr, "POST", "/kojihub", &[], garbage).await;
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
        assert!(String::from_utf8_lossy(&body).starts_with("Invalid request"));
    }
    let f = srv.call("noSuchMethod", vec![]).await.expect_err("fault");
    assert_eq!((f.code, f.string.as_str()), (1000, "Invalid method: noSuchMethod"));
    let f = srv
        .call("getTag", vec!["f99".into(), kwargs_struct([("bogus", 1)])])
        .await
        .expect_err("kwarg");
    assert_eq!(f.code, 1019);
    let f = srv.call("getAPIVersion", vec![Value::Int(1)]).await.expect_err("too many");
    assert_eq!(f.code, 1019);
    let f = srv.call("build", vec!["x".into(), "f99".into()]).await.expect_err("anon build");
    assert_eq!((f.code, f.string.as_str()), (1004, "you must be logged in for this operation"));
    for (method, msg) in [
        ("getBuildConfig", "No such tagInfo: 'nope'"),
        ("getRepo", "No such entry in table tag: nope"),
        ("listTagged", "No such tagInfo: 'nope'"),
        ("getTagGroups", "No such entry in table tag: nope"),
    ] {
        let f = srv.call(method, vec!["nope".into()]).await.expect_err(method);
        assert_eq!((f.code, f.string.as_str()), (1000, msg));
    }
    assert_eq!(srv.call("getTag", vec!["nope".into()]).await, Ok(Value::Nil));
    assert_eq!(srv.call("getTaskInfo", vec![Value::Int(999)]).await, Ok(Value::Nil));
    assert_eq!(srv.call("getTaskChildren", vec![Value::Int(999)]).await, Ok(Value::Array(vec![])));
    let f = srv.call("listHosts", vec![Value::Array(vec![])]).await.expect_err("empty arches");
    assert_eq!(f.string, "arches option cannot be empty");
    let f =
        srv.call("listRPMs", vec![kwargs_struct([("arches", 5)])]).await.expect_err("arches type");
    assert_eq!(f.string, "Invalid type for \"arches\" parameter: <class 'int'>");
    let f = srv.call("logout", vec![]).await.expect_err("not logged in");
    assert_eq!((f.code, f.string.as_str()), (1002, "Not logged in"));
}

#[tokio::test]
async fn sessions_login_logout_callnum() {
    let srv = start().await;
    let f = srv.call("login", vec!["kojiadmin".into(), "wrong".into()]).await.expect_err("bad pw");
    assert_eq!(f.code, 1002);
    let mut s = srv.login("koschei").await;
    let me = srv.call_with(&mut s, "getLoggedInUser", vec![]).await.expect("user");
    assert_eq!(me.get("name"), Some(&Value::from("koschei")));
    assert_eq!(srv.call("getLoggedInUser", vec![]).await, Ok(Value::Nil));
    let mut bad = Session { key: Some("1-wrong".into()), ..s.clone() };
    let f = srv.call_with(&mut bad, "getAPIVersion", vec![]).await.expect_err("bad key");
    assert_eq!((f.code, f.string.as_str()), (1002, "Invalid session or bad credentials"));
    let id = srv
        .call_with(
            &mut s,
            "build",
            vec![
                "foo-1.0-1.fc99.src.rpm".into(),
                "f99".into(),
                Value::structure([("scratch", true)]),
            ],
        )
        .await
        .expect("build");
    assert!(id.as_i64().is_some());
    s.callnum -= 1;
    let f =
        srv.call_with(&mut s, "build", vec!["x".into(), "f99".into()]).await.expect_err("retry");
    assert_eq!(f.code, 1009);
    s.callnum -= 5;
    let f = srv.call_with(&mut s, "getAPIVersion", vec![]).await.expect_err("sequence");
    assert_eq!(f.code, 1008);
    s.callnum += 10;
    assert_eq!(srv.call_with(&mut s, "logout", vec![]).await, Ok(Value::Nil));
    let f = srv.call_with(&mut s, "getAPIVersion", vec![]).await.expect_err("closed session");
    assert_eq!(f.code, 1002);
}

#[tokio::test]
async fn result_shapes() {
    let srv = start().await;
    let t = srv.call("getBuildTarget", vec!["f99".into()]).await.expect("target");
    has_keys(&t, &["id", "name", "build_tag", "build_tag_name", "dest_tag", "dest_tag_name"]);
    assert_eq!(t.get("build_tag_name"), Some(&Value::from("f99-build")));
    let tag = srv.call("getTag", vec!["f99-build".into()]).await.expect("tag");
    has_keys(
        &tag,
        &[
            "id",
            "name",
            "arches",
            "extra",
            "locked",
            "perm",
            "perm_id",
            "maven_support",
            "maven_include_all",
        ],
    );
    let cfg = srv.call("getBuildConfig", vec!["f99-build".into()]).await.expect("config");
    assert_eq!(cfg.get("arches"), Some(&Value::from("x86_64 aarch64")));
    assert_eq!(
        cfg.get("extra").and_then(|e| e.get("mock.package_manager")),
        Some(&Value::from("dnf"))
    );
    let tagged = srv
        .call(
            "listTagged",
            vec![
                "f99-build".into(),
                kwargs_struct([
                    ("latest", Value::Bool(true)),
                    ("inherit", Value::Bool(true)),
                    ("package", Value::from("rnv")),
                ]),
            ],
        )
        .await
        .expect("tagged");
    let list = tagged.as_array().expect("array");
    assert_eq!(list.len(), 1);
    has_keys(
        &list[0],
        &[
            "build_id",
            "id",
            "name",
            "package_name",
            "package_id",
            "version",
            "release",
            "epoch",
            "nvr",
            "state",
            "task_id",
            "owner_id",
            "owner_name",
            "tag_id",
            "tag_name",
            "create_event",
            "creation_event_id",
            "creation_time",
            "start_time",
            "completion_time",
            "volume_id",
            "volume_name",
            "draft",
        ],
    );
    assert_eq!(list[0].get("nvr"), Some(&Value::from("rnv-1.7.11-15.fc99")));
    assert_eq!(list[0].get("epoch"), Some(&Value::Nil));
    assert_eq!(list[0].get("tag_name"), Some(&Value::from("f99")));
    let latest = srv
        .call("getLatestBuilds", vec!["f99-build".into(), kwargs_struct([("package", "make")])])
        .await
        .expect("latest");
    assert_eq!(
        latest.as_array().and_then(|l| l.first()).and_then(|b| b.get("epoch")),
        Some(&Value::Int(1))
    );
    let build_id = list[0].get("build_id").cloned().expect("id");
    let rpms = srv
        .call(
            "listRPMs",
            vec![kwargs_struct([("buildID", build_id), ("arches", Value::from("src"))])],
        )
        .await
        .expect("rpms");
    let src = &rpms.as_array().expect("array")[0];
    has_keys(
        src,
        &[
            "id",
            "name",
            "version",
            "release",
            "epoch",
            "arch",
            "nvr",
            "payloadhash",
            "size",
            "buildtime",
            "build_id",
            "buildroot_id",
            "external_repo_id",
            "external_repo_name",
            "metadata_only",
            "extra",
            "draft",
        ],
    );
    let pkgs = srv
        .call(
            "listPackages",
            vec![kwargs_struct([
                ("tagID", Value::from("f99-updates-candidate")),
                ("inherited", Value::Bool(true)),
            ])],
        )
        .await
        .expect("pkgs");
    let pkgs = pkgs.as_array().expect("array");
    has_keys(
        &pkgs[0],
        &[
            "package_id",
            "package_name",
            "tag_id",
            "tag_name",
            "blocked",
            "extra_arches",
            "owner_id",
            "owner_name",
        ],
    );
    assert!(pkgs.iter().any(|p| p.get("package_name") == Some(&Value::from("retired-pkg"))
        && p.get("blocked") == Some(&Value::Bool(true))));
    let repo = srv
        .call("getRepo", vec!["f99-build".into(), kwargs_struct([("state", 1)])])
        .await
        .expect("repo");
    has_keys(
        &repo,
        &[
            "id",
            "tag_id",
            "tag_name",
            "state",
            "create_event",
            "create_ts",
            "creation_time",
            "creation_ts",
            "state_time",
            "state_ts",
            "begin_event",
            "end_event",
            "dist",
            "opts",
            "custom_opts",
            "task_id",
            "task_state",
        ],
    );
    assert!(matches!(repo.get("create_ts"), Some(Value::Double(_))));
    let info =
        srv.call("repoInfo", vec![repo.get("id").cloned().expect("id")]).await.expect("repoInfo");
    assert_eq!(info.get("tag_name"), Some(&Value::from("f99-build")));
    let groups = srv
        .call(
            "getTagGroups",
            vec![
                "f99-build".into(),
                kwargs_struct([("event", repo.get("create_event").cloned().expect("ev"))]),
            ],
        )
        .await
        .expect("groups");
    let build = groups
        .as_array()
        .expect("array")
        .iter()
        .find(|g| g.get("name") == Some(&Value::from("build")))
        .expect("build group");
    let first = &build.get("packagelist").and_then(Value::as_array).expect("pkgs")[0];
    has_keys(
        first,
        &["package", "type", "blocked", "basearchonly", "requires", "group_id", "tag_id"],
    );
    let chan = srv.call("getChannel", vec!["default".into()]).await.expect("channel");
    let hosts = srv
        .call(
            "listHosts",
            vec![
                Value::Array(vec!["x86_64".into(), "aarch64".into()]),
                chan.get("id").cloned().expect("id"),
                kwargs_struct([("enabled", true)]),
            ],
        )
        .await
        .expect("hosts");
    let hosts = hosts.as_array().expect("array");
    assert_eq!(hosts.len(), 2, "createrepo-only host is not in the default channel");
    has_keys(
        &hosts[0],
        &[
            "id",
            "user_id",
            "name",
            "arches",
            "capacity",
            "task_load",
            "ready",
            "enabled",
            "description",
            "comment",
            "update_ts",
        ],
    );
    let nvra = Value::structure([
        ("name", "foo"),
        ("version", "1.0"),
        ("release", "1.fc99"),
        ("arch", "src"),
    ]);
    let deps = srv.call("getRPMDeps", vec![nvra.clone(), Value::Int(0)]).await.expect("deps");
    let deps = deps.as_array().expect("array");
    assert!(deps.iter().any(|d| d.get("name") == Some(&Value::from("pkgconfig(zlib)"))
        && d.get("flags") == Some(&Value::Int(12))
        && d.get("version") == Some(&Value::from("1.2"))));
    assert!(deps.iter().any(|d| d.get("flags") == Some(&Value::Int(16_777_226))));
    let h = srv
        .call(
            "getRPMHeaders",
            vec![kwargs_struct([
                ("rpmID", nvra),
                ("headers", Value::from(vec!["BUILDARCHS", "EXCLUDEARCH", "EXCLUSIVEARCH"])),
            ])],
        )
        .await
        .expect("headers");
    assert_eq!(h.get("EXCLUSIVEARCH"), Some(&Value::Array(vec![])));
    let none =
        Value::structure([("name", "nope"), ("version", "1"), ("release", "1"), ("arch", "src")]);
    assert_eq!(
        srv.call("getRPMHeaders", vec![kwargs_struct([("rpmID", none)])]).await,
        Ok(Value::Struct(Default::default()))
    );
}

#[tokio::test]
async fn scratch_build_over_http_and_multicall() {
    let srv = start().await;
    let mut s = srv.login("koschei").await;
    let src = "../packages/foo/1.0/1.fc99/src/foo-1.0-1.fc99.src.rpm";
    let id = srv
        .call_with(
            &mut s,
            "build",
            vec![
                src.into(),
                "f99".into(),
                Value::structure([("scratch", true)]),
                kwargs_struct([("priority", 30)]),
            ],
        )
        .await
        .expect("build");
    srv.sim.advance(1000.0);
    let calls = vec![
        Call::new("getTaskInfo", vec![id.clone()]),
        Call::new("getTag", vec!["nope".into(), kwargs_struct([("strict", true)])]),
        Call::new("getTaskChildren", vec![id.clone(), kwargs_struct([("request", true)])]),
    ];
    let res =
        srv.call_with(&mut s, "multiCall", multicall_params(&calls)).await.expect("multicall");
    let items = decode_multicall_result(&res).expect("items");
    let info = items[0].clone().expect("info");
    assert_eq!(info.get("state"), Some(&Value::Int(2)));
    has_keys(
        &info,
        &[
            "id",
            "state",
            "method",
            "arch",
            "label",
            "parent",
            "owner",
            "host_id",
            "channel_id",
            "priority",
            "weight",
            "waiting",
            "awaited",
            "create_time",
            "create_ts",
            "start_time",
            "start_ts",
            "completion_time",
            "completion_ts",
        ],
    );
    let fault = items[1].clone().expect_err("middle fault");
    assert_eq!((fault.code, fault.string.as_str()), (1000, "No such tagInfo: 'nope'"));
    assert!(fault.extra.contains_key("traceback"));
    let kids = items[2].clone().expect("children");
    let kids = kids.as_array().expect("array");
    assert_eq!(kids.len(), 3);
    for k in kids {
        let req = k.get("request").and_then(Value::as_array).expect("request");
        let repo = match k.get("method").and_then(Value::as_str) {
            Some("buildArch") => req[4].get("repo_id"),
            Some("rebuildSRPM") => req[2].get("repo_id"),
            other => panic!("unexpected child {other:?}"),
        };
        assert!(matches!(repo, Some(Value::Int(_))), "{k:?}");
    }
    let res = srv
        .call("system.multicall", multicall_params(&[Call::new("getAPIVersion", vec![])]))
        .await
        .expect("alias");
    assert_eq!(decode_multicall_result(&res).expect("items")[0], Ok(Value::Int(1)));
    let arch = kids
        .iter()
        .find(|k| k.get("method") == Some(&Value::from("buildArch")))
        .and_then(|k| k.get("id"))
        .and_then(Value::as_i64)
        .expect("arch id");
    let (status, _, body) = http(
        srv.addr,
        "GET",
        &format!("/kojifiles/work/tasks/{}/{arch}/build.log", arch % 10000),
        &[],
        b"",
    )
    .await;
    assert_eq!(status, 200);
    assert!(!body.is_empty());
    assert_eq!(http(srv.addr, "GET", "/kojifiles/work/tasks/1/1/nope.log", &[], b"").await.0, 404);
}

#[tokio::test]
async fn repo_files_are_consistent_and_libsolv_reads_them() {
    let srv = start().await;
    let repo = srv.call("getRepo", vec!["f99-build".into()]).await.expect("repo");
    let id = repo.get("id").and_then(Value::as_i64).expect("id");
    let base = format!("/kojifiles/repos/f99-build/{id}/x86_64/repodata");
    let (status, _, repomd) = http(srv.addr, "GET", &format!("{base}/repomd.xml"), &[], b"").await;
    assert_eq!(status, 200);
    let repomd = String::from_utf8(repomd).expect("utf8");
    let (s2, _, latest) = http(
        srv.addr,
        "GET",
        "/kojifiles/repos/f99-build/latest/x86_64/repodata/repomd.xml",
        &[],
        b"",
    )
    .await;
    assert_eq!((s2, latest), (200, repomd.clone().into_bytes()));
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(dir.path().join("repodata")).expect("mkdir");
    std::fs::write(dir.path().join("repodata/repomd.xml"), &repomd).expect("write");
    for data in repomd.split("<data type=\"").skip(1) {
        let field = |tag: &str| {
            data.split(&format!("<{tag}"))
                .nth(1)
                .and_then(|s| s.split('>').nth(1))
                .and_then(|s| s.split('<').next())
                .unwrap_or_default()
                .to_string()
        };
        let href = data.split("href=\"").nth(1).and_then(|s| s.split('"').next()).expect("href");
        let (status, _, bytes) = http(
            srv.addr,
            "GET",
            &format!("/kojifiles/repos/f99-build/{id}/x86_64/{href}"),
            &[],
            b"",
        )
        .await;
        assert_eq!(status, 200, "{href}");
        assert_eq!(field("checksum"), sha256_hex(&bytes), "{href}");
        assert_eq!(field("size"), bytes.len().to_string());
        if href.ends_with(".gz") {
            let mut open = Vec::new();
            flate2::read::GzDecoder::new(bytes.as_slice()).read_to_end(&mut open).expect("gunzip");
            assert_eq!(field("open-checksum"), sha256_hex(&open), "{href}");
            assert_eq!(field("open-size"), open.len().to_string());
        }
        std::fs::write(dir.path().join(href), &bytes).expect("write");
    }
    let primary = primary_of(&srv.sim, "f99-build", id, "x86_64");
    assert!(primary.contains("<rpm:entry name=\"(xz or zstd)\"/>"), "rich dep text kept");
    assert!(primary.contains("<rpm:sourcerpm>rpm-4.20.0-1.fc99.src.rpm</rpm:sourcerpm>"));
    assert!(!primary.contains("<arch>aarch64</arch>") && !primary.contains("<arch>src</arch>"));
    if std::path::Path::new("/usr/bin/repo2solv").exists() {
        let out = std::process::Command::new("/usr/bin/repo2solv")
            .arg("-o")
            .arg(dir.path().join("x.solv"))
            .arg(dir.path())
            .output()
            .expect("repo2solv");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let dump = std::process::Command::new("/usr/bin/dumpsolv")
            .arg(dir.path().join("x.solv"))
            .output()
            .expect("dumpsolv");
        let text = String::from_utf8_lossy(&dump.stdout);
        assert!(text.contains("solvable:name: rpm-build"), "{}", &text[..text.len().min(2000)]);
        let at = text.find("solvable:name: rpm-build").unwrap_or(0);
        assert!(
            text.contains("  xz | zstd\n"),
            "rich dep parsed by libsolv: {}",
            &text[at..(at + 1500).min(text.len())]
        );
    } else {
        // libsolv is a build dependency of this crate; scripts/setup.sh installs its tools.
        panic!("/usr/bin/repo2solv is missing: apt-get install libsolv-tools");
    }
}

#[tokio::test]
async fn ssllogin_without_gssapi_answers_401_to_negotiate_and_faults_otherwise() {
    let srv = start().await;
    let body = encode_call("sslLogin", &[]);
    // A Negotiate token reaches a simulator that has no service keytab (or no GSSAPI at
    // all in this build): 401 with a challenge and a message saying why.
    let auth = ("Authorization", "Negotiate YIIBAQ==".to_string());
    let (status, head, text) =
        http(srv.addr, "POST", "/kojihub/ssllogin", &[auth], body.as_bytes()).await;
    assert_eq!(status, 401, "{head}");
    assert!(head.to_ascii_lowercase().contains("www-authenticate: negotiate"), "{head}");
    let text = String::from_utf8_lossy(&text);
    let why = if cfg!(feature = "gssapi") { "no service keytab" } else { "`gssapi` feature" };
    assert!(text.contains(why), "{text}");
    // Bad base64 in the token: 401 as well.
    let bad = ("Authorization", "Negotiate !!!".to_string());
    let (status, _, _) = http(srv.addr, "POST", "/kojihub/ssllogin", &[bad], body.as_bytes()).await;
    assert_eq!(status, 401);
    // No token: the certificate login of a hub without TLS.
    let (status, _, text) = http(srv.addr, "POST", "/kojihub/ssllogin", &[], body.as_bytes()).await;
    assert_eq!(status, 200);
    let fault = decode_response(&text).expect("xml-rpc").expect_err("fault");
    assert_eq!(fault.code, 1002, "{fault:?}");
    assert!(fault.string.contains("could not verify client"), "{fault:?}");
}
