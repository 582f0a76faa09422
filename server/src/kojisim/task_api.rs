//! Hub methods over tasks (`build`, `getTaskInfo`, `getTaskChildren`, `getTaskResult`,
//! `cancelTask`, `listTaskOutput`, …), repo regeneration (`newRepo`), tagging
//! (`tagBuild`, `untagBuild`), users, and file uploads (`rawUpload`, `checkUpload`).
//!
//! Pure: reads and mutates the [`Hub`] it is given; uploaded bytes go to the in-memory
//! file tree under `work/`.

use crate::koji::xmlrpc::{Fault, Struct, Value};

use super::clock::Hub;
use super::dispatch::{Args, Ctx, code, generic, require_login, require_perm};
use super::methods::show;
use super::shapes;
use super::state::{RepoOpts, build_state, task_relpath, task_state};
use super::tasks::{NewTask, cancel, create_task, new_repo_task};

type R = Result<Value, Fault>;

/// Dispatches the methods of this module; `None` for other names.
pub fn call(hub: &mut Hub, ctx: &Ctx, method: &str, params: Vec<Value>) -> Option<R> {
    let b = |names: &[&str]| Args::bind(method, params.clone(), names, false);
    let result = match method {
        "build" => {
            b(&["src", "target", "opts", "priority", "channel"]).and_then(|a| build(hub, ctx, &a))
        }
        "getTaskInfo" => b(&["task_id", "request", "strict"]).and_then(|a| task_info(hub, &a)),
        "getTaskChildren" => b(&["task_id", "request", "strict"]).and_then(|a| {
            let id = a.int("task_id")?.unwrap_or(0);
            if a.flag("strict", false) && !hub.state.tasks.contains_key(&id) {
                return Err(generic(format!("No such task: {id}")));
            }
            let kids = hub.state.tasks.values().filter(|t| t.parent == Some(id));
            Ok(Value::Array(kids.map(|t| shapes::task(t, a.flag("request", false))).collect()))
        }),
        "getTaskDescendents" => b(&["task_id", "request"]).and_then(|a| {
            let mut out = Struct::new();
            let mut todo = vec![a.int("task_id")?.unwrap_or(0)];
            while let Some(id) = todo.pop() {
                let kids: Vec<_> =
                    hub.state.tasks.values().filter(|t| t.parent == Some(id)).collect();
                todo.extend(kids.iter().map(|t| t.id));
                out.insert(
                    id.to_string(),
                    Value::Array(
                        kids.iter().map(|t| shapes::task(t, a.flag("request", false))).collect(),
                    ),
                );
            }
            Ok(Value::Struct(out))
        }),
        "getTaskRequest" => b(&["taskId"]).and_then(|a| {
            let id = a.int("taskId")?.unwrap_or(0);
            hub.state
                .tasks
                .get(&id)
                .map(|t| Value::Array(t.request.clone()))
                .ok_or_else(|| generic(format!("No such task: {id}")))
        }),
        "getTaskResult" => b(&["taskId", "raise_fault"]).and_then(|a| task_result(hub, &a)),
        "listTasks" => b(&["opts", "queryOpts"]).map(|a| list_tasks(hub, &a)),
        "listTaskOutput" => {
            b(&["taskID", "stat", "all_volumes", "strict"]).and_then(|a| task_output(hub, &a))
        }
        "downloadTaskOutput" => {
            b(&["taskID", "fileName", "offset", "size", "volume"]).and_then(|a| {
                let id = a.int("taskID")?.unwrap_or(0);
                let name = a.text("fileName").unwrap_or_default();
                let data = hub
                    .state
                    .files
                    .get(&format!("work/{}/{name}", task_relpath(id)))
                    .ok_or_else(|| generic(format!("No such file: {name}")))?;
                let offset =
                    usize::try_from(a.int("offset")?.unwrap_or(0)).unwrap_or(0).min(data.len());
                let size = a.int("size")?.unwrap_or(-1);
                let end = if size < 0 {
                    data.len()
                } else {
                    offset.saturating_add(usize::try_from(size).unwrap_or(0)).min(data.len())
                };
                Ok(Value::Base64(data[offset..end].to_vec()))
            })
        }
        "cancelTask" => b(&["task_id", "recurse"]).and_then(|a| cancel_task(hub, ctx, &a)),
        "newRepo" => b(&["tag", "event", "src", "debuginfo", "separate_src"])
            .and_then(|a| new_repo(hub, ctx, &a)),
        "tagBuild" | "tagBuildBypass" => {
            Args::bind(method, params.clone(), &["tag", "build", "force", "fromtag"], true)
                .and_then(|a| tag_build(hub, ctx, &a, method == "tagBuild"))
        }
        "untagBuild" | "untagBuildBypass" => {
            Args::bind(method, params.clone(), &["tag", "build", "strict", "force"], true)
                .and_then(|a| untag_build(hub, ctx, &a))
        }
        "getUser" => b(&["userInfo", "strict", "krb_princs", "groups"]).map(|a| {
            let u = match a.get("userInfo") {
                None => ctx.user_id.and_then(|id| hub.state.users.get(&id)),
                Some(Value::Int(id)) => hub.state.users.get(id),
                Some(v) => v.as_str().and_then(|n| hub.state.user_named(n)),
            };
            u.map_or(Value::Nil, |u| shapes::user(u, None))
        }),
        "listBuildroots" => {
            Args::bind(method, params.clone(), &[], true).map(|_| Value::Array(Vec::new()))
        }
        "checkUpload" => b(&["path", "name", "verify", "tail", "volume"]).and_then(|a| {
            require_login(ctx)?;
            let path = format!(
                "work/{}/{}",
                a.text("path").unwrap_or_default(),
                a.text("name").unwrap_or_default()
            );
            Ok(hub.state.files.get(&path).map_or(Value::Nil, |d| {
                Value::structure([
                    ("size", Value::Int(d.len() as i64)),
                    ("mtime", Value::Double(hub.now())),
                    ("hexdigest", Value::String(adler32_hex(d))),
                ])
            }))
        }),
        _ => return None,
    };
    Some(result)
}

