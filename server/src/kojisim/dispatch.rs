//! XML-RPC method dispatch for the simulated hub: session checks (`Koji-Session-*`
//! headers or the legacy query string, callnum rules of koji-api.md §4.1), argument binding
//! with keyword arguments (`__starstar`) and Koji's `ParameterError`s, multicall, the
//! login/session methods and the method table. The methods themselves are in
//! `methods.rs` (tags, builds, repos, hosts) and `task_api.rs` (tasks, uploads).
//!
//! Pure: operates on a [`Hub`] passed in; HTTP lives in `http.rs`.

use std::collections::BTreeMap;

use crate::koji::xmlrpc::{
    Fault, Struct, Value, decode_multicall_params, encode_multicall_result, split_kwargs,
};

use super::clock::Hub;
use super::state::Session;

/// Koji exception codes used by the simulator (koji-api.md §3.6).
pub mod code {
    /// GenericError.
    pub const GENERIC: i64 = 1000;
    /// AuthError.
    pub const AUTH: i64 = 1002;
    /// TagError.
    pub const TAG: i64 = 1003;
    /// ActionNotAllowed.
    pub const NOT_ALLOWED: i64 = 1004;
    /// SequenceError.
    pub const SEQUENCE: i64 = 1008;
    /// RetryError.
    pub const RETRY: i64 = 1009;
    /// ParameterError.
    pub const PARAMETER: i64 = 1019;
}

/// A GenericError fault.
pub fn generic(msg: impl Into<String>) -> Fault {
    Fault::new(code::GENERIC, msg)
}

/// Who is calling.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ctx {
    /// Logged-in user, `None` when anonymous.
    pub user_id: Option<i64>,
    /// The session.
    pub session_id: Option<i64>,
}

/// Session credentials sent with a request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Credentials {
    /// `Koji-Session-Id` / `session-id`.
    pub session_id: Option<String>,
    /// `Koji-Session-Key` / `session-key`.
    pub session_key: Option<String>,
    /// `Koji-Session-Callnum` / `Koji-Callnum` / `callnum`.
    pub callnum: Option<String>,
}

/// Methods that change state (their callnum is stored; replaying it is a RetryError).
const WRITES: &[&str] = &[
    "build",
    "cancelTask",
    "tagBuild",
    "untagBuild",
    "tagBuildBypass",
    "untagBuildBypass",
    "newRepo",
    "createTag",
    "createBuildTarget",
    "groupListAdd",
    "groupPackageListAdd",
    "packageListAdd",
    "rawUpload",
    "logout",
    "multiCall",
    "system.multicall",
];

/// Every method the simulator answers.
pub const METHODS: &[&str] = &[
    "build",
    "cancelTask",
    "checkUpload",
    "createBuildTarget",
    "createTag",
    "downloadTaskOutput",
    "echo",
    "getAPIVersion",
    "getBuild",
    "getBuildConfig",
    "getBuildTarget",
    "getBuildTargets",
    "getChannel",
    "getExternalRepo",
    "getFullInheritance",
    "getHost",
    "getKojiVersion",
    "getLastEvent",
    "getLatestBuilds",
    "getLoggedInUser",
    "getPackage",
    "getRPM",
    "getRPMDeps",
    "getRPMHeaders",
    "getRepo",
    "getTag",
    "getTagExternalRepos",
    "getTagGroups",
    "getTaskChildren",
    "getTaskDescendents",
    "getTaskInfo",
    "getTaskRequest",
    "getTaskResult",
    "getUser",
    "groupListAdd",
    "groupPackageListAdd",
    "hello",
    "listBuildroots",
    "listBuilds",
    "listChannels",
    "listHosts",
    "listPackages",
    "listRPMs",
    "listTagged",
    "listTags",
    "listTaskOutput",
    "listTasks",
    "login",
    "logout",
    "multiCall",
    "newRepo",
    "packageListAdd",
    "rawUpload",
    "repoInfo",
    "sslLogin",
    "system.listMethods",
    "system.multicall",
    "tagBuild",
    "tagBuildBypass",
    "untagBuild",
    "untagBuildBypass",
];

