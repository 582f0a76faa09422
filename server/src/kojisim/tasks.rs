//! What each simulated task method does when opened, when due, and when its children are
//! done: `build` (→ `rebuildSRPM`/`buildSRPMFromSCM`, then one `buildArch` per arch, with
//! the repo id in the children's requests), `newRepo` (→ INIT repo + `createrepo` per
//! arch → READY repo with generated metadata), plus creation and cancellation of tasks.
//!
//! Pure state transitions on a [`Hub`]; no IO (logs go into the in-memory file tree).

use crate::koji::xmlrpc::{Fault, Struct, Value};

use super::clock::Hub;
use super::policy::{
    find_rule, matching_rules, resolution_outcome, resolve_and_probe, rule_outcome,
};
use super::query::{group_packages, inheritance, repo_rpms};
use super::state::{Outcome, Repo, RepoOpts, Rpm, Task, repo_state, task_relpath, task_state};

/// Parameters of a new task.
#[derive(Debug, Clone)]
pub struct NewTask {
    /// Method.
    pub method: String,
    /// Arch.
    pub arch: String,
    /// Label (subtasks).
    pub label: Option<String>,
    /// Parent.
    pub parent: Option<i64>,
    /// Owner.
    pub owner: i64,
    /// Channel.
    pub channel_id: i64,
    /// Priority.
    pub priority: i64,
    /// Weight.
    pub weight: f64,
    /// Request parameters.
    pub request: Vec<Value>,
}

/// Inserts a FREE task and returns its id.
pub fn create_task(hub: &mut Hub, t: NewTask, now: f64) -> i64 {
    let id = hub.state.alloc("task");
    let awaited = t.parent.map(|_| true);
    hub.state.tasks.insert(
        id,
        Task {
            id,
            method: t.method,
            state: task_state::FREE,
            arch: t.arch,
            label: t.label,
            parent: t.parent,
            owner: t.owner,
            host_id: None,
            channel_id: t.channel_id,
            priority: t.priority,
            weight: t.weight,
            waiting: None,
            awaited,
            create_ts: now,
            start_ts: None,
            completion_ts: None,
            request: t.request,
            result: None,
            due_ts: None,
            outcome: None,
        },
    );
    id
}

/// Creates a subtask; `kind` is (method, arch, label).
fn child(
    hub: &mut Hub,
    parent: i64,
    (method, arch, label): (&str, &str, &str),
    weight: f64,
    request: Vec<Value>,
    now: f64,
) -> i64 {
    let Some(p) = hub.state.tasks.get_mut(&parent) else { return 0 };
    p.waiting = Some(true);
    let spec = NewTask {
        method: method.to_string(),
        arch: arch.to_string(),
        label: Some(label.to_string()),
        parent: Some(parent),
        owner: p.owner,
        channel_id: p.channel_id,
        priority: p.priority - 1,
        weight,
        request,
    };
    create_task(hub, spec, now)
}

/// Finishes a task: CLOSED with a value or FAILED with a fault.
pub fn finish(hub: &mut Hub, id: i64, result: Result<Value, Fault>, now: f64) {
    if let Some(t) = hub.state.tasks.get_mut(&id) {
        t.state = if result.is_ok() { task_state::CLOSED } else { task_state::FAILED };
        t.completion_ts = Some(now);
        t.waiting = None;
        t.due_ts = None;
        t.result = Some(result);
    }
}

/// Cancels a task (and, with `recurse`, its descendants). Finished tasks are left alone.
pub fn cancel(hub: &mut Hub, id: i64, recurse: bool, now: f64) {
    let Some(t) = hub.state.tasks.get_mut(&id) else { return };
    if !task_state::is_done(t.state) {
        t.state = task_state::CANCELED;
        t.completion_ts = Some(now);
        t.due_ts = None;
        t.waiting = None;
    }
    if recurse {
        let kids: Vec<i64> =
            hub.state.tasks.values().filter(|c| c.parent == Some(id)).map(|c| c.id).collect();
        for k in kids {
            cancel(hub, k, true, now);
        }
    }
}

fn opt<'a>(request: &'a [Value], index: usize, key: &str) -> Option<&'a Value> {
    request.get(index).and_then(|v| v.get(key))
}