/// `adler32` as Koji's `util.adler32_constructor().hexdigest()` (8 hex digits).
pub fn adler32_hex(data: &[u8]) -> String {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    format!("{:08x}", (b << 16) | a)
}

/// `rawUpload`: stores a chunk at `offset` of `work/<filepath>/<filename>`.
pub fn upload(
    hub: &mut Hub,
    ctx: &Ctx,
    filepath: &str,
    filename: &str,
    offset: usize,
    overwrite: bool,
    data: &[u8],
) -> R {
    require_login(ctx)?;
    if filepath.split('/').any(|p| p == "..") || filename.contains('/') || filename.is_empty() {
        return Err(generic(format!("invalid upload path: {filepath}/{filename}")));
    }
    let path = format!("work/{}/{filename}", filepath.trim_matches('/'));
    let file = hub.state.files.entry(path).or_default();
    if offset == 0 && overwrite {
        file.clear();
    }
    if offset > file.len() {
        return Err(generic(format!("upload offset {offset} past end of file ({})", file.len())));
    }
    file.truncate(offset);
    file.extend_from_slice(data);
    Ok(Value::structure([
        ("size", Value::Int(data.len() as i64)),
        ("fileverify", Value::from("adler32")),
        ("offset", Value::Int(offset as i64)),
        ("hexdigest", Value::String(adler32_hex(data))),
    ]))
}

fn build(hub: &mut Hub, ctx: &Ctx, a: &Args) -> R {
    let owner = require_login(ctx)?;
    let src = a.req("src")?;
    if !matches!(src, Value::String(_)) {
        return Err(Fault::new(
            code::PARAMETER,
            format!("Invalid type for value '{}': {}", show(src), src.type_name()),
        ));
    }
    let priority = a.int("priority")?.unwrap_or(0);
    if priority < 0 && !hub.state.has_perm(owner, "admin") {
        return Err(Fault::new(code::NOT_ALLOWED, "only admins may create high-priority tasks"));
    }
    let channel_id = match a.get("channel") {
        Some(c) => hub
            .state
            .channel_by(c)
            .map(|c| c.id)
            .ok_or_else(|| generic(format!("No such channel: {}", show(c))))?,
        None => hub.state.channel_by(&Value::from("default")).map_or(1, |c| c.id),
    };
    let opts = a.get("opts").cloned().unwrap_or(Value::Struct(Struct::new()));
    let request = vec![src.clone(), a.req("target")?.clone(), opts];
    let now = hub.now();
    let spec = NewTask {
        method: "build".into(),
        arch: "noarch".into(),
        label: None,
        parent: None,
        owner,
        channel_id,
        priority: 20 + priority,
        weight: 0.2,
        request,
    };
    Ok(Value::Int(create_task(hub, spec, now)))
}