/// Bound arguments of one call: positional parameters mapped onto the method's parameter
/// names, plus keyword arguments.
#[derive(Debug, Clone)]
pub struct Args {
    method: String,
    values: BTreeMap<String, Value>,
    /// Keyword arguments not named in the signature (for `**opts` methods).
    pub rest: Struct,
}

impl Args {
    /// Binds `params` to `names`; unknown keywords fault unless `open` (`**kwargs`).
    pub fn bind(
        method: &str,
        params: Vec<Value>,
        names: &[&str],
        open: bool,
    ) -> Result<Args, Fault> {
        let (positional, kwargs) = split_kwargs(params);
        if positional.len() > names.len() {
            return Err(Fault::new(
                code::PARAMETER,
                format!(
                    "{method}() takes at most {} arguments ({} given)",
                    names.len(),
                    positional.len()
                ),
            ));
        }
        let mut values: BTreeMap<String, Value> =
            names.iter().map(|n| n.to_string()).zip(positional).collect();
        let mut rest = Struct::new();
        for (k, v) in kwargs {
            if names.contains(&k.as_str()) {
                if values.contains_key(&k) {
                    return Err(Fault::new(
                        code::PARAMETER,
                        format!("{method}() got multiple values for argument '{k}'"),
                    ));
                }
                values.insert(k, v);
            } else if open {
                rest.insert(k, v);
            } else {
                return Err(Fault::new(
                    code::PARAMETER,
                    format!("{method}() got an unexpected keyword argument '{k}'"),
                ));
            }
        }
        Ok(Args { method: method.to_string(), values, rest })
    }

    /// The argument, `None` when absent or nil.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name).filter(|v| !v.is_nil())
    }

    /// A required argument.
    pub fn req(&self, name: &str) -> Result<&Value, Fault> {
        self.values.get(name).ok_or_else(|| {
            Fault::new(
                code::PARAMETER,
                format!("{}() missing required argument: '{name}'", self.method),
            )
        })
    }

    /// A boolean (Python truthiness for ints/strings).
    pub fn flag(&self, name: &str, default: bool) -> bool {
        match self.get(name) {
            None => default,
            Some(Value::Bool(b)) => *b,
            Some(Value::Int(i)) => *i != 0,
            Some(Value::String(s)) => !s.is_empty(),
            Some(_) => true,
        }
    }

    /// An optional int; other types fault.
    pub fn int(&self, name: &str) -> Result<Option<i64>, Fault> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Int(i)) => Ok(Some(*i)),
            Some(v) => Err(Fault::new(
                code::PARAMETER,
                format!("Invalid type for value '{name}': {}", v.type_name()),
            )),
        }
    }

    /// An optional string.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }
}

fn auth_fault() -> Fault {
    Fault::new(code::AUTH, "Invalid session or bad credentials")
}

/// Resolves the caller from credentials and checks the callnum (koji-api.md §4.1).
pub fn authenticate(hub: &Hub, creds: &Credentials, method: &str) -> Result<Ctx, Fault> {
    let Some(sid) = &creds.session_id else { return Ok(Ctx::default()) };
    let sid: i64 = sid.trim().parse().map_err(|_| auth_fault())?;
    let session = hub.state.sessions.get(&sid).ok_or_else(auth_fault)?;
    if creds.session_key.as_deref() != Some(session.key.as_str()) {
        return Err(auth_fault());
    }
    if let (Some(stored), Some(callnum)) =
        (session.callnum, creds.callnum.as_deref().and_then(|c| c.trim().parse::<i64>().ok()))
    {
        if callnum < stored {
            return Err(Fault::new(code::SEQUENCE, format!("callnum {callnum} < {stored}")));
        }
        if callnum == stored && WRITES.contains(&method) {
            return Err(Fault::new(
                code::RETRY,
                format!("unable to retry call {callnum} (method {method})"),
            ));
        }
    }
    Ok(Ctx { user_id: Some(session.user_id), session_id: Some(sid) })
}