/// The SRPM a build source refers to: by the file name's NVR, else the newest SRPM of the
/// package named by the file name or SCM URL.
pub fn source_srpm<'a>(hub: &'a Hub, src: &str) -> Option<&'a Rpm> {
    let last = src.rsplit('/').next().unwrap_or(src);
    if let Some(nvr) = last.strip_suffix(".src.rpm") {
        if let Some(b) = hub.state.build_by_nvr(nvr) {
            return hub.state.build_srpm(b.id);
        }
        let name = nvr.rsplitn(3, '-').nth(2).unwrap_or(nvr);
        return newest_srpm(hub, name);
    }
    let repo = last.split('#').next().unwrap_or(last).split('?').next().unwrap_or(last);
    newest_srpm(hub, repo.strip_suffix(".git").unwrap_or(repo))
}

fn newest_srpm<'a>(hub: &'a Hub, name: &str) -> Option<&'a Rpm> {
    let srpms = hub.state.rpms.values().filter(|r| r.arch == "src" && r.name == name);
    srpms.max_by(|a, b| {
        let ev = |r: &Rpm| {
            crate::rpm::Evr::new(
                u32::try_from(r.epoch.unwrap_or(0)).unwrap_or(0),
                r.version.clone(),
                Some(r.release.clone()),
            )
        };
        ev(a).cmp(&ev(b))
    })
}

