//! Seeding the hub from a [`Scenario`], adding builds with their RPMs, applying scheduled
//! updates, and importing builds produced by non-scratch `build` tasks.
//!
//! Pure state changes on a [`Hub`]; no IO.

use crate::koji::api::toml_to_value;
use crate::koji::xmlrpc::{Struct, Value};

use super::clock::Hub;
use super::scenario::{
    BuildSpec, HostSpec, ParentSpec, RpmSpec, Scenario, ScenarioError, Update, UserSpec,
};
use super::state::{
    Build, Parent, Repo, RepoOpts, Rpm, State, Tag, Target, Task, build_state, repo_state,
};

/// Seeds an empty hub with the scenario's users, tags, targets, hosts, builds and repos.
pub fn seed(hub: &mut Hub, sc: &Scenario, now: f64) -> Result<(), ScenarioError> {
    let st = &mut hub.state;
    let users = if sc.users.is_empty() {
        vec![UserSpec {
            name: "kojiadmin".into(),
            password: Some("kojiadmin".into()),
            perms: vec!["admin".into()],
        }]
    } else {
        sc.users.clone()
    };
    for u in users.iter().chain(std::iter::once(&UserSpec {
        name: "kojira".into(),
        password: None,
        perms: vec!["repo".into()],
    })) {
        if st.user_named(&u.name).is_none() {
            let id = st.alloc("user");
            st.users.insert(
                id,
                super::state::User {
                    id,
                    name: u.name.clone(),
                    password: u.password.clone(),
                    perms: u.perms.clone(),
                    usertype: 0,
                    krb_principal: None,
                },
            );
        }
    }
    st.new_event(now);
    for t in &sc.tags {
        let mut parents = Vec::new();
        for (i, p) in t.parents.iter().enumerate() {
            let (name, priority) = match p {
                ParentSpec::Name(n) => (n, i as i64 * 10),
                ParentSpec::Full { name, priority } => (name, *priority),
            };
            let parent_id = st.tag_named(name).map(|t| t.id).ok_or_else(|| {
                ScenarioError::Invalid(format!(
                    "tag {}: unknown parent {name} (define parents first)",
                    t.name
                ))
            })?;
            parents.push(Parent { parent_id, priority });
        }
        let id = st.alloc("tag");
        let extra: Struct = t.extra.iter().map(|(k, v)| (k.clone(), toml_to_value(v))).collect();
        st.tags.insert(
            id,
            Tag {
                id,
                name: t.name.clone(),
                arches: t.arches.clone(),
                parents,
                locked: t.locked,
                perm: None,
                extra,
            },
        );
        let owner = user_id(st, t.owner.as_deref())?;
        for p in &t.packages {
            st.add_to_pkg_list(id, p, owner, false);
        }
        for p in &t.blocked {
            st.add_to_pkg_list(id, p, owner, true);
        }
        for (g, pkgs) in &t.groups {
            let gid = st.alloc("group");
            let packages =
                pkgs.iter().map(|p| (p.clone(), "mandatory".to_string(), false)).collect();
            st.groups.push(super::state::Group { id: gid, tag_id: id, name: g.clone(), packages });
        }
    }
    for t in &sc.targets {
        let tag = |n: &str| {
            st.tag_named(n).map(|t| t.id).ok_or_else(|| {
                ScenarioError::Invalid(format!("target {}: unknown tag {n}", t.name))
            })
        };
        let (build_tag, dest_tag) = (tag(&t.build_tag)?, tag(&t.dest_tag)?);
        let id = st.alloc("target");
        st.targets.insert(id, Target { id, name: t.name.clone(), build_tag, dest_tag });
    }
    let hosts = if sc.hosts.is_empty() {
        vec![HostSpec {
            name: "kojisim-builder".into(),
            arches: "x86_64 i386 aarch64 ppc64le s390x noarch".into(),
            capacity: Some(10.0),
            load: None,
            ready: None,
            enabled: None,
            channels: None,
        }]
    } else {
        sc.hosts.clone()
    };
    for h in &hosts {
        let names =
            h.channels.clone().unwrap_or_else(|| vec!["default".into(), "createrepo".into()]);
        let mut channels = Vec::new();
        for n in names {
            let id = match st.channel_by(&Value::String(n.clone())) {
                Some(c) => c.id,
                None => {
                    let id = st.alloc("channel");
                    st.channels.insert(id, super::state::Channel { id, name: n, enabled: true });
                    id
                }
            };
            channels.push(id);
        }
        let uid = st.alloc("user");
        st.users.insert(
            uid,
            super::state::User {
                id: uid,
                name: h.name.clone(),
                password: None,
                perms: Vec::new(),
                usertype: 1,
                krb_principal: None,
            },
        );
        let id = st.alloc("host");
        st.hosts.insert(
            id,
            super::state::Host {
                id,
                user_id: uid,
                name: h.name.clone(),
                arches: h.arches.clone(),
                capacity: h.capacity.unwrap_or(4.0),
                base_load: h.load.unwrap_or(0.0),
                ready: h.ready.unwrap_or(true),
                enabled: h.enabled.unwrap_or(true),
                channels,
                description: None,
            },
        );
    }
    for b in &sc.builds {
        add_build(st, b, None, now)?;
    }
    if sc.initial_repos.unwrap_or(true) {
        let mut tags: Vec<i64> = st.targets.values().map(|t| t.build_tag).collect();
        tags.sort();
        tags.dedup();
        for tag_id in tags {
            let id = st.alloc("repo");
            let create_event = st.new_event(now);
            let repo = Repo {
                id,
                tag_id,
                state: repo_state::READY,
                create_event,
                create_ts: now,
                state_ts: now,
                opts: RepoOpts::default(),
                task_id: None,
            };
            for (path, data) in super::repogen::generate(st, &repo) {
                st.put_file(path, data);
            }
            st.repos.insert(id, repo);
        }
    }
    if hub.settings.build_tasks {
        let ids: Vec<i64> = hub.state.builds.keys().copied().collect();
        for id in ids {
            super::tasks::completed_build_task(hub, id, now);
        }
    }
    Ok(())
}

