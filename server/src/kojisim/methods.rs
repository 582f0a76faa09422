//! Hub methods over tags, targets, builds, RPMs, repos, groups, hosts and channels, with
//! the real hub's argument names, result shapes and faults (koji-api.md §2).
//!
//! Pure: reads and mutates the [`Hub`] it is given.

use crate::koji::xmlrpc::{Fault, Struct, Value};
use crate::rpm::{Dep, Op};

use super::clock::Hub;
use super::dispatch::{Args, Ctx, code, generic, require_perm};
use super::query::{inheritance, latest_repo, list_tagged, package_list};
use super::shapes;
use super::state::{Group, Rpm, Tag, Target, repo_state};

type R = Result<Value, Fault>;

fn no_tag_info(v: &Value) -> Fault {
    generic(format!("No such tagInfo: '{}'", show(v)))
}

fn no_tag_entry(v: &Value) -> Fault {
    generic(format!("No such entry in table tag: {}", show(v)))
}

/// A value as Python's `str()` would print it (for messages).
pub fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Nil => "None".to_string(),
        other => format!("{other:?}"),
    }
}

fn tag_or<'a>(hub: &'a Hub, v: &Value, fault: fn(&Value) -> Fault) -> Result<&'a Tag, Fault> {
    hub.state.tag_by(v).ok_or_else(|| fault(v))
}

