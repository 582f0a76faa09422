//! Unit tests of the simulator core (no HTTP): scenario seeding, queries, the resolver,
//! the task driver under the manual clock, repo generation and method results.

use crate::koji::xmlrpc::{Fault, Value, kwargs_struct};

use super::KojiSim;
use super::dispatch::{self, Credentials};
use super::policy::resolve;
use super::query::{list_tagged, repo_rpms};
use super::scenario::Scenario;
use super::state::{Rpm, repo_state, task_state};

fn sim() -> KojiSim {
    KojiSim::builtin().expect("builtin scenario")
}

fn call(
    sim: &KojiSim,
    creds: &Credentials,
    method: &str,
    params: Vec<Value>,
) -> Result<Value, Fault> {
    sim.with_hub(|h| dispatch::handle(h, creds, method, params))
}

fn login(sim: &KojiSim, user: &str) -> Credentials {
    let v =
        call(sim, &Credentials::default(), "login", vec![user.into(), user.into()]).expect("login");
    Credentials {
        session_id: Some(v.get("session-id").and_then(Value::as_i64).expect("id").to_string()),
        session_key: Some(v.get("session-key").and_then(Value::as_str).expect("key").to_string()),
        callnum: None,
    }
}

fn scratch(sim: &KojiSim, creds: &Credentials, src: &str) -> i64 {
    let opts = Value::structure([("scratch", Value::Bool(true))]);
    let params = vec![src.into(), "f99".into(), opts, kwargs_struct([("priority", 30)])];
    call(sim, creds, "build", params).expect("build").as_i64().expect("task id")
}

fn srpm(name: &str) -> String {
    let sim = sim();
    sim.with_hub(|h| {
        let r = h.state.rpms.values().find(|r| r.arch == "src" && r.name == name).expect("srpm");
        format!(
            "../packages/{n}/{v}/{r}/src/{n}-{v}-{r}.src.rpm",
            n = r.name,
            v = r.version,
            r = r.release
        )
    })
}

#[test]
fn builtin_builds_resolve_except_broken() {
    let sim = sim();
    sim.with_hub(|h| {
        let tag = h.state.tag_named("f99-build").expect("tag").id;
        let repo = super::query::latest_repo(&h.state, tag, Some(repo_state::READY))
            .expect("initial repo")
            .clone();
        let group = super::query::group_packages(&h.state, tag, "build");
        assert!(group.len() >= 20, "{group:?}");
        let srpms: Vec<Rpm> = h.state.rpms.values().filter(|r| r.arch == "src").cloned().collect();
        assert!(srpms.len() >= 30, "only {} builds", srpms.len());
        for arch in ["x86_64", "aarch64"] {
            let avail = repo_rpms(&h.state, tag, repo.create_event, arch, false);
            for s in &srpms {
                let mut roots = group.clone();
                roots.extend(s.requires.iter().cloned());
                let res = resolve(&avail, &roots);
                assert_eq!(
                    res.problems.is_empty(),
                    s.name != "broken",
                    "{} on {arch}: {:?}",
                    s.name,
                    res.problems
                );
            }
        }
    });
}

