//! The hub's result shapes: XML-RPC structs for tasks, tags, targets, tagged builds, RPMs,
//! repos, hosts, channels, users and package-list entries, with the field names and types
//! of koji-api.md §2 (`*_time` strings, `*_ts` doubles, `<nil/>` for absent values).
//!
//! Pure conversions from `state` types; no lookups beyond what each shape needs.

use crate::koji::xmlrpc::{Struct, Value};

use super::state::{Build, Host, PkgListEntry, Repo, Rpm, State, Tag, Target, Task, User};

/// Koji's time string for epoch seconds: `2026-11-24 22:18:53.301047+00:00` (fraction
/// omitted when zero).
pub fn time_str(ts: f64) -> String {
    let micros = (ts * 1_000_000.0).round() as i64;
    let Some(dt) = chrono::DateTime::from_timestamp_micros(micros) else { return String::new() };
    if micros % 1_000_000 == 0 {
        dt.format("%Y-%m-%d %H:%M:%S+00:00").to_string()
    } else {
        dt.format("%Y-%m-%d %H:%M:%S%.6f+00:00").to_string()
    }
}

fn opt_ts(ts: Option<f64>) -> (Value, Value) {
    match ts {
        Some(t) => (Value::String(time_str(t)), Value::Double(t)),
        None => (Value::Nil, Value::Nil),
    }
}