/// Dispatches the methods of this module; `None` for other names.
pub fn call(hub: &mut Hub, ctx: &Ctx, method: &str, params: Vec<Value>) -> Option<R> {
    let b = |names: &[&str]| Args::bind(method, params.clone(), names, false);
    let result = match method {
        "getTag" => b(&["tagInfo", "strict", "event", "blocked"]).and_then(|a| get_tag(hub, &a)),
        "getBuildTarget" => b(&["info", "event", "strict"]).and_then(|a| get_target(hub, &a)),
        "getBuildTargets" => {
            b(&["info", "event", "buildTagID", "destTagID", "queryOpts"]).map(|a| {
                let list = hub.state.targets.values().filter(|t| {
                    a.get("info")
                        .is_none_or(|i| hub.state.target_by(i).is_some_and(|x| x.id == t.id))
                        && a.get("buildTagID").is_none_or(|i| {
                            hub.state.tag_by(i).is_some_and(|x| x.id == t.build_tag)
                        })
                        && a.get("destTagID")
                            .is_none_or(|i| hub.state.tag_by(i).is_some_and(|x| x.id == t.dest_tag))
                });
                Value::Array(list.map(|t| shapes::target(&hub.state, t)).collect())
            })
        }
        "getBuildConfig" => b(&["tag", "event"]).and_then(|a| build_config(hub, &a)),
        "listTags" => b(&["build", "package", "perms", "queryOpts", "pattern"])
            .map(|_| Value::Array(hub.state.tags.values().map(shapes::tag).collect())),
        "getFullInheritance" => {
            b(&["tag", "event", "reverse"]).and_then(|a| full_inheritance(hub, &a))
        }
        "getTagGroups" => b(&["tag", "event", "inherit", "incl_pkgs", "incl_reqs", "incl_blocked"])
            .and_then(|a| tag_groups(hub, &a)),
        "listTagged" => b(&[
            "tag", "event", "inherit", "prefix", "latest", "package", "owner", "type", "strict",
            "extra", "draft",
        ])
        .and_then(|a| tagged(hub, &a, false)),
        "getLatestBuilds" => {
            b(&["tag", "event", "package", "type", "draft"]).and_then(|a| tagged(hub, &a, true))
        }
        "listPackages" => b(&[
            "tagID",
            "userID",
            "pkgID",
            "prefix",
            "inherited",
            "with_dups",
            "event",
            "queryOpts",
            "with_owners",
            "with_blocked",
        ])
        .and_then(|a| list_packages(hub, &a)),
        "getPackage" => b(&["info", "strict", "create"]).map(|a| {
            let found = hub.state.packages.iter().find(|(id, n)| {
                a.get("info")
                    .is_some_and(|i| i.as_str() == Some(n.as_str()) || i.as_i64() == Some(**id))
            });
            found.map_or(Value::Nil, |(id, n)| {
                Value::structure([("id", Value::Int(*id)), ("name", Value::String(n.clone()))])
            })
        }),
        "getBuild" => b(&["buildInfo", "strict"]).and_then(|a| {
            match hub.state.build_by(a.req("buildInfo")?) {
                Some(bd) => Ok(Value::Struct(shapes::build(&hub.state, bd))),
                None if a.flag("strict", false) => {
                    Err(generic(format!("No such build: {}", show(a.req("buildInfo")?))))
                }
                None => Ok(Value::Nil),
            }
        }),
        "listBuilds" => Args::bind(
            method,
            params.clone(),
            &["packageID", "userID", "taskID", "prefix", "state"],
            true,
        )
        .map(|a| {
            let list = hub.state.builds.values().filter(|bd| {
                a.get("taskID").is_none_or(|t| t.as_i64() == bd.task_id)
                    && a.get("state").is_none_or(|s| s.as_i64() == Some(bd.state))
                    && a.get("packageID").is_none_or(|p| {
                        p.as_i64() == Some(bd.package_id) || p.as_str() == Some(bd.name.as_str())
                    })
                    && a.text("prefix").is_none_or(|p| bd.name.starts_with(p))
            });
            Value::Array(list.map(|bd| Value::Struct(shapes::build(&hub.state, bd))).collect())
        }),
        "listRPMs" => b(&[
            "buildID",
            "buildrootID",
            "imageID",
            "componentBuildrootID",
            "hostID",
            "arches",
            "queryOpts",
            "draft",
        ])
        .and_then(|a| list_rpms(hub, &a)),
        "getRPM" => b(&["rpminfo", "strict", "multi"])
            .map(|a| find_rpm(hub, a.get("rpminfo")).map_or(Value::Nil, shapes::rpm)),
        "getRPMDeps" => {
            b(&["rpmID", "depType", "queryOpts", "strict"]).and_then(|a| rpm_deps(hub, &a))
        }
        "getRPMHeaders" => b(&["rpmID", "taskID", "filepath", "headers", "strict"])
            .and_then(|a| rpm_headers(hub, &a)),
        "getRepo" => {
            b(&["tag", "state", "event", "dist", "min_event"]).and_then(|a| get_repo(hub, &a))
        }
        "repoInfo" => b(&["repo_id", "strict"]).and_then(|a| {
            match a.int("repo_id")?.and_then(|id| hub.state.repos.get(&id)) {
                Some(r) => Ok(shapes::repo(&hub.state, r)),
                None if a.flag("strict", false) => Err(generic("query returned no rows")),
                None => Ok(Value::Nil),
            }
        }),
        "getLastEvent" => b(&["before", "strict"]).map(|_| {
            let ts = hub.state.event_ts.get(&hub.state.event).copied().unwrap_or(0.0);
            Value::structure([("id", Value::Int(hub.state.event)), ("ts", Value::Double(ts))])
        }),
        "listHosts" => b(&["arches", "channelID", "ready", "enabled", "userID", "queryOpts"])
            .and_then(|a| list_hosts(hub, &a)),
        "getHost" => b(&["hostInfo", "strict", "event"]).map(|a| {
            let h = hub.state.hosts.values().find(|h| {
                a.get("hostInfo").is_some_and(|i| {
                    i.as_i64() == Some(h.id) || i.as_str() == Some(h.name.as_str())
                })
            });
            h.map_or(Value::Nil, |h| shapes::host(h, hub.host_load(h.id)))
        }),
        "getChannel" => b(&["channelInfo", "strict"]).and_then(|a| {
            match hub.state.channel_by(a.req("channelInfo")?) {
                Some(c) => Ok(channel(c)),
                None if a.flag("strict", false) => {
                    Err(generic(format!("No such channel: {}", show(a.req("channelInfo")?))))
                }
                None => Ok(Value::Nil),
            }
        }),
        "listChannels" => b(&["hostID", "event", "enabled"]).map(|a| {
            let host = a.get("hostID").and_then(|h| {
                hub.state
                    .hosts
                    .values()
                    .find(|x| h.as_i64() == Some(x.id) || h.as_str() == Some(x.name.as_str()))
            });
            let list = hub
                .state
                .channels
                .values()
                .filter(|c| host.is_none_or(|h| h.channels.contains(&c.id)));
            Value::Array(list.map(channel).collect())
        }),
        "getTagExternalRepos" => {
            b(&["tag_info", "repo_info", "event"]).map(|_| Value::Array(Vec::new()))
        }
        "getExternalRepo" => b(&["info", "strict", "event"]).map(|_| Value::Nil),
        "createTag" => b(&[
            "name",
            "parent",
            "arches",
            "perm",
            "locked",
            "maven_support",
            "maven_include_all",
            "extra",
        ])
        .and_then(|a| create_tag(hub, ctx, &a)),
        "createBuildTarget" => {
            b(&["name", "build_tag", "dest_tag"]).and_then(|a| create_target(hub, ctx, &a))
        }
        "groupListAdd" => {
            Args::bind(method, params.clone(), &["taginfo", "grpinfo", "block", "force"], true)
                .and_then(|a| group_add(hub, ctx, &a, None))
        }
        "groupPackageListAdd" => Args::bind(
            method,
            params.clone(),
            &["taginfo", "grpinfo", "pkg_name", "block", "force"],
            true,
        )
        .and_then(|a| {
            let pkg = a.req("pkg_name")?.as_str().unwrap_or_default().to_string();
            group_add(hub, ctx, &a, Some(pkg))
        }),
        "packageListAdd" => {
            b(&["taginfo", "pkginfo", "owner", "block", "extra_arches", "force", "update"])
                .and_then(|a| {
                    let uid = require_perm(hub, ctx, "tag")?;
                    let tag = tag_or(hub, a.req("taginfo")?, no_tag_info)?.id;
                    let pkg = a.req("pkginfo")?.as_str().unwrap_or_default().to_string();
                    let owner =
                        a.text("owner").and_then(|o| hub.state.user_named(o)).map_or(uid, |u| u.id);
                    let now = hub.now();
                    hub.state.new_event(now);
                    hub.state.add_to_pkg_list(tag, &pkg, owner, a.flag("block", false));
                    Ok(Value::Nil)
                })
        }
        _ => return None,
    };
    Some(result)
}