#[test]
fn resolver_versions_rich_and_files() {
    let mk = |name: &str, ver: &str, provides: &[&str], requires: &[&str], files: &[&str]| Rpm {
        name: name.into(),
        version: ver.into(),
        release: "1".into(),
        arch: "x86_64".into(),
        provides: provides.iter().map(|s| s.to_string()).collect(),
        requires: requires.iter().map(|s| s.to_string()).collect(),
        files: files.iter().map(|s| s.to_string()).collect(),
        ..Rpm::default()
    };
    let pkgs = [
        mk("a", "1.0", &["liba = 1.0"], &["c"], &[]),
        mk("a", "2.0", &["liba = 2.0"], &[], &[]),
        mk("b", "1.0", &[], &[], &["/usr/bin/b"]),
        mk("c", "1.0", &[], &["(nothere or b)"], &[]),
    ];
    let avail: Vec<&Rpm> = pkgs.iter().collect();
    let r =
        |roots: &[&str]| resolve(&avail, &roots.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert!(r(&["liba >= 2"]).problems.is_empty());
    assert_eq!(r(&["liba > 2.0"]).problems, vec!["liba > 2.0".to_string()]);
    let res = r(&["liba < 2"]);
    assert!(res.problems.is_empty(), "{res:?}");
    assert_eq!(res.installed, vec!["a-1.0-1.x86_64", "c-1.0-1.x86_64", "b-1.0-1.x86_64"]);
    assert!(r(&["/usr/bin/b", "a(x86-64) = 2.0-1"]).problems.is_empty());
    assert!(r(&["(a >= 2.0 with a < 3)"]).problems.is_empty());
    assert!(!r(&["(a >= 3 with a < 4)"]).problems.is_empty());
    assert!(r(&["(nothere if b)"]).problems.is_empty(), "condition not installed: nothing needed");
    assert!(!r(&["b", "(nothere if b)"]).problems.is_empty());
    assert!(!r(&["not a valid (dep"]).problems.is_empty());
}

#[test]
fn list_tagged_inheritance_latest_and_history() {
    let sim = sim();
    let creds = login(&sim, "kojiadmin");
    let (f99, build_tag, foo) = sim.with_hub(|h| {
        (
            h.state.tag_named("f99").expect("f99").id,
            h.state.tag_named("f99-build").expect("b").id,
            h.state.build_by_nvr("foo-1.0-1.fc99").expect("foo").id,
        )
    });
    let before = sim.with_hub(|h| h.state.event);
    sim.with_hub(|h| {
        assert!(list_tagged(&h.state, build_tag, None, false, None, None).is_empty());
        let inherited = list_tagged(&h.state, build_tag, None, true, Some(1), Some("foo"));
        assert_eq!(inherited.len(), 1);
        assert_eq!(inherited[0].tag_id, f99);
    });
    call(&sim, &creds, "untagBuild", vec!["f99".into(), "foo-1.0-1.fc99".into()]).expect("untag");
    let latest = |sim: &KojiSim, event: Option<i64>| {
        sim.with_hub(|h| list_tagged(&h.state, build_tag, event, true, Some(1), Some("foo")).len())
    };
    assert_eq!(latest(&sim, None), 0);
    assert_eq!(latest(&sim, Some(before)), 1, "history keeps the old tagging");
    let err = call(&sim, &creds, "untagBuild", vec!["f99".into(), "foo-1.0-1.fc99".into()])
        .expect_err("not tagged");
    assert_eq!(err.code, 1003);
    let task = call(&sim, &creds, "tagBuild", vec!["f99".into(), Value::Int(foo)]).expect("tag");
    assert_eq!(sim.task(task.as_i64().expect("id")).expect("task").state, task_state::CLOSED);
    assert_eq!(latest(&sim, None), 1);
    let anon = call(&sim, &Credentials::default(), "tagBuild", vec!["f99".into(), Value::Int(foo)])
        .expect_err("anon");
    assert_eq!(anon.code, 1004);
}

#[test]
fn scratch_build_round_trip_under_manual_clock() {
    let sim = sim();
    let creds = login(&sim, "koschei");
    let id = scratch(&sim, &creds, &srpm("foo"));
    let t = sim.task(id).expect("task");
    assert_eq!(
        (t.state, t.method.as_str(), t.priority, t.arch.as_str()),
        (task_state::FREE, "build", 50, "noarch")
    );
    sim.advance(1.0);
    assert_eq!(sim.task(id).expect("task").state, task_state::OPEN);
    let kids = sim.children(id);
    assert_eq!(kids.len(), 1);
    assert_eq!(kids[0].method, "rebuildSRPM");
    let repo_id = kids[0].request[2]
        .get("repo_id")
        .and_then(Value::as_i64)
        .expect("repo_id in rebuildSRPM request");
    sim.advance(40.0);
    let kids = sim.children(id);
    let arch_kids: Vec<_> = kids.iter().filter(|k| k.method == "buildArch").collect();
    assert_eq!(arch_kids.len(), 2, "{kids:?}");
    for k in &arch_kids {
        assert_eq!(k.request[4].get("repo_id").and_then(Value::as_i64), Some(repo_id));
        assert!(k.request[0].as_str().is_some_and(|s| s.ends_with("foo-1.0-1.fc99.src.rpm")));
    }
    assert_eq!(sim.task(id).expect("task").state, task_state::OPEN);
    sim.advance(200.0);
    let t = sim.task(id).expect("task");
    assert_eq!(t.state, task_state::CLOSED);
    assert!(t.completion_ts.is_some_and(|c| c > t.create_ts));
    assert!(sim.children(id).iter().all(|k| k.state == task_state::CLOSED));
    assert_eq!(call(&sim, &creds, "getTaskResult", vec![Value::Int(id)]), Ok(Value::Nil));
    let arch = arch_kids[0].id;
    let res = call(&sim, &creds, "getTaskResult", vec![Value::Int(arch)]).expect("result");
    let rpms = res.get("rpms").and_then(Value::as_array).expect("rpms");
    assert!(rpms.iter().any(|r| r.as_str().is_some_and(|s| s.ends_with(".rpm"))), "{res:?}");
    let out = call(&sim, &creds, "listTaskOutput", vec![Value::Int(arch)]).expect("output");
    assert!(out.as_array().expect("list").contains(&Value::from("build.log")));
}

fn finished_fault(sim: &KojiSim, creds: &Credentials, id: i64) -> Fault {
    sim.advance(1000.0);
    assert_eq!(sim.task(id).expect("task").state, task_state::FAILED);
    call(sim, creds, "getTaskResult", vec![Value::Int(id)]).expect_err("failed task raises")
}

#[test]
fn failing_faulting_and_holding_policies() {
    let sim = sim();
    let creds = login(&sim, "koschei");
    let broken = scratch(&sim, &creds, &srpm("broken"));
    let f = finished_fault(&sim, &creds, broken);
    assert_eq!(f.code, 1005);
    assert!(f.string.contains("see root.log"), "{f}");
    let failed = sim
        .children(broken)
        .into_iter()
        .find(|k| k.state == task_state::FAILED)
        .expect("failed child");
    let log = sim
        .file(&format!("work/{}/root.log", super::state::task_relpath(failed.id)))
        .expect("root.log");
    assert!(String::from_utf8_lossy(&log).contains("nonexistent-lib-devel >= 2"));
    assert!(
        sim.children(broken)
            .iter()
            .any(|k| k.state == task_state::CANCELED || k.state == task_state::FAILED)
    );

    let flaky = scratch(&sim, &creds, &srpm("flaky"));
    let f = finished_fault(&sim, &creds, flaky);
    assert!(f.string.contains("see build.log"), "{f}");
    let kid = sim
        .children(flaky)
        .into_iter()
        .find(|k| k.state == task_state::FAILED)
        .expect("failed child");
    let log = sim
        .file(&format!("work/{}/build.log", super::state::task_relpath(kid.id)))
        .expect("build.log");
    assert!(String::from_utf8_lossy(&log).contains("1 of 42 tests failed"));

    let text = format!(
        "{}\n[[rule]]\npackage = \"rnv\"\noutcome = \"fault\"\n\n[[rule]]\npackage = \"f?o\"\noutcome = \"hold\"\n\n[[rule]]\npackage = \"b*r\"\nstage = \"srpm\"\noutcome = \"fault\"\nfault_code = 1001\nfault_string = \"lock held\"\n",
        super::scenario::builtin_toml()
    );
    let sim = KojiSim::new(Scenario::from_toml(&text).expect("scenario")).expect("sim");
    let creds = login(&sim, "koschei");
    let rnv = scratch(&sim, &creds, &srpm("rnv"));
    let f = finished_fault(&sim, &creds, rnv);
    assert_eq!(f.code, 1);
    assert!(f.string.contains("No space left"));
    let bar = scratch(&sim, &creds, &srpm("bar"));
    assert_eq!(finished_fault(&sim, &creds, bar).code, 1001);
    let foo = scratch(&sim, &creds, &srpm("foo"));
    sim.advance(100_000.0);
    assert_eq!(sim.task(foo).expect("task").state, task_state::OPEN, "held");
    let err = call(&sim, &Credentials::default(), "cancelTask", vec![Value::Int(foo)])
        .expect_err("anonymous");
    assert_eq!(err.code, 1004);
    call(&sim, &creds, "cancelTask", vec![Value::Int(foo)]).expect("cancel");
    assert_eq!(sim.task(foo).expect("task").state, task_state::CANCELED);
    assert!(
        sim.children(foo)
            .iter()
            .filter(|k| k.method == "buildArch")
            .all(|k| k.state == task_state::CANCELED)
    );
    let f = call(&sim, &creds, "getTaskResult", vec![Value::Int(foo)]).expect_err("canceled");
    assert_eq!((f.code, f.string.as_str()), (1000, format!("Task {foo} is canceled").as_str()));
    assert_eq!(
        call(&sim, &creds, "cancelTask", vec![Value::Int(rnv)]),
        Ok(Value::Nil),
        "no-op on finished"
    );
    assert_eq!(sim.task(rnv).expect("task").state, task_state::FAILED);
}

#[test]
fn arch_override_and_noarch_and_unknown_target() {
    let sim = sim();
    let creds = login(&sim, "koschei");
    let opts = Value::structure([
        ("scratch", Value::Bool(true)),
        ("arch_override", Value::from("x86_64")),
    ]);
    let id = call(&sim, &creds, "build", vec![srpm("foo").into(), "f99".into(), opts])
        .expect("build")
        .as_i64()
        .expect("id");
    let bar = scratch(&sim, &creds, &srpm("bar"));
    let bad = call(&sim, &creds, "build", vec![srpm("foo").into(), "nope".into(), Value::Nil])
        .expect("build")
        .as_i64()
        .expect("id");
    sim.advance(1000.0);
    let arches = |id: i64| {
        sim.children(id)
            .iter()
            .filter(|k| k.method == "buildArch")
            .map(|k| k.label.clone().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(arches(id), vec!["x86_64"]);
    assert_eq!(arches(bar), vec!["noarch"]);
    assert_eq!(sim.task(bad).expect("task").state, task_state::FAILED);
    let f = call(&sim, &creds, "getTaskResult", vec![Value::Int(bad)]).expect_err("fault");
    assert_eq!(f.string, "No such build target: nope");
}

#[test]
fn new_repo_and_scheduled_updates() {
    let text = format!(
        "{}\n[[update]]\nat = 600\nnew_repo = [\"f99-build\"]\n[[update.build]]\nnvr = \"zlib-1.3.2-1.fc99\"\ntags = [\"f99\"]\narches = [\"x86_64\", \"aarch64\"]\n",
        super::scenario::builtin_toml()
    );
    let sim = KojiSim::new(Scenario::from_toml(&text).expect("scenario")).expect("sim");
    let creds = login(&sim, "koschei");
    let first =
        call(&sim, &creds, "getRepo", vec!["f99-build".into(), kwargs_struct([("state", 1)])])
            .expect("repo");
    let first_id = first.get("id").and_then(Value::as_i64).expect("id");
    sim.advance(599.0);
    assert_eq!(
        call(&sim, &creds, "getRepo", vec!["f99-build".into()]).expect("repo").get("id"),
        Some(&Value::Int(first_id))
    );
    sim.advance(100.0);
    let repo = call(&sim, &creds, "getRepo", vec!["f99-build".into()]).expect("repo");
    let new_id = repo.get("id").and_then(Value::as_i64).expect("id");
    assert!(new_id > first_id);
    assert_eq!(sim.repo(first_id).expect("old").state, repo_state::EXPIRED);
    let task = repo.get("task_id").and_then(Value::as_i64).expect("task");
    let kids = sim.children(task);
    assert_eq!(kids.iter().filter(|k| k.method == "createrepo").count(), 2);
    assert_eq!(kids[0].request[0], Value::Int(new_id));
    assert_eq!(
        call(&sim, &creds, "getTaskResult", vec![Value::Int(task)])
            .expect("result")
            .as_array()
            .map(<[Value]>::len),
        Some(2)
    );
    let primary = super::tests_http::primary_of(&sim, "f99-build", new_id, "x86_64");
    assert!(primary.contains("<version epoch=\"0\" ver=\"1.3.2\" rel=\"1.fc99\"/>"));
    let anon =
        call(&sim, &Credentials::default(), "newRepo", vec!["f99-build".into()]).expect_err("anon");
    assert_eq!(anon.code, 1004);
    let other = login(&sim, "kojiadmin");
    let t = call(&sim, &other, "newRepo", vec!["f99-build".into()])
        .expect("newRepo")
        .as_i64()
        .expect("id");
    assert_eq!(sim.task(t).expect("task").method, "newRepo");
}

#[test]
fn bad_scenarios_are_errors() {
    assert!(
        Scenario::from_toml("[[tag]]\nname = \"a\"\nparents = [\"missing\"]")
            .and_then(|s| s.into_hub(false))
            .is_err()
    );
    assert!(Scenario::from_toml("bogus = 1").is_err());
    assert!(
        Scenario::from_toml("[[build]]\nnvr = \"nodash\"").and_then(|s| s.into_hub(false)).is_err()
    );
    assert!(
        Scenario::from_toml("[[rule]]\npackage = \"x\"\noutcome = \"explode\"")
            .and_then(|s| s.into_hub(false))
            .is_err()
    );
}

/// A `buildroot` rule fails exactly the builds whose resolved buildroot holds the named
/// version; builds against an older or newer version succeed.
#[test]
fn buildroot_rules_fire_only_for_matching_buildroots() {
    let text = format!(
        "{}\n[[rule]]\npackage = \"*\"\nbuildroot = \"zlib-devel = 1.3.2\"\noutcome = \"fail\"\nlog = \"error: zlib 1.3.2 broke me\"\n\
         [[update]]\nat = 100\nnew_repo = [\"f99-build\"]\n[[update.build]]\nnvr = \"zlib-1.3.2-1.fc99\"\ntags = [\"f99\"]\narches = [\"x86_64\", \"aarch64\"]\n[[update.build.rpm]]\nname = \"zlib-devel\"\nrequires = [\"zlib = 1.3.2-1.fc99\"]\nprovides = [\"pkgconfig(zlib) = 1.3.2\"]\n\
         [[update]]\nat = 2000\nnew_repo = [\"f99-build\"]\n[[update.build]]\nnvr = \"zlib-1.3.3-1.fc99\"\ntags = [\"f99\"]\narches = [\"x86_64\", \"aarch64\"]\n\
         [[update.build.rpm]]\nname = \"zlib-devel\"\nrequires = [\"zlib = 1.3.3-1.fc99\"]\nprovides = [\"pkgconfig(zlib) = 1.3.3\"]\n",
        super::scenario::builtin_toml()
    );
    let sim = KojiSim::new(Scenario::from_toml(&text).expect("scenario")).expect("sim");
    let creds = login(&sim, "koschei");
    // foo BuildRequires pkgconfig(zlib); `which` does not pull zlib-devel in.
    let zlib_user = srpm("foo");
    let before = scratch(&sim, &creds, &zlib_user);
    sim.advance(400.0);
    assert_eq!(sim.task(before).expect("task").state, task_state::CLOSED);
    let during = scratch(&sim, &creds, &zlib_user);
    let unaffected = scratch(&sim, &creds, &srpm("which"));
    let fault = finished_fault(&sim, &creds, during);
    assert_eq!(fault.code, 1005, "{fault:?}");
    assert_eq!(sim.task(unaffected).expect("task").state, task_state::CLOSED);
    let log = sim
        .children(during)
        .iter()
        .filter(|k| k.method == "buildArch")
        .find_map(|k| sim.file(&format!("work/{}/build.log", super::state::task_relpath(k.id))))
        .expect("build.log of the failed arch task");
    assert!(String::from_utf8_lossy(&log).contains("zlib 1.3.2 broke me"));
    sim.advance(1000.0);
    let after = scratch(&sim, &creds, &zlib_user);
    sim.advance(400.0);
    assert_eq!(sim.task(after).expect("task").state, task_state::CLOSED);
    let bad =
        "[[rule]]\npackage = \"x\"\nstage = \"srpm\"\nbuildroot = \"zlib\"\noutcome = \"fail\"";
    assert!(Scenario::from_toml(bad).and_then(|s| s.into_hub(false)).is_err());
}

/// With `build_tasks`, seeded and update builds carry a CLOSED `build` task tree whose
/// buildArch children name the repo, as real builds do.
#[test]
fn build_tasks_give_builds_real_task_trees() {
    let text = super::scenario::builtin_toml()
        .replace("[settings]\n", "[settings]\nbuild_tasks = true\n")
        + "\n[[update]]\nat = 50\n[[update.build]]\nnvr = \"zlib-1.3.2-1.fc99\"\ntags = [\"f99\"]\narches = [\"x86_64\", \"aarch64\"]\n";
    let sim = KojiSim::new(Scenario::from_toml(&text).expect("scenario")).expect("sim");
    sim.advance(60.0);
    let creds = login(&sim, "koschei");
    for nvr in ["rnv-1.7.11-15.fc99", "zlib-1.3.2-1.fc99"] {
        let info = call(&sim, &creds, "getBuild", vec![nvr.into()]).expect("build");
        let task = info.get("task_id").and_then(Value::as_i64).expect("task id");
        let t = sim.task(task).expect("task");
        assert_eq!((t.method.as_str(), t.state), ("build", task_state::CLOSED), "{nvr}");
        let kids = sim.children(task);
        let arch: Vec<_> = kids.iter().filter(|k| k.method == "buildArch").collect();
        assert_eq!(arch.len(), 2, "{nvr}: {kids:?}");
        for k in &arch {
            assert_eq!(k.state, task_state::CLOSED);
            let repo = k.request[4].get("repo_id").and_then(Value::as_i64).expect("repo id");
            assert!(sim.repo(repo).is_some(), "{nvr}: repo {repo}");
            let res = call(&sim, &creds, "getTaskResult", vec![Value::Int(k.id)]).expect("res");
            assert!(res.get("rpms").and_then(Value::as_array).is_some_and(|r| !r.is_empty()));
        }
    }
}