fn task_info(hub: &Hub, a: &Args) -> R {
    let with_request = a.flag("request", false);
    let one = |id: i64| match hub.state.tasks.get(&id) {
        Some(t) => Ok(shapes::task(t, with_request)),
        None if a.flag("strict", false) => Err(generic(format!("No such task: {id}"))),
        None => Ok(Value::Nil),
    };
    match a.req("task_id")? {
        Value::Array(ids) => ids
            .iter()
            .map(|v| one(v.as_i64().unwrap_or(0)))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Value::Int(id) => one(*id),
        v => Err(Fault::new(
            code::PARAMETER,
            format!("Invalid type for value '{}': {}", show(v), v.type_name()),
        )),
    }
}

fn task_result(hub: &Hub, a: &Args) -> R {
    let id = a.int("taskId")?.unwrap_or(0);
    let task = hub.state.tasks.get(&id).ok_or_else(|| generic("No such task"))?;
    match (task.state, &task.result) {
        (task_state::CANCELED, _) => Err(generic(format!("Task {id} is canceled"))),
        (task_state::FAILED, Some(Err(f))) if a.flag("raise_fault", true) => {
            Err(Fault::new(f.code, f.string.clone()))
        }
        (task_state::FAILED, Some(Err(f))) => Ok(Fault::new(f.code, f.string.clone()).to_value()),
        (task_state::CLOSED, Some(Ok(v))) => Ok(v.clone()),
        _ => Err(generic(format!("Task {id} is not finished"))),
    }
}

fn list_tasks(hub: &Hub, a: &Args) -> Value {
    let opts = a.get("opts").and_then(Value::as_struct).cloned().unwrap_or_default();
    let states: Option<Vec<i64>> = opts
        .get("state")
        .and_then(Value::as_array)
        .map(|v| v.iter().filter_map(Value::as_i64).collect());
    let list = hub.state.tasks.values().filter(|t| {
        opts.get("parent").is_none_or(|p| p.as_i64() == t.parent)
            && opts.get("method").is_none_or(|m| m.as_str() == Some(t.method.as_str()))
            && opts.get("owner").is_none_or(|o| o.as_i64() == Some(t.owner))
            && states.as_ref().is_none_or(|s| s.contains(&t.state))
    });
    Value::Array(list.map(|t| shapes::task(t, false)).collect())
}

fn task_output(hub: &Hub, a: &Args) -> R {
    let id = a.int("taskID")?.unwrap_or(0);
    if a.flag("strict", false) && !hub.state.tasks.contains_key(&id) {
        return Err(generic(format!("No such task: {id}")));
    }
    let prefix = format!("work/{}/", task_relpath(id));
    let files: Vec<(&str, usize)> = hub
        .state
        .files
        .iter()
        .filter_map(|(p, d)| p.strip_prefix(&prefix).map(|n| (n, d.len())))
        .collect();
    let (stat, volumes) = (a.flag("stat", false), a.flag("all_volumes", false));
    if !stat && !volumes {
        return Ok(Value::Array(files.iter().map(|(n, _)| Value::from(*n)).collect()));
    }
    let now = hub.now();
    let stat_of = |size: usize| {
        Value::structure([
            ("st_size", Value::String(size.to_string())),
            ("st_atime", Value::Double(now)),
            ("st_mtime", Value::Double(now)),
            ("st_ctime", Value::Double(now)),
        ])
    };
    let out: Struct = files
        .iter()
        .map(|(n, size)| {
            let v = match (stat, volumes) {
                (true, true) => Value::structure([("DEFAULT", stat_of(*size))]),
                (true, false) => stat_of(*size),
                _ => Value::Array(vec![Value::from("DEFAULT")]),
            };
            (n.to_string(), v)
        })
        .collect();
    Ok(Value::Struct(out))
}

fn cancel_task(hub: &mut Hub, ctx: &Ctx, a: &Args) -> R {
    let id = a.int("task_id")?.unwrap_or(0);
    let task = hub.state.tasks.get(&id).ok_or_else(|| generic(format!("No such task: {id}")))?;
    let allowed = ctx.user_id.is_some_and(|u| u == task.owner || hub.state.has_perm(u, "admin"));
    if !allowed {
        return Err(Fault::new(code::NOT_ALLOWED, "Cannot cancel task, not owner"));
    }
    let now = hub.now();
    cancel(hub, id, a.flag("recurse", true), now);
    Ok(Value::Nil)
}