fn channel(c: &super::state::Channel) -> Value {
    Value::structure([
        ("id", Value::Int(c.id)),
        ("name", Value::String(c.name.clone())),
        ("description", Value::Nil),
        ("enabled", Value::Bool(c.enabled)),
        ("comment", Value::Nil),
    ])
}

fn get_tag(hub: &Hub, a: &Args) -> R {
    let info = a.req("tagInfo")?;
    match hub.state.tag_by(info) {
        Some(t) => Ok(shapes::tag(t)),
        None if a.flag("strict", false) => Err(no_tag_info(info)),
        None => Ok(Value::Nil),
    }
}

fn get_target(hub: &Hub, a: &Args) -> R {
    let info = a.req("info")?;
    match hub.state.target_by(info) {
        Some(t) => Ok(shapes::target(&hub.state, t)),
        None if a.flag("strict", false) => {
            Err(generic(format!("No such build target: {}", show(info))))
        }
        None => Ok(Value::Nil),
    }
}

fn build_config(hub: &Hub, a: &Args) -> R {
    let tag = tag_or(hub, a.req("tag")?, no_tag_info)?;
    let chain = inheritance(&hub.state, tag.id);
    let arches = chain.iter().find_map(|t| hub.state.tags.get(t).and_then(|t| t.arches.clone()));
    let mut extra = Struct::new();
    for t in chain.iter().rev() {
        if let Some(t) = hub.state.tags.get(t) {
            extra.extend(t.extra.clone());
        }
    }
    let Value::Struct(mut m) = shapes::tag(tag) else { return Err(generic("internal error")) };
    m.insert("arches".to_string(), arches.clone().into());
    m.insert("extra".to_string(), Value::Struct(extra.clone()));
    m.insert(
        "config_inheritance".to_string(),
        Value::structure([
            ("arches", Value::from(arches)),
            ("extra", Value::Struct(Struct::new())),
        ]),
    );
    Ok(Value::Struct(m))
}