fn user_id(st: &State, name: Option<&str>) -> Result<i64, ScenarioError> {
    match name {
        Some(n) => st
            .user_named(n)
            .map(|u| u.id)
            .ok_or_else(|| ScenarioError::Invalid(format!("unknown user {n}"))),
        None => Ok(st.users.keys().next().copied().unwrap_or(1)),
    }
}

/// Adds a COMPLETE build with its SRPM and binary RPMs and tags it into its tags.
pub fn add_build(
    st: &mut State,
    b: &BuildSpec,
    task_id: Option<i64>,
    now: f64,
) -> Result<i64, ScenarioError> {
    let mut parts = b.nvr.rsplitn(3, '-');
    let (Some(release), Some(version), Some(name)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(ScenarioError::Invalid(format!("bad NVR {:?}", b.nvr)));
    };
    if st.build_by_nvr(&b.nvr).is_some() {
        return Err(ScenarioError::Invalid(format!("build {} already exists", b.nvr)));
    }
    let owner_id = user_id(st, b.owner.as_deref())?;
    let package_id = st.package_id(name);
    let id = st.alloc("build");
    let create_event = st.new_event(now);
    st.builds.insert(
        id,
        Build {
            id,
            package_id,
            name: name.into(),
            version: version.into(),
            release: release.into(),
            epoch: b.epoch,
            state: build_state::COMPLETE,
            task_id,
            owner_id,
            create_event,
            start_ts: now,
            completion_ts: now,
        },
    );
    let base = Rpm {
        build_id: id,
        version: version.into(),
        release: release.into(),
        epoch: b.epoch,
        size: 4096,
        buildtime: now as i64,
        ..Rpm::default()
    };
    let mut rpms = vec![Rpm {
        name: name.into(),
        arch: "src".into(),
        requires: b.build_requires.clone(),
        build_archs: b.build_arch.clone(),
        exclusive_arch: b.exclusive_arch.clone(),
        exclude_arch: b.exclude_arch.clone(),
        summary: format!("Source of {name}"),
        ..base.clone()
    }];
    let arches = b.arches.clone().unwrap_or_else(|| vec!["noarch".to_string()]);
    let mut subs = vec![RpmSpec {
        name: name.into(),
        arch: None,
        provides: b.provides.clone(),
        requires: b.requires.clone(),
        files: b.files.clone(),
    }];
    subs.extend(b.rpms.iter().cloned());
    for sub in &subs {
        let sub_arches = match &sub.arch {
            Some(a) => vec![a.clone()],
            None => arches.clone(),
        };
        for arch in sub_arches {
            rpms.push(Rpm {
                name: sub.name.clone(),
                arch,
                provides: sub.provides.clone(),
                requires: sub.requires.clone(),
                files: sub.files.clone(),
                summary: format!("The {} package", sub.name),
                ..base.clone()
            });
        }
    }
    for mut r in rpms {
        r.id = st.alloc("rpm");
        st.rpms.insert(r.id, r);
    }
    for t in &b.tags {
        let tag_id = st
            .tag_named(t)
            .map(|t| t.id)
            .ok_or_else(|| ScenarioError::Invalid(format!("build {}: unknown tag {t}", b.nvr)))?;
        st.tag_build(tag_id, id, now);
    }
    Ok(id)
}