fn new_repo(hub: &mut Hub, ctx: &Ctx, a: &Args) -> R {
    let uid = require_login(ctx)?;
    if !hub.state.has_perm(uid, "repo") && !hub.state.has_perm(uid, "regen-repo") {
        let name = hub.state.users.get(&uid).map(|u| u.name.clone()).unwrap_or_default();
        return Err(Fault::new(
            code::NOT_ALLOWED,
            format!("regen-repo permission required (logged in as {name})"),
        ));
    }
    if !hub.settings.allow_new_repo {
        return Err(Fault::new(code::NOT_ALLOWED, "newRepo api call is disabled"));
    }
    let info = a.req("tag")?;
    let tag = hub
        .state
        .tag_by(info)
        .ok_or_else(|| generic(format!("No such tagInfo: '{}'", show(info))))?
        .name
        .clone();
    let opts = RepoOpts {
        src: a.flag("src", false),
        debuginfo: a.flag("debuginfo", false),
        separate_src: a.flag("separate_src", false),
        maven: false,
    };
    let now = hub.now();
    Ok(Value::Int(new_repo_task(hub, &tag, uid, opts, now)))
}

fn tag_build(hub: &mut Hub, ctx: &Ctx, a: &Args, as_task: bool) -> R {
    let uid = require_login(ctx)?;
    let info = a.req("tag")?;
    let tag = hub
        .state
        .tag_by(info)
        .cloned()
        .ok_or_else(|| generic(format!("No such tagInfo: '{}'", show(info))))?;
    let bv = a.req("build")?;
    let build = hub
        .state
        .build_by(bv)
        .cloned()
        .ok_or_else(|| generic(format!("No such build: {}", show(bv))))?;
    if tag.locked && !hub.state.has_perm(uid, "admin") {
        return Err(Fault::new(code::NOT_ALLOWED, format!("tag {} is locked", tag.name)));
    }
    if !as_task {
        require_perm(hub, ctx, "tag")?;
    }
    if build.state != build_state::COMPLETE {
        return Err(Fault::new(
            code::TAG,
            format!("build {} not complete: state {}", build.nvr(), build.state),
        ));
    }
    let listed = super::query::package_list(&hub.state, tag.id, None, true)
        .iter()
        .any(|e| e.package_id == build.package_id && !e.blocked);
    if !listed && !a.flag("force", false) {
        return Err(Fault::new(
            code::TAG,
            format!("package {} not in list for tag {}", build.name, tag.name),
        ));
    }
    let now = hub.now();
    if !hub.state.tag_build(tag.id, build.id, now) {
        return Err(Fault::new(
            code::TAG,
            format!("build {} already tagged ({})", build.nvr(), tag.name),
        ));
    }
    if !as_task {
        return Ok(Value::Nil);
    }
    let channel_id = hub.state.channel_by(&Value::from("default")).map_or(1, |c| c.id);
    let request = vec![
        Value::Int(tag.id),
        Value::Int(build.id),
        Value::Bool(a.flag("force", false)),
        Value::Nil,
        Value::Bool(false),
    ];
    let spec = NewTask {
        method: "tagBuild".into(),
        arch: "noarch".into(),
        label: None,
        parent: None,
        owner: uid,
        channel_id,
        priority: 10,
        weight: 0.1,
        request,
    };
    let id = create_task(hub, spec, now);
    if let Some(t) = hub.state.tasks.get_mut(&id) {
        t.state = task_state::CLOSED;
        t.start_ts = Some(now);
        t.completion_ts = Some(now);
        t.result = Some(Ok(Value::Nil));
    }
    Ok(Value::Int(id))
}

fn untag_build(hub: &mut Hub, ctx: &Ctx, a: &Args) -> R {
    require_login(ctx)?;
    let info = a.req("tag")?;
    let tag = hub
        .state
        .tag_by(info)
        .cloned()
        .ok_or_else(|| generic(format!("No such tagInfo: '{}'", show(info))))?;
    let bv = a.req("build")?;
    let build = hub
        .state
        .build_by(bv)
        .cloned()
        .ok_or_else(|| generic(format!("No such build: {}", show(bv))))?;
    let now = hub.now();
    if !hub.state.untag_build(tag.id, build.id, now) && a.flag("strict", true) {
        return Err(Fault::new(
            code::TAG,
            format!("build {} not in tag {}", build.nvr(), tag.name),
        ));
    }
    Ok(Value::Nil)
}