fn full_inheritance(hub: &Hub, a: &Args) -> R {
    let tag = tag_or(hub, a.req("tag")?, no_tag_info)?;
    let mut out = Vec::new();
    for t in inheritance(&hub.state, tag.id).into_iter().skip(1) {
        let child = hub.state.tags.values().find(|c| c.parents.iter().any(|p| p.parent_id == t));
        let Some(tg) = hub.state.tags.get(&t) else { continue };
        let priority = child
            .and_then(|c| c.parents.iter().find(|p| p.parent_id == t))
            .map_or(0, |p| p.priority);
        out.push(Value::structure([
            ("parent_id", Value::Int(t)),
            ("child_id", Value::Int(child.map_or(tag.id, |c| c.id))),
            ("name", Value::String(tg.name.clone())),
            ("priority", Value::Int(priority)),
            ("currdepth", Value::Int(1)),
            ("maxdepth", Value::Nil),
            ("intransitive", Value::Bool(false)),
            ("noconfig", Value::Bool(false)),
            ("pkg_filter", Value::from("")),
        ]));
    }
    Ok(Value::Array(out))
}

fn tag_groups(hub: &Hub, a: &Args) -> R {
    let tag = tag_or(hub, a.req("tag")?, no_tag_entry)?;
    let chain =
        if a.flag("inherit", true) { inheritance(&hub.state, tag.id) } else { vec![tag.id] };
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for t in chain {
        for g in hub.state.groups.iter().filter(|g| g.tag_id == t) {
            if seen.contains(&g.name.as_str()) {
                continue;
            }
            seen.push(&g.name);
            out.push(group_value(g, a.flag("incl_pkgs", true)));
        }
    }
    Ok(Value::Array(out))
}

fn group_value(g: &Group, with_pkgs: bool) -> Value {
    let pkgs = if with_pkgs {
        g.packages
            .iter()
            .map(|(name, ty, blocked)| {
                Value::structure([
                    ("package", Value::String(name.clone())),
                    ("type", Value::String(ty.clone())),
                    ("blocked", Value::Bool(*blocked)),
                    ("basearchonly", Value::Nil),
                    ("requires", Value::Nil),
                    ("group_id", Value::Int(g.id)),
                    ("tag_id", Value::Int(g.tag_id)),
                ])
            })
            .collect()
    } else {
        Vec::new()
    };
    Value::structure([
        ("group_id", Value::Int(g.id)),
        ("name", Value::String(g.name.clone())),
        ("display_name", Value::String(g.name.clone())),
        ("description", Value::Nil),
        ("tag_id", Value::Int(g.tag_id)),
        ("blocked", Value::Bool(false)),
        ("exported", Value::Bool(true)),
        ("uservisible", Value::Bool(true)),
        ("is_default", Value::Nil),
        ("langonly", Value::Nil),
        ("biarchonly", Value::Bool(false)),
        ("packagelist", Value::Array(pkgs)),
        ("grouplist", Value::Array(Vec::new())),
    ])
}

fn tagged(hub: &Hub, a: &Args, latest_builds: bool) -> R {
    let info = a.req("tag")?;
    let Some(tag) = hub.state.tag_by(info) else {
        return if !latest_builds && !a.flag("strict", true) {
            Ok(Value::Array(Vec::new()))
        } else {
            Err(no_tag_info(info))
        };
    };
    let event = a.int("event")?;
    let (inherit, latest) = if latest_builds {
        (true, Some(1))
    } else {
        let latest = match a.get("latest") {
            Some(Value::Int(n)) if *n > 0 => Some(usize::try_from(*n).unwrap_or(1)),
            Some(Value::Bool(true)) => Some(1),
            _ => None,
        };
        (a.flag("inherit", false), latest)
    };
    let prefix = a.text("prefix");
    let rows = list_tagged(&hub.state, tag.id, event, inherit, latest, a.text("package"));
    let out = rows
        .into_iter()
        .filter_map(|r| hub.state.builds.get(&r.build_id).map(|bd| (r, bd)))
        .filter(|(_, bd)| prefix.is_none_or(|p| bd.name.starts_with(p)))
        .filter(|(_, bd)| {
            a.text("owner")
                .is_none_or(|o| hub.state.users.get(&bd.owner_id).is_some_and(|u| u.name == o))
        })
        .map(|(r, bd)| shapes::tagged(&hub.state, bd, r.tag_id, r.create_event))
        .collect();
    Ok(Value::Array(out))
}