/// Applies a scheduled update (errors, e.g. an unknown tag, skip that item).
pub fn apply_update(hub: &mut Hub, update: &Update, now: f64) {
    for b in &update.spec.builds {
        if let Ok(id) = add_build(&mut hub.state, b, None, now)
            && hub.settings.build_tasks
        {
            super::tasks::completed_build_task(hub, id, now);
        }
    }
    for (r, tag) in update
        .spec
        .tag
        .iter()
        .map(|r| (r, true))
        .chain(update.spec.untag.iter().map(|r| (r, false)))
    {
        let tag_id = hub.state.tag_named(&r.tag).map(|t| t.id);
        let build_id = hub.state.build_by_nvr(&r.nvr).map(|b| b.id);
        if let (Some(t), Some(b)) = (tag_id, build_id) {
            if tag {
                hub.state.tag_build(t, b, now);
            } else {
                hub.state.untag_build(t, b, now);
            }
        }
    }
    let owner = hub.state.user_named("kojira").map_or(1, |u| u.id);
    for tag in &update.spec.new_repo {
        if hub.state.tag_named(tag).is_some() {
            super::tasks::new_repo_task(hub, tag, owner, RepoOpts::default(), now);
        }
    }
}

/// After a successful non-scratch `build` task: imports the built NVR (from the SRPM file
/// name) as a COMPLETE build with the source package's RPM layout and tags it into the
/// target's destination tag.
pub fn import_task_build(hub: &mut Hub, task: &Task, now: f64) {
    let scratch = task
        .request
        .get(2)
        .and_then(|o| o.get("scratch"))
        .is_some_and(|v| matches!(v, Value::Bool(true) | Value::Int(1..)));
    let src = task.request.first().and_then(Value::as_str).unwrap_or_default();
    let Some(nvr) = src.rsplit('/').next().and_then(|f| f.strip_suffix(".src.rpm")) else { return };
    if scratch || hub.state.build_by_nvr(nvr).is_some() {
        return;
    }
    let Some(template) = super::tasks::source_srpm(hub, src).cloned() else { return };
    let dest = task
        .request
        .get(1)
        .and_then(|t| hub.state.target_by(t))
        .and_then(|t| hub.state.tags.get(&t.dest_tag))
        .map(|t| t.name.clone());
    let subs: Vec<RpmSpec> = hub
        .state
        .build_rpms(template.build_id)
        .filter(|r| r.arch != "src")
        .map(|r| RpmSpec {
            name: r.name.clone(),
            arch: Some(r.arch.clone()),
            provides: r.provides.clone(),
            requires: r.requires.clone(),
            files: r.files.clone(),
        })
        .collect();
    let owner = hub.state.users.get(&task.owner).map(|u| u.name.clone());
    let spec = BuildSpec {
        nvr: nvr.to_string(),
        epoch: template.epoch,
        tags: dest.into_iter().collect(),
        owner,
        arches: Some(Vec::new()),
        build_requires: template.requires.clone(),
        build_arch: template.build_archs.clone(),
        exclusive_arch: template.exclusive_arch.clone(),
        exclude_arch: template.exclude_arch.clone(),
        provides: Vec::new(),
        requires: Vec::new(),
        files: Vec::new(),
        rpms: subs,
    };
    let _ = add_build(&mut hub.state, &spec, Some(task.id), now);
}