/// Handles one decoded request: authentication, the call, and callnum bookkeeping.
pub fn handle(
    hub: &mut Hub,
    creds: &Credentials,
    method: &str,
    params: Vec<Value>,
) -> Result<Value, Fault> {
    let mut ctx = authenticate(hub, creds, method)?;
    let result = call(hub, &mut ctx, method, params);
    if result.is_ok() && WRITES.contains(&method) {
        let callnum = creds.callnum.as_deref().and_then(|c| c.trim().parse::<i64>().ok());
        if let (Some(sid), Some(n)) = (ctx.session_id, callnum)
            && let Some(s) = hub.state.sessions.get_mut(&sid)
        {
            s.callnum = Some(n);
        }
    }
    result
}

/// Dispatches one call (also used for each entry of a multicall).
pub fn call(
    hub: &mut Hub,
    ctx: &mut Ctx,
    method: &str,
    params: Vec<Value>,
) -> Result<Value, Fault> {
    match method {
        "multiCall" | "system.multicall" => multicall(hub, ctx, &params),
        "system.listMethods" => Ok(Value::Array(METHODS.iter().map(|m| Value::from(*m)).collect())),
        "getAPIVersion" => Args::bind(method, params, &[], false).map(|_| Value::Int(1)),
        "getKojiVersion" => Args::bind(method, params, &[], false).map(|_| Value::from("1.35.3")),
        "hello" => Ok(Value::from("Hello World")),
        "echo" => Ok(Value::Array(split_kwargs(params).0)),
        "login" => login(
            hub,
            ctx,
            Args::bind(method, params, &["user", "password", "opts", "renew", "exclusive"], false)?,
        ),
        "logout" => logout(hub, ctx, Args::bind(method, params, &["session_id"], false)?),
        "sslLogin" => Err(Fault::new(code::AUTH, "could not verify client: NONE")),
        "getLoggedInUser" => {
            let authtype =
                ctx.session_id.and_then(|s| hub.state.sessions.get(&s)).map(|s| s.authtype);
            Ok(ctx
                .user_id
                .and_then(|id| hub.state.users.get(&id))
                .map_or(Value::Nil, |u| super::shapes::user(u, Some(authtype.unwrap_or(0)))))
        }
        _ => {
            if let Some(result) = super::methods::call(hub, ctx, method, params.clone()) {
                return result;
            }
            super::task_api::call(hub, ctx, method, params)
                .unwrap_or_else(|| Err(generic(format!("Invalid method: {method}"))))
        }
    }
}

fn multicall(hub: &mut Hub, ctx: &mut Ctx, params: &[Value]) -> Result<Value, Fault> {
    let calls =
        decode_multicall_params(params).map_err(|e| Fault::new(code::PARAMETER, e.to_string()))?;
    let outcomes: Vec<Result<Value, Fault>> = calls
        .into_iter()
        .map(|c| {
            if c.method == "multiCall" || c.method == "system.multicall" {
                return Err(generic("multicall not allowed in multicall"));
            }
            call(hub, ctx, &c.method, c.params).map_err(|f| {
                let trace = Value::Array(vec![Value::String(format!(
                    "koji.{}: {}",
                    class_name(f.code),
                    f.string
                ))]);
                f.with_extra("traceback", trace)
            })
        })
        .collect();
    Ok(encode_multicall_result(&outcomes))
}

/// The Python class name for a fault code (for tracebacks).
pub fn class_name(code: i64) -> &'static str {
    match code {
        1000 => "GenericError",
        1001 => "LockError",
        1002 => "AuthError",
        1003 => "TagError",
        1004 => "ActionNotAllowed",
        1005 => "BuildError",
        1008 => "SequenceError",
        1009 => "RetryError",
        1019 => "ParameterError",
        _ => "Fault",
    }
}

fn login(hub: &mut Hub, ctx: &mut Ctx, a: Args) -> Result<Value, Fault> {
    let user = a.req("user")?.as_str().unwrap_or_default().to_string();
    let password = a.req("password")?.as_str().unwrap_or_default().to_string();
    let bad = || Fault::new(code::AUTH, "invalid username or password");
    let u = hub.state.user_named(&user).ok_or_else(bad)?;
    if u.password.as_deref() != Some(password.as_str()) {
        return Err(bad());
    }
    let user_id = u.id;
    Ok(new_session(hub, ctx, user_id, AUTHTYPE_NORMAL))
}