fn list_packages(hub: &Hub, a: &Args) -> R {
    let Some(info) = a.get("tagID") else {
        let all = hub
            .state
            .packages
            .iter()
            .filter(|(_, n)| a.text("prefix").is_none_or(|p| n.starts_with(p)));
        return Ok(Value::Array(
            all.map(|(id, n)| {
                Value::structure([
                    ("package_id", Value::Int(*id)),
                    ("package_name", Value::String(n.clone())),
                ])
            })
            .collect(),
        ));
    };
    let tag = tag_or(hub, info, no_tag_entry)?;
    let entries = package_list(&hub.state, tag.id, a.int("event")?, a.flag("inherited", false));
    let out = entries
        .into_iter()
        .filter(|e| a.flag("with_blocked", true) || !e.blocked)
        .filter(|e| {
            a.text("prefix").is_none_or(|p| {
                hub.state.packages.get(&e.package_id).is_some_and(|n| n.starts_with(p))
            })
        })
        .filter(|e| {
            a.get("pkgID").is_none_or(|p| {
                p.as_i64() == Some(e.package_id)
                    || p.as_str() == hub.state.packages.get(&e.package_id).map(String::as_str)
            })
        })
        .map(|e| shapes::pkg_entry(&hub.state, e))
        .collect();
    Ok(Value::Array(out))
}

fn list_rpms(hub: &Hub, a: &Args) -> R {
    let arches: Option<Vec<String>> = match a.get("arches") {
        None => None,
        Some(Value::String(s)) => Some(vec![s.clone()]),
        Some(Value::Array(v)) => {
            Some(v.iter().filter_map(Value::as_str).map(str::to_string).collect())
        }
        Some(v) => {
            return Err(generic(format!(
                "Invalid type for \"arches\" parameter: <class '{}'>",
                py_type(v)
            )));
        }
    };
    let build = a.int("buildID")?;
    let list = hub.state.rpms.values().filter(|r| {
        build.is_none_or(|b| r.build_id == b) && arches.as_ref().is_none_or(|v| v.contains(&r.arch))
    });
    Ok(Value::Array(list.map(shapes::rpm).collect()))
}

fn py_type(v: &Value) -> &'static str {
    match v {
        Value::Int(_) => "int",
        Value::Bool(_) => "bool",
        Value::Double(_) => "float",
        Value::Struct(_) => "dict",
        Value::Nil => "NoneType",
        _ => "str",
    }
}

/// RPM by id, `N-V-R.A` string or `{name, version, release, arch}` struct.
pub fn find_rpm<'a>(hub: &'a Hub, key: Option<&Value>) -> Option<&'a Rpm> {
    match key? {
        Value::Int(id) => hub.state.rpms.get(id),
        Value::String(nvra) => hub
            .state
            .rpms
            .values()
            .find(|r| format!("{}-{}-{}.{}", r.name, r.version, r.release, r.arch) == *nvra),
        Value::Struct(m) => {
            let t = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or_default();
            let (name, version, release, arch) = (t("name"), t("version"), t("release"), t("arch"));
            hub.state.rpms.values().find(|r| {
                r.name == name && r.version == version && r.release == release && r.arch == arch
            })
        }
        _ => None,
    }
}

fn dep_entry(text: &str, dep_type: i64) -> Value {
    let (name, version, flags) = match Dep::parse(text) {
        Ok(Dep::Simple { name, constraint: Some((op, evr)) }) => {
            let f = match op {
                Op::Lt => 2,
                Op::Le => 10,
                Op::Eq => 8,
                Op::Ge => 12,
                Op::Gt => 4,
            };
            (name, evr.to_string(), f)
        }
        Ok(Dep::Simple { name, constraint: None }) => (name, String::new(), 0),
        _ => (text.trim().to_string(), String::new(), 0),
    };
    Value::structure([
        ("name", Value::String(name)),
        ("version", Value::String(version)),
        ("flags", Value::Int(flags)),
        ("type", Value::Int(dep_type)),
    ])
}