fn s(members: Vec<(&str, Value)>) -> Value {
    Value::Struct(members.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// `getTaskInfo` / `getTaskChildren` entry; `request` only when asked.
pub fn task(t: &Task, with_request: bool) -> Value {
    let (start_time, start_ts) = opt_ts(t.start_ts);
    let (completion_time, completion_ts) = opt_ts(t.completion_ts);
    let mut v = vec![
        ("id", Value::Int(t.id)),
        ("state", Value::Int(t.state)),
        ("method", Value::String(t.method.clone())),
        ("arch", Value::String(t.arch.clone())),
        ("label", t.label.clone().into()),
        ("parent", t.parent.into()),
        ("owner", Value::Int(t.owner)),
        ("host_id", t.host_id.into()),
        ("channel_id", Value::Int(t.channel_id)),
        ("priority", Value::Int(t.priority)),
        ("weight", Value::Double(t.weight)),
        ("waiting", t.waiting.into()),
        ("awaited", t.awaited.into()),
        ("create_time", Value::String(time_str(t.create_ts))),
        ("create_ts", Value::Double(t.create_ts)),
        ("start_time", start_time),
        ("start_ts", start_ts),
        ("completion_time", completion_time),
        ("completion_ts", completion_ts),
    ];
    if with_request {
        v.push(("request", Value::Array(t.request.clone())));
    }
    s(v)
}

/// `getTag` result.
pub fn tag(t: &Tag) -> Value {
    s(vec![
        ("id", Value::Int(t.id)),
        ("name", Value::String(t.name.clone())),
        ("arches", t.arches.clone().into()),
        ("extra", Value::Struct(t.extra.clone())),
        ("locked", Value::Bool(t.locked)),
        ("perm", t.perm.clone().into()),
        ("perm_id", Value::Nil),
        ("maven_support", Value::Bool(false)),
        ("maven_include_all", Value::Bool(false)),
    ])
}

/// `getBuildTarget` result.
pub fn target(state: &State, t: &Target) -> Value {
    let name = |id: i64| state.tags.get(&id).map(|t| t.name.clone()).unwrap_or_default();
    s(vec![
        ("id", Value::Int(t.id)),
        ("name", Value::String(t.name.clone())),
        ("build_tag", Value::Int(t.build_tag)),
        ("build_tag_name", Value::String(name(t.build_tag))),
        ("dest_tag", Value::Int(t.dest_tag)),
        ("dest_tag_name", Value::String(name(t.dest_tag))),
    ])
}

fn user_name(state: &State, id: i64) -> String {
    state.users.get(&id).map(|u| u.name.clone()).unwrap_or_default()
}

/// `getBuild` / `listBuilds` entry.
pub fn build(state: &State, b: &Build) -> Struct {
    let (t_create, t_complete) = (time_str(b.start_ts), time_str(b.completion_ts));
    let members = vec![
        ("build_id", Value::Int(b.id)),
        ("id", Value::Int(b.id)),
        ("name", Value::String(b.name.clone())),
        ("package_name", Value::String(b.name.clone())),
        ("package_id", Value::Int(b.package_id)),
        ("version", Value::String(b.version.clone())),
        ("release", Value::String(b.release.clone())),
        ("epoch", b.epoch.into()),
        ("nvr", Value::String(b.nvr())),
        ("state", Value::Int(b.state)),
        ("task_id", b.task_id.into()),
        ("owner_id", Value::Int(b.owner_id)),
        ("owner_name", Value::String(user_name(state, b.owner_id))),
        ("creation_event_id", Value::Int(b.create_event)),
        ("creation_time", Value::String(t_create.clone())),
        ("creation_ts", Value::Double(b.start_ts)),
        ("start_time", Value::String(t_create)),
        ("start_ts", Value::Double(b.start_ts)),
        ("completion_time", Value::String(t_complete)),
        ("completion_ts", Value::Double(b.completion_ts)),
        ("promotion_time", Value::Nil),
        ("promoter_id", Value::Nil),
        ("promoter_name", Value::Nil),
        ("draft", Value::Bool(false)),
        ("volume_id", Value::Int(0)),
        ("volume_name", Value::String("DEFAULT".to_string())),
        ("source", Value::Nil),
        ("extra", Value::Nil),
    ];
    members.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// `listTagged` / `getLatestBuilds` entry.
pub fn tagged(state: &State, b: &Build, tag_id: i64, create_event: i64) -> Value {
    let mut m = build(state, b);
    m.remove("source");
    m.remove("creation_ts");
    m.remove("start_ts");
    m.remove("completion_ts");
    m.remove("extra");
    let tag_name = state.tags.get(&tag_id).map(|t| t.name.clone()).unwrap_or_default();
    m.insert("tag_id".to_string(), Value::Int(tag_id));
    m.insert("tag_name".to_string(), Value::String(tag_name));
    m.insert("create_event".to_string(), Value::Int(create_event));
    Value::Struct(m)
}

/// `listRPMs` entry.
pub fn rpm(r: &Rpm) -> Value {
    s(vec![
        ("id", Value::Int(r.id)),
        ("name", Value::String(r.name.clone())),
        ("version", Value::String(r.version.clone())),
        ("release", Value::String(r.release.clone())),
        ("epoch", r.epoch.into()),
        ("arch", Value::String(r.arch.clone())),
        ("nvr", Value::String(format!("{}-{}-{}", r.name, r.version, r.release))),
        ("draft", Value::Bool(false)),
        ("payloadhash", Value::String(format!("{:032x}", r.id))),
        ("size", Value::Int(r.size)),
        ("buildtime", Value::Int(r.buildtime)),
        ("build_id", Value::Int(r.build_id)),
        ("buildroot_id", Value::Nil),
        ("external_repo_id", Value::Int(0)),
        ("external_repo_name", Value::String("INTERNAL".to_string())),
        ("metadata_only", Value::Bool(false)),
        ("extra", Value::Nil),
    ])
}

/// `getRepo` / `repoInfo` result.
pub fn repo(state: &State, r: &Repo) -> Value {
    let tag_name = state.tags.get(&r.tag_id).map(|t| t.name.clone()).unwrap_or_default();
    let later_change = state
        .taggings
        .iter()
        .flat_map(|t| std::iter::once(t.create_event).chain(t.revoke_event))
        .filter(|e| *e > r.create_event)
        .min();
    let begin = state
        .taggings
        .iter()
        .flat_map(|t| std::iter::once(t.create_event).chain(t.revoke_event))
        .filter(|e| *e <= r.create_event)
        .max();
    let ev_ts = |e: Option<i64>| {
        e.and_then(|e| state.event_ts.get(&e).copied()).map_or(Value::Nil, Value::Double)
    };
    let task_state = r.task_id.and_then(|id| state.tasks.get(&id)).map(|t| t.state);
    s(vec![
        ("id", Value::Int(r.id)),
        ("tag_id", Value::Int(r.tag_id)),
        ("tag_name", Value::String(tag_name)),
        ("state", Value::Int(r.state)),
        ("create_event", Value::Int(r.create_event)),
        ("create_ts", Value::Double(r.create_ts)),
        ("creation_time", Value::String(time_str(r.create_ts))),
        ("creation_ts", Value::Double(r.create_ts)),
        ("state_time", Value::String(time_str(r.state_ts))),
        ("state_ts", Value::Double(r.state_ts)),
        ("begin_event", begin.into()),
        ("begin_ts", ev_ts(begin)),
        ("end_event", later_change.into()),
        ("end_ts", ev_ts(later_change)),
        ("dist", Value::Bool(false)),
        (
            "opts",
            s(vec![
                ("src", Value::Bool(r.opts.src)),
                ("debuginfo", Value::Bool(r.opts.debuginfo)),
                ("separate_src", Value::Bool(r.opts.separate_src)),
                ("maven", Value::Bool(r.opts.maven)),
            ]),
        ),
        ("custom_opts", Value::Struct(Struct::new())),
        ("task_id", r.task_id.into()),
        ("task_state", task_state.into()),
    ])
}

/// `listHosts` / `getHost` entry; `task_load` includes the host's open tasks.
pub fn host(h: &Host, task_load: f64) -> Value {
    s(vec![
        ("id", Value::Int(h.id)),
        ("user_id", Value::Int(h.user_id)),
        ("name", Value::String(h.name.clone())),
        ("arches", Value::String(h.arches.clone())),
        ("capacity", Value::Double(h.capacity)),
        ("task_load", Value::Double(task_load)),
        ("ready", Value::Bool(h.ready)),
        ("enabled", Value::Bool(h.enabled)),
        ("description", h.description.clone().into()),
        ("comment", Value::Nil),
        ("update_ts", Value::Nil),
    ])
}

/// `getUser` / `getLoggedInUser` result.
pub fn user(u: &User, authtype: Option<i64>) -> Value {
    let mut v = vec![
        ("id", Value::Int(u.id)),
        ("name", Value::String(u.name.clone())),
        ("status", Value::Int(0)),
        ("usertype", Value::Int(u.usertype)),
        ("krb_principal", u.krb_principal.clone().map_or(Value::Nil, Value::String)),
        (
            "krb_principals",
            Value::Array(u.krb_principal.iter().map(|p| Value::String(p.clone())).collect()),
        ),
    ];
    if let Some(a) = authtype {
        v.push(("authtype", Value::Int(a)));
    }
    s(v)
}

/// `listPackages` entry.
pub fn pkg_entry(state: &State, e: &PkgListEntry) -> Value {
    let tag_name = state.tags.get(&e.tag_id).map(|t| t.name.clone()).unwrap_or_default();
    s(vec![
        ("package_id", Value::Int(e.package_id)),
        (
            "package_name",
            Value::String(state.packages.get(&e.package_id).cloned().unwrap_or_default()),
        ),
        ("tag_id", Value::Int(e.tag_id)),
        ("tag_name", Value::String(tag_name)),
        ("blocked", Value::Bool(e.blocked)),
        ("extra_arches", e.extra_arches.clone().into()),
        ("owner_id", Value::Int(e.owner_id)),
        ("owner_name", Value::String(user_name(state, e.owner_id))),
    ])
}