/// `AUTHTYPES` (koji-api.md §5).
const AUTHTYPE_NORMAL: i64 = 0;
const AUTHTYPE_GSSAPI: i64 = 3;

/// Opens a session for `user_id` and returns the login result struct.
fn new_session(hub: &mut Hub, ctx: &mut Ctx, user_id: i64, authtype: i64) -> Value {
    let id = hub.state.alloc("session");
    let key = session_key(user_id, id, hub.now());
    hub.state
        .sessions
        .insert(id, Session { id, user_id, key: key.clone(), callnum: None, authtype });
    *ctx = Ctx { user_id: Some(user_id), session_id: Some(id) };
    Value::structure([
        ("session-id", Value::Int(id)),
        ("session-key", Value::String(key)),
        ("header-auth", Value::Bool(true)),
    ])
}

/// `sslLogin` after the web server verified a GSSAPI (Negotiate) token for `principal`
/// (what mod_auth_gssapi puts in `REMOTE_USER`): the user is the principal's name part
/// (`user@REALM` → `user`), created if missing (the hub's `LoginCreatesUser`, on by
/// default), and gets a new session with authtype GSSAPI. Other calls at the login URL
/// go through [`handle`] as usual.
pub fn gssapi_login(hub: &mut Hub, principal: &str, params: Vec<Value>) -> Result<Value, Fault> {
    let _ = Args::bind(
        "sslLogin",
        params,
        &["proxyuser", "proxyauthtype", "renew", "exclusive"],
        false,
    )?;
    let name = crate::koji::gssapi::user_of_principal(principal).to_string();
    let user_id = match hub.state.user_named(&name) {
        Some(u) => u.id,
        None => {
            let id = hub.state.alloc("user");
            let user = super::state::User {
                id,
                name,
                password: None,
                perms: Vec::new(),
                usertype: 0,
                krb_principal: None,
            };
            hub.state.users.insert(id, user);
            id
        }
    };
    if let Some(u) = hub.state.users.get_mut(&user_id) {
        u.krb_principal = Some(principal.to_string());
    }
    Ok(new_session(hub, &mut Ctx::default(), user_id, AUTHTYPE_GSSAPI))
}

/// `"<user_id>-<19 alnum>"`, derived from the ids and time (not secret: a simulator).
fn session_key(user_id: i64, session_id: i64, now: f64) -> String {
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut x = (session_id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ now.to_bits();
    let tail: String = (0..19)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(ALNUM[(x % ALNUM.len() as u64) as usize])
        })
        .collect();
    format!("{user_id}-{tail}")
}

fn logout(hub: &mut Hub, ctx: &mut Ctx, a: Args) -> Result<Value, Fault> {
    let Some(sid) = ctx.session_id else { return Err(Fault::new(code::AUTH, "Not logged in")) };
    let target = a.int("session_id")?.unwrap_or(sid);
    hub.state.sessions.remove(&target);
    if target == sid {
        *ctx = Ctx::default();
    }
    Ok(Value::Nil)
}

/// Faults with ActionNotAllowed unless logged in; returns the user id.
pub fn require_login(ctx: &Ctx) -> Result<i64, Fault> {
    ctx.user_id
        .ok_or_else(|| Fault::new(code::NOT_ALLOWED, "you must be logged in for this operation"))
}

/// Faults unless the caller has `perm` (or admin).
pub fn require_perm(hub: &Hub, ctx: &Ctx, perm: &str) -> Result<i64, Fault> {
    let uid = require_login(ctx)?;
    if hub.state.has_perm(uid, perm) {
        Ok(uid)
    } else {
        let name = hub.state.users.get(&uid).map(|u| u.name.clone()).unwrap_or_default();
        Err(Fault::new(
            code::NOT_ALLOWED,
            format!("{perm} permission required (logged in as {name})"),
        ))
    }
}