fn rpm_deps(hub: &Hub, a: &Args) -> R {
    let Some(r) = find_rpm(hub, a.get("rpmID")) else {
        return if a.flag("strict", false) {
            Err(generic(format!("No such rpm: {}", show(a.req("rpmID")?))))
        } else {
            Ok(Value::Array(Vec::new()))
        };
    };
    let want = a.int("depType")?;
    let mut out = Vec::new();
    if want.is_none_or(|t| t == 0) {
        out.extend(r.requires.iter().map(|d| dep_entry(d, 0)));
        if r.arch == "src" {
            for (name, ver) in
                [("rpmlib(CompressedFileNames)", "3.0.4-1"), ("rpmlib(FileDigests)", "4.6.0-1")]
            {
                out.push(Value::structure([
                    ("name", Value::from(name)),
                    ("version", Value::from(ver)),
                    ("flags", Value::Int(16_777_226)),
                    ("type", Value::Int(0)),
                ]));
            }
        }
    }
    if want.is_none_or(|t| t == 1) && r.arch != "src" {
        let evr = format!(
            "{}{}-{}",
            r.epoch.filter(|e| *e != 0).map(|e| format!("{e}:")).unwrap_or_default(),
            r.version,
            r.release
        );
        out.push(dep_entry(&format!("{} = {evr}", r.name), 1));
        out.extend(r.provides.iter().map(|d| dep_entry(d, 1)));
    }
    Ok(Value::Array(out))
}