/// Arches of a tag, from the first tag in its inheritance chain that has any.
pub fn tag_arches(hub: &Hub, tag_id: i64) -> Vec<String> {
    inheritance(&hub.state, tag_id)
        .into_iter()
        .find_map(|t| hub.state.tags.get(&t).and_then(|t| t.arches.clone()))
        .map(|a| a.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Called when a task becomes OPEN.
pub fn on_open(hub: &mut Hub, id: i64, now: f64) {
    let Some(task) = hub.state.tasks.get(&id).cloned() else { return };
    match task.method.as_str() {
        "build" => open_build(hub, &task, now),
        "rebuildSRPM" | "buildSRPMFromSCM" => {
            let src = task.request.first().and_then(Value::as_str).unwrap_or_default().to_string();
            let srpm = source_srpm(hub, &src).cloned();
            let outcome = match &srpm {
                None => Outcome::Fail {
                    log_name: "build.log".to_string(),
                    log: format!(
                        "error: cannot find a package for source {src} in the simulator\n"
                    ),
                    fault: Fault::new(
                        1005,
                        format!(
                            "error building srpm, mock exited with status 1; see build.log for more information ({src})"
                        ),
                    ),
                },
                Some(s) => {
                    let nvr = format!("{}-{}-{}", s.name, s.version, s.release);
                    find_rule(&hub.rules, &s.name, &nvr, "noarch", "srpm")
                        .map_or(Outcome::Succeed, |r| rule_outcome(&r.action, "noarch"))
                }
            };
            set_outcome(hub, id, outcome, now + hub.settings.srpm_duration);
        }
        "buildArch" => {
            let outcome = arch_outcome(hub, &task);
            set_outcome(hub, id, outcome, now + hub.settings.arch_duration);
        }
        "newRepo" => open_new_repo(hub, &task, now),
        "createrepo" => set_outcome(hub, id, Outcome::Succeed, now + hub.settings.repo_duration),
        _ => finish(hub, id, Ok(Value::Nil), now),
    }
}

fn set_outcome(hub: &mut Hub, id: i64, outcome: Outcome, due: f64) {
    if let Some(t) = hub.state.tasks.get_mut(&id) {
        t.due_ts = if outcome == Outcome::Hold { None } else { Some(due) };
        t.outcome = Some(outcome);
    }
}

fn arch_outcome(hub: &Hub, task: &Task) -> Outcome {
    let parent = task.parent.and_then(|p| hub.state.tasks.get(&p));
    let src = parent.and_then(|p| p.request.first()).and_then(Value::as_str).unwrap_or_default();
    let Some(srpm) = source_srpm(hub, src) else { return Outcome::Hold };
    let nvr = format!("{}-{}-{}", srpm.name, srpm.version, srpm.release);
    let rules: Vec<_> = matching_rules(&hub.rules, &srpm.name, &nvr, &task.arch, "arch").collect();
    if let Some(rule) = rules.first().filter(|r| r.buildroot.is_none()) {
        return rule_outcome(&rule.action, &task.arch);
    }
    let repo_id = opt(&task.request, 4, "repo_id").and_then(Value::as_i64).unwrap_or(0);
    let Some(repo) = hub.state.repos.get(&repo_id) else {
        return Outcome::Fault(Fault::new(1000, format!("No such repo: {repo_id}")));
    };
    let arch = if task.arch == "noarch" {
        tag_arches(hub, repo.tag_id).into_iter().next().unwrap_or_else(|| "x86_64".to_string())
    } else {
        task.arch.clone()
    };
    let available = repo_rpms(&hub.state, repo.tag_id, repo.create_event, &arch, false);
    let mut roots = group_packages(&hub.state, repo.tag_id, "build");
    roots.extend(srpm.requires.iter().cloned());
    let probes: Vec<&str> = rules.iter().filter_map(|r| r.buildroot.as_deref()).collect();
    let (resolution, probed) = resolve_and_probe(&available, &roots, &probes);
    // The first rule whose condition holds (rules without one always hold).
    let mut probed = probed.into_iter();
    let decided = rules.iter().find(|r| r.buildroot.is_none() || probed.next() == Some(true));
    match decided {
        Some(rule) => rule_outcome(&rule.action, &task.arch),
        None => resolution_outcome(&resolution, &task.arch),
    }
}

fn fail_generic(hub: &mut Hub, id: i64, msg: String, now: f64) {
    finish(hub, id, Err(Fault::new(1000, msg)), now);
}

fn open_build(hub: &mut Hub, task: &Task, now: f64) {
    let req = &task.request;
    let src = req.first().and_then(Value::as_str).unwrap_or_default().to_string();
    let repo_id = opt(req, 2, "repo_id").and_then(Value::as_i64);
    let scratch =
        opt(req, 2, "scratch").is_some_and(|v| matches!(v, Value::Bool(true) | Value::Int(1..)));
    let (build_tag, repo) = if let Some(rid) = repo_id {
        match hub.state.repos.get(&rid) {
            Some(r) if matches!(r.state, repo_state::READY | repo_state::EXPIRED) => {
                (r.tag_id, Some(rid))
            }
            Some(_) => return fail_generic(hub, task.id, format!("Repo {rid} is not usable"), now),
            None => return fail_generic(hub, task.id, format!("No such repo: {rid}"), now),
        }
    } else {
        let target = req.get(1).cloned().unwrap_or(Value::Nil);
        let Some(t) = hub.state.target_by(&target).cloned() else {
            let name = target.as_str().map_or_else(|| format!("{target:?}"), str::to_string);
            return fail_generic(hub, task.id, format!("No such build target: {name}"), now);
        };
        let latest = super::query::latest_repo(&hub.state, t.build_tag, Some(repo_state::READY))
            .map(|r| r.id);
        (t.build_tag, latest)
    };
    let Some(repo_id) = repo else {
        // No repo yet: ask for one (kojid would wait for the repo queue) and retry later.
        let pending = hub.state.tasks.values().any(|t| {
            t.method == "newRepo"
                && !task_state::is_done(t.state)
                && t.request.first() == Some(&Value::Int(build_tag))
        });
        if !pending {
            let tag_name =
                hub.state.tags.get(&build_tag).map(|t| t.name.clone()).unwrap_or_default();
            new_repo_task(hub, &tag_name, task.owner, RepoOpts::default(), now);
        }
        if let Some(t) = hub.state.tasks.get_mut(&task.id) {
            t.due_ts = Some(now + hub.settings.repo_duration);
        }
        return;
    };
    let mut opts = Struct::new();
    opts.insert("repo_id".to_string(), Value::Int(repo_id));
    if scratch {
        opts.insert("scratch".to_string(), Value::Bool(true));
    }
    let method = if src.contains("://") { "buildSRPMFromSCM" } else { "rebuildSRPM" };
    if let Some(t) = hub.state.tasks.get_mut(&task.id) {
        t.due_ts = None;
    }
    child(
        hub,
        task.id,
        (method, "noarch", "srpm"),
        1.0,
        vec![Value::String(src), Value::Int(build_tag), Value::Struct(opts)],
        now,
    );
}

/// Creates a newRepo task for a tag (channel `createrepo`, priority 15).
pub fn new_repo_task(hub: &mut Hub, tag: &str, owner: i64, opts: RepoOpts, now: f64) -> i64 {
    let tag_id = hub.state.tag_named(tag).map_or(0, |t| t.id);
    let channel_id = hub.state.channel_by(&Value::from("createrepo")).map_or(1, |c| c.id);
    let mut kw = Struct::new();
    kw.insert("__starstar".to_string(), Value::Bool(true));
    kw.insert("src".to_string(), Value::Bool(opts.src));
    kw.insert("debuginfo".to_string(), Value::Bool(opts.debuginfo));
    kw.insert("separate_src".to_string(), Value::Bool(opts.separate_src));
    let spec = NewTask {
        method: "newRepo".to_string(),
        arch: "noarch".to_string(),
        label: None,
        parent: None,
        owner,
        channel_id,
        priority: 15,
        weight: 0.1,
        request: vec![Value::Int(tag_id), Value::Struct(kw)],
    };
    create_task(hub, spec, now)
}

fn open_new_repo(hub: &mut Hub, task: &Task, now: f64) {
    let tag_id = task.request.first().and_then(Value::as_i64).unwrap_or(0);
    if !hub.state.tags.contains_key(&tag_id) {
        return fail_generic(hub, task.id, format!("No such tagInfo: {tag_id}"), now);
    }
    let flag = |k: &str| opt(&task.request, 1, k).and_then(Value::as_bool).unwrap_or(false);
    let opts = RepoOpts {
        src: flag("src"),
        debuginfo: flag("debuginfo"),
        separate_src: flag("separate_src"),
        maven: false,
    };
    let id = hub.state.alloc("repo");
    let create_event = hub.state.new_event(now);
    hub.state.repos.insert(
        id,
        Repo {
            id,
            tag_id,
            state: repo_state::INIT,
            create_event,
            create_ts: now,
            state_ts: now,
            opts,
            task_id: Some(task.id),
        },
    );
    let arches = super::repogen::repo_arches(&hub.state, tag_id);
    if let Some(t) = hub.state.tasks.get_mut(&task.id) {
        t.waiting = Some(true);
    }
    for arch in arches {
        child(
            hub,
            task.id,
            ("createrepo", "noarch", &arch),
            1.5,
            vec![Value::Int(id), Value::String(arch.clone()), Value::Nil],
            now,
        );
    }
}

/// Called when an OPEN task's duration has passed.
pub fn on_due(hub: &mut Hub, id: i64, now: f64) {
    let Some(task) = hub.state.tasks.get(&id).cloned() else { return };
    if task.method == "build" {
        // Retry after waiting for a repo.
        if let Some(t) = hub.state.tasks.get_mut(&id) {
            t.due_ts = None;
        }
        return open_build(hub, &task, now);
    }
    let dir = task_relpath(id);
    let outcome = task.outcome.clone().unwrap_or(Outcome::Succeed);
    for log in ["state.log", "mock_output.log", "hw_info.log", "root.log", "build.log"] {
        let text = format!(
            "kojisim: {} task {id} ({}) on arch {}\n",
            task.method,
            task_state::name(task.state),
            task.arch
        );
        hub.state.put_file(format!("work/{dir}/{log}"), text);
    }
    let logs: Vec<Value> = ["build.log", "root.log", "state.log", "mock_output.log", "hw_info.log"]
        .iter()
        .map(|l| Value::String(format!("{dir}/{l}")))
        .collect();
    match outcome {
        Outcome::Hold => {}
        Outcome::Fault(f) => finish(hub, id, Err(f), now),
        Outcome::Fail { log_name, log, fault } => {
            hub.state.put_file(format!("work/{dir}/{log_name}"), log);
            finish(hub, id, Err(fault), now);
        }
        Outcome::Succeed => {
            let result = success_result(hub, &task, &dir, logs);
            finish(hub, id, Ok(result), now);
        }
    }
}

fn success_result(hub: &Hub, task: &Task, dir: &str, logs: Vec<Value>) -> Value {
    let parent_src = task
        .parent
        .and_then(|p| hub.state.tasks.get(&p))
        .and_then(|p| p.request.first())
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let srpm = source_srpm(hub, &parent_src);
    let srpm_name = srpm.map(Rpm::filename).unwrap_or_default();
    match task.method.as_str() {
        "rebuildSRPM" | "buildSRPMFromSCM" => Value::structure([
            ("srpm", Value::String(format!("{dir}/{srpm_name}"))),
            ("logs", Value::Array(logs)),
            ("brootid", Value::Int(task.id * 10)),
            ("source", Value::structure([("source", parent_src.clone()), ("url", parent_src)])),
        ]),
        "buildArch" => {
            let rpms: Vec<Value> = srpm
                .map(|s| {
                    hub.state
                        .build_rpms(s.build_id)
                        .filter(|r| {
                            r.arch != "src"
                                && (r.arch == task.arch
                                    || r.arch == "noarch"
                                    || task.arch == "noarch")
                        })
                        .map(|r| Value::String(format!("{dir}/{}", r.filename())))
                        .collect()
                })
                .unwrap_or_default();
            let keep = task.request.get(3).and_then(Value::as_bool).unwrap_or(false);
            let srpms =
                if keep { vec![Value::String(format!("{dir}/{srpm_name}"))] } else { Vec::new() };
            Value::structure([
                ("rpms", Value::Array(rpms)),
                ("srpms", Value::Array(srpms)),
                ("logs", Value::Array(logs)),
                ("brootid", Value::Int(task.id * 10)),
            ])
        }
        "createrepo" => {
            let files =
                ["repomd.xml", "primary.xml.gz", "filelists.xml.gz", "other.xml.gz", "comps.xml"];
            Value::Array(vec![
                Value::String(dir.to_string()),
                Value::Array(files.iter().map(|f| Value::from(*f)).collect()),
            ])
        }
        _ => Value::Nil,
    }
}

/// Called for an OPEN parent that waits on children; returns whether anything changed.
pub fn on_children(hub: &mut Hub, id: i64, now: f64) -> bool {
    let Some(task) = hub.state.tasks.get(&id).cloned() else { return false };
    let kids: Vec<Task> =
        hub.state.tasks.values().filter(|c| c.parent == Some(id)).cloned().collect();
    if let Some(failed) = kids.iter().find(|k| k.state == task_state::FAILED) {
        let fault = match &failed.result {
            Some(Err(f)) => f.clone(),
            _ => Fault::new(1000, format!("Task {} failed", failed.id)),
        };
        for k in kids.iter().filter(|k| !task_state::is_done(k.state)) {
            cancel(hub, k.id, true, now);
        }
        finish(hub, id, Err(fault), now);
        return true;
    }
    if kids.iter().any(|k| !task_state::is_done(k.state)) {
        return false;
    }
    if kids.iter().any(|k| k.state == task_state::CANCELED) {
        cancel(hub, id, false, now);
        return true;
    }
    match task.method.as_str() {
        "build" if kids.iter().all(|k| k.method != "buildArch") => {
            start_arch_tasks(hub, &task, &kids, now);
            true
        }
        "newRepo" => {
            finish_repo(hub, &task, now);
            true
        }
        _ => {
            finish(hub, id, Ok(Value::Nil), now);
            if task.method == "build" {
                super::seed::import_task_build(hub, &task, now);
            }
            true
        }
    }
}

fn start_arch_tasks(hub: &mut Hub, task: &Task, kids: &[Task], now: f64) {
    let Some(srpm_task) = kids.first() else { return };
    let srpm_path = match &srpm_task.result {
        Some(Ok(v)) => v.get("srpm").and_then(Value::as_str).unwrap_or_default().to_string(),
        _ => String::new(),
    };
    let build_tag = srpm_task.request.get(1).and_then(Value::as_i64).unwrap_or(0);
    let repo_id = opt(&srpm_task.request, 2, "repo_id").cloned().unwrap_or(Value::Nil);
    let scratch = opt(&task.request, 2, "scratch").is_some_and(|v| matches!(v, Value::Bool(true)));
    let src = task.request.first().and_then(Value::as_str).unwrap_or_default();
    let headers = source_srpm(hub, src).cloned().unwrap_or_default();
    let mut arches = tag_arches(hub, build_tag);
    if let Some(over) =
        opt(&task.request, 2, "arch_override").and_then(Value::as_str).filter(|_| scratch)
    {
        arches = over.split_whitespace().map(str::to_string).collect();
    } else if headers.build_archs.iter().any(|a| a == "noarch") {
        arches = vec!["noarch".to_string()];
    } else {
        if !headers.exclusive_arch.is_empty() {
            arches.retain(|a| headers.exclusive_arch.contains(a));
        }
        arches.retain(|a| !headers.exclude_arch.contains(a));
    }
    if arches.is_empty() {
        return finish(hub, task.id, Err(Fault::new(1005, "No matching arches were found")), now);
    }
    for (i, arch) in arches.iter().enumerate() {
        let opts = Value::structure([("repo_id", repo_id.clone())]);
        let req = vec![
            Value::String(srpm_path.clone()),
            Value::Int(build_tag),
            Value::String(arch.clone()),
            Value::Bool(i == 0),
            opts,
        ];
        let task_arch =
            if arch == "noarch" { "noarch".to_string() } else { super::query::canon_arch(arch) };
        child(hub, task.id, ("buildArch", &task_arch, arch), 1.5, req, now);
    }
}

fn finish_repo(hub: &mut Hub, task: &Task, now: f64) {
    let Some(repo) = hub.state.repos.values().find(|r| r.task_id == Some(task.id)).cloned() else {
        return finish(hub, task.id, Err(Fault::new(1000, "repo vanished")), now);
    };
    for (path, data) in super::repogen::generate(&hub.state, &repo) {
        hub.state.put_file(path, data);
    }
    if hub.settings.expire_old_repos {
        for r in
            hub.state.repos.values_mut().filter(|r| {
                r.tag_id == repo.tag_id && r.state == repo_state::READY && r.id != repo.id
            })
        {
            r.state = repo_state::EXPIRED;
            r.state_ts = now;
        }
    }
    if let Some(r) = hub.state.repos.get_mut(&repo.id) {
        r.state = repo_state::READY;
        r.state_ts = now;
    }
    finish(
        hub,
        task.id,
        Ok(Value::Array(vec![Value::Int(repo.id), Value::Int(repo.create_event)])),
        now,
    );
}

/// Gives the COMPLETE build `build_id` the CLOSED task tree a real build would have left:
/// `build` (source `cli-build/…/NVR.src.rpm`, the first target's name) with a `rebuildSRPM`
/// child and one `buildArch` per binary arch, the repo id in the children's requests. Lets
/// seeded builds be registered as real builds by Koschei's polling. Returns the task id (0
/// when there is no such build, no target or no READY repo of its build tag).
pub fn completed_build_task(hub: &mut Hub, build_id: i64, now: f64) -> i64 {
    let Some(build) = hub.state.builds.get(&build_id).cloned() else { return 0 };
    let Some(target) = hub.state.targets.values().min_by_key(|t| t.id).cloned() else {
        return 0;
    };
    let Some(repo_id) =
        super::query::latest_repo(&hub.state, target.build_tag, Some(repo_state::READY))
            .map(|r| r.id)
    else {
        return 0;
    };
    let nvr = format!("{}-{}-{}", build.name, build.version, build.release);
    let src = format!("cli-build/{}.{build_id}/{nvr}.src.rpm", now as i64);
    let mut arches: Vec<String> = hub
        .state
        .build_rpms(build_id)
        .filter(|r| r.arch != "src")
        .map(|r| r.arch.clone())
        .collect();
    arches.sort();
    arches.dedup();
    if arches.len() > 1 {
        arches.retain(|a| a != "noarch");
    }
    let channel_id = hub.state.channel_by(&Value::from("default")).map_or(1, |c| c.id);
    let host_id = hub.state.hosts.keys().next().copied();
    let parent = create_task(
        hub,
        NewTask {
            method: "build".to_string(),
            arch: "noarch".to_string(),
            label: None,
            parent: None,
            owner: build.owner_id,
            channel_id,
            priority: 50,
            weight: 0.2,
            request: vec![
                Value::String(src.clone()),
                Value::String(target.name),
                Value::Struct(Struct::new()),
            ],
        },
        now,
    );
    let repo_opts = || Value::structure([("repo_id", Value::Int(repo_id))]);
    let mut kids = vec![child(
        hub,
        parent,
        ("rebuildSRPM", "noarch", "srpm"),
        1.0,
        vec![Value::String(src), Value::Int(target.build_tag), repo_opts()],
        now,
    )];
    let srpm_path = format!("tasks/{}/{}/{nvr}.src.rpm", kids[0] % 10000, kids[0]);
    for (i, arch) in arches.iter().enumerate() {
        let req = vec![
            Value::String(srpm_path.clone()),
            Value::Int(target.build_tag),
            Value::String(arch.clone()),
            Value::Bool(i == 0),
            repo_opts(),
        ];
        kids.push(child(hub, parent, ("buildArch", arch, arch), 1.5, req, now));
    }
    for id in kids.into_iter().chain([parent]) {
        let Some(task) = hub.state.tasks.get_mut(&id) else { continue };
        task.state = task_state::OPEN;
        task.start_ts = Some(now);
        task.host_id = host_id;
        let task = task.clone();
        let result = if id == parent {
            Value::Nil
        } else {
            success_result(hub, &task, &task_relpath(id), Vec::new())
        };
        finish(hub, id, Ok(result), now);
    }
    if let Some(b) = hub.state.builds.get_mut(&build_id) {
        b.task_id = Some(parent);
    }
    parent
}