fn rpm_headers(hub: &Hub, a: &Args) -> R {
    let names: Vec<String> = a
        .get("headers")
        .and_then(Value::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let Some(r) = find_rpm(hub, a.get("rpmID")) else {
        return if a.flag("strict", false) {
            Err(generic(format!("No such rpm: {}", show(a.req("rpmID")?))))
        } else {
            Ok(Value::Struct(Struct::new()))
        };
    };
    let list = |v: &[String]| Value::Array(v.iter().map(|s| Value::String(s.clone())).collect());
    let mut out = Struct::new();
    for h in names {
        let v = match h.to_ascii_uppercase().as_str() {
            "BUILDARCHS" => list(&r.build_archs),
            "EXCLUSIVEARCH" => list(&r.exclusive_arch),
            "EXCLUDEARCH" => list(&r.exclude_arch),
            "NAME" => Value::String(r.name.clone()),
            "VERSION" => Value::String(r.version.clone()),
            "RELEASE" => Value::String(r.release.clone()),
            "EPOCH" => r.epoch.into(),
            "ARCH" => {
                Value::String(if r.arch == "src" { "noarch".to_string() } else { r.arch.clone() })
            }
            "SUMMARY" => Value::String(r.summary.clone()),
            "REQUIRENAME" => list(&r.requires),
            "PROVIDENAME" => list(&r.provides),
            _ => return Err(generic(format!("No such rpm header field: {h}"))),
        };
        out.insert(h, v);
    }
    Ok(Value::Struct(out))
}

fn get_repo(hub: &Hub, a: &Args) -> R {
    let tag = tag_or(hub, a.req("tag")?, no_tag_entry)?;
    let repo = match a.int("event")? {
        Some(ev) => hub
            .state
            .repos
            .values()
            .filter(|r| r.tag_id == tag.id && r.create_event <= ev)
            .max_by_key(|r| r.id),
        None => latest_repo(&hub.state, tag.id, Some(a.int("state")?.unwrap_or(repo_state::READY))),
    };
    let repo =
        repo.filter(|r| a.int("min_event").ok().flatten().is_none_or(|m| r.create_event >= m));
    Ok(repo.map_or(Value::Nil, |r| shapes::repo(&hub.state, r)))
}

fn list_hosts(hub: &Hub, a: &Args) -> R {
    let arches: Option<Vec<String>> = match a.get("arches") {
        None => None,
        Some(Value::Array(v)) if v.is_empty() => {
            return Err(generic("arches option cannot be empty"));
        }
        Some(Value::Array(v)) => {
            Some(v.iter().filter_map(Value::as_str).map(str::to_string).collect())
        }
        Some(Value::String(s)) => Some(vec![s.clone()]),
        Some(_) => return Err(generic("Invalid type for arches option")),
    };
    let channel = a.get("channelID").and_then(|c| hub.state.channel_by(c)).map(|c| c.id);
    if a.get("channelID").is_some() && channel.is_none() {
        return Ok(Value::Array(Vec::new()));
    }
    let list = hub.state.hosts.values().filter(|h| {
        arches
            .as_ref()
            .is_none_or(|v| h.arches.split_whitespace().any(|x| v.iter().any(|a| a == x)))
            && channel.is_none_or(|c| h.channels.contains(&c))
            && a.get("ready").is_none_or(|_| a.flag("ready", true) == h.ready)
            && a.get("enabled").is_none_or(|_| a.flag("enabled", true) == h.enabled)
    });
    Ok(Value::Array(list.map(|h| shapes::host(h, hub.host_load(h.id))).collect()))
}

fn create_tag(hub: &mut Hub, ctx: &Ctx, a: &Args) -> R {
    require_perm(hub, ctx, "tag")?;
    let name = a
        .req("name")?
        .as_str()
        .ok_or_else(|| Fault::new(code::PARAMETER, "name must be a string"))?
        .to_string();
    if hub.state.tag_named(&name).is_some() {
        return Err(generic(format!("A tag with the name '{name}' already exists")));
    }
    let parents = match a.get("parent") {
        Some(p) => {
            vec![super::state::Parent { parent_id: tag_or(hub, p, no_tag_info)?.id, priority: 0 }]
        }
        None => Vec::new(),
    };
    let extra = a.get("extra").and_then(Value::as_struct).cloned().unwrap_or_default();
    let now = hub.now();
    hub.state.new_event(now);
    let id = hub.state.alloc("tag");
    hub.state.tags.insert(
        id,
        Tag {
            id,
            name,
            arches: a.text("arches").map(str::to_string),
            parents,
            locked: a.flag("locked", false),
            perm: None,
            extra,
        },
    );
    Ok(Value::Int(id))
}

fn create_target(hub: &mut Hub, ctx: &Ctx, a: &Args) -> R {
    require_perm(hub, ctx, "target")?;
    let name = a.req("name")?.as_str().unwrap_or_default().to_string();
    if hub.state.targets.values().any(|t| t.name == name) {
        return Err(generic(format!("A build target with the name '{name}' already exists")));
    }
    let build_tag = tag_or(hub, a.req("build_tag")?, no_tag_info)?.id;
    let dest_tag = tag_or(hub, a.req("dest_tag")?, no_tag_info)?.id;
    let id = hub.state.alloc("target");
    hub.state.targets.insert(id, Target { id, name, build_tag, dest_tag });
    Ok(Value::Nil)
}

fn group_add(hub: &mut Hub, ctx: &Ctx, a: &Args, pkg: Option<String>) -> R {
    require_perm(hub, ctx, "tag")?;
    let tag_id = tag_or(hub, a.req("taginfo")?, no_tag_info)?.id;
    let name = show(a.req("grpinfo")?);
    if !hub.state.groups.iter().any(|g| g.tag_id == tag_id && g.name == name) {
        let id = hub.state.alloc("group");
        hub.state.groups.push(Group { id, tag_id, name: name.clone(), packages: Vec::new() });
    }
    if let Some(pkg) = pkg {
        let ty = a.rest.get("type").and_then(Value::as_str).unwrap_or("mandatory").to_string();
        let blocked = a.flag("block", false)
            || a.rest.get("blocked").is_some_and(|v| matches!(v, Value::Bool(true)));
        if let Some(g) = hub.state.groups.iter_mut().find(|g| g.tag_id == tag_id && g.name == name)
        {
            g.packages.retain(|(p, _, _)| *p != pkg);
            g.packages.push((pkg, ty, blocked));
        }
    }
    Ok(Value::Nil)
}
