//! Conformance of the typed API with the original Koschei's recorded Koji traffic
//! (koschei-tests.md §3): for every recorded call, the typed request built from the
//! recorded inputs must put the same values in the same places (positional vs keyword)
//! as the original did, and the recorded result must convert into the typed result (a
//! recorded exception must become the matching [`KojiError::Fault`]).
//!
//! Both recording formats are replayed: KojiVCR YAML (84 calls) and the Koji part of the
//! vcrpy HTTP cassettes (14 calls, raw XML-RPC bodies). Counts are asserted per method.

use std::collections::BTreeMap;
use std::fmt::Debug;

use super::requests::{self, ListTaggedOpts, Request, RpmRef, scratch_build_opts};
use super::{SRPM_ARCH_HEADERS, TaskState};
use crate::koji::cassettes::{exception_to_fault, vcr_koji_entries, yaml_cassettes, yaml_entries};
use crate::koji::error::KojiError;
use crate::koji::xmlrpc::{Fault, Struct, Value, decode_call, decode_response, split_kwargs};

/// Converts a result with a typed request and renders it with `Debug`.
type Checker = Box<dyn Fn(&Value) -> Result<String, KojiError>>;

/// A typed request with its result type erased: the call and a checker that converts a
/// result and renders it (for assertions).
struct Built {
    call: crate::koji::xmlrpc::Call,
    check: Checker,
}

fn erase<T: Debug + 'static>(r: Request<T>) -> Built {
    let call = r.call.clone();
    Built { call, check: Box::new(move |v| r.decode(v).map(|t| format!("{t:?}"))) }
}

fn str_arg(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("expected string, got {v:?}"))
}

fn int_arg(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("expected int, got {v:?}"))
}

fn kw<'a>(kwargs: &'a Struct, name: &str) -> Option<&'a Value> {
    kwargs.get(name)
}

/// The typed request Koschei's code path makes for a recorded call, built from the
/// recorded *inputs* (ids, names) only; everything else comes from our builders.
fn typed_request(method: &str, args: &[Value], kwargs: &Struct) -> Built {
    match method {
        "getBuildTarget" => erase(requests::get_build_target(str_arg(&args[0]))),
        "getBuildConfig" => erase(requests::get_build_config(str_arg(&args[0]))),
        "getRPMHeaders" => {
            let rpm = kw(kwargs, "rpmID").expect("rpmID");
            assert_eq!(rpm.field::<String>("arch").unwrap(), "src");
            let rpm = RpmRef::srpm(
                &rpm.field::<String>("name").unwrap(),
                rpm.field::<Option<i64>>("epoch").unwrap(),
                &rpm.field::<String>("version").unwrap(),
                &rpm.field::<String>("release").unwrap(),
            );
            erase(requests::get_rpm_headers(&rpm, &SRPM_ARCH_HEADERS))
        }
        "cancelTask" => erase(requests::cancel_task(int_arg(&args[0]))),
        "listTagged" => {
            let opts = ListTaggedOpts {
                event: args.get(1).map(int_arg),
                inherit: kw(kwargs, "inherit").is_some(),
                latest: kw(kwargs, "latest").is_some(),
                package: kw(kwargs, "package").map(|p| str_arg(p).to_string()),
            };
            erase(requests::list_tagged(str_arg(&args[0]), &opts))
        }
        "getTaskInfo" => erase(requests::get_task_info(int_arg(&args[0]))),
        "getTaskChildren" => erase(requests::get_task_children(int_arg(&args[0]))),
        "getTaskResult" => erase(requests::get_task_result(int_arg(&args[0]))),
        "listPackages" => erase(requests::list_packages(str_arg(kw(kwargs, "tagID").unwrap()))),
        "listRPMs" => erase(requests::list_rpms(
            int_arg(kw(kwargs, "buildID").unwrap()),
            str_arg(kw(kwargs, "arches").unwrap()),
        )),
        "build" => {
            let recorded_opts = &args[2];
            let arch_override = recorded_opts.field::<Option<String>>("arch_override").unwrap();
            let repo_id = recorded_opts.field::<Option<i64>>("repo_id").unwrap();
            // Config build_opts are empty in the recordings (koschei-tests.md §0.1).
            let opts = scratch_build_opts(&Struct::new(), arch_override.as_deref(), repo_id);
            let target = args[1].as_str();
            let priority = kw(kwargs, "priority").map(int_arg);
            erase(requests::build(str_arg(&args[0]), target, opts, priority))
        }
        "repoInfo" => erase(requests::repo_info(int_arg(&args[0]))),
        "getTagGroups" => {
            erase(requests::get_tag_groups(str_arg(&args[0]), kw(kwargs, "event").map(int_arg)))
        }
        "getChannel" => erase(requests::get_channel(str_arg(&args[0]))),
        "listHosts" => {
            let arches: Vec<String> = args[0].to().unwrap();
            erase(requests::list_hosts(&arches, int_arg(&args[1])))
        }
        other => panic!("recorded method {other} has no typed request"),
    }
}

#[derive(Default, Debug, PartialEq)]
struct Counts {
    calls: usize,
    results: usize,
    faults: usize,
}

/// Checks one recorded call; returns whether the outcome was a fault.
fn check_entry(
    context: &str,
    method: &str,
    args: &[Value],
    kwargs: &Struct,
    outcome: &Result<Value, Fault>,
) -> bool {
    let built = typed_request(method, args, kwargs);
    assert_eq!(built.call.method, method, "{context}");
    let (our_args, our_kwargs) = split_kwargs(built.call.params.clone());
    assert_eq!(our_args, args, "{context}: positional arguments");
    assert_eq!(&our_kwargs, kwargs, "{context}: keyword arguments");
    match outcome {
        Ok(value) => {
            let typed = (built.check)(value).unwrap_or_else(|e| panic!("{context}: {e}"));
            assert!(!typed.is_empty());
            false
        }
        Err(fault) => {
            let err = KojiError::fault(method, fault.code, fault.string.clone());
            assert_eq!(err.fault_code(), Some(fault.code), "{context}");
            assert!(!err.is_retryable(), "{context}: recorded faults are not retryable");
            true
        }
    }
}

#[test]
#[allow(clippy::print_stdout)] // the counts are part of the report
fn typed_requests_match_the_recorded_yaml_calls() {
    let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
    for path in yaml_cassettes() {
        for (i, e) in yaml_entries(&path).iter().enumerate() {
            let context = format!("{}[{i}] {}", path.display(), e.method);
            let fault = check_entry(&context, &e.method, &e.args, &e.kwargs, &e.outcome);
            let c = counts.entry(e.method.clone()).or_default();
            c.calls += 1;
            if fault {
                c.faults += 1;
            } else {
                c.results += 1;
            }
        }
    }
    println!("typed YAML replay: {counts:?}");
    // Counted independently (PyYAML) from the cassettes.
    let expected: [(&str, usize, usize); 15] = [
        ("build", 4, 0),
        ("cancelTask", 2, 1),
        ("getBuildConfig", 2, 0),
        ("getBuildTarget", 3, 0),
        ("getChannel", 1, 0),
        ("getRPMHeaders", 2, 0),
        ("getTagGroups", 1, 0),
        ("getTaskChildren", 12, 0),
        ("getTaskInfo", 14, 0),
        ("getTaskResult", 12, 9),
        ("listHosts", 1, 0),
        ("listPackages", 1, 0),
        ("listRPMs", 4, 0),
        ("listTagged", 15, 0),
        ("repoInfo", 10, 0),
    ];
    assert_eq!(counts.len(), expected.len(), "{counts:?}");
    for (method, calls, faults) in expected {
        let c = &counts[method];
        assert_eq!((c.calls, c.faults), (calls, faults), "{method}");
        assert_eq!(c.results + c.faults, c.calls, "{method}");
    }
}

#[test]
#[allow(clippy::print_stdout)] // the counts are part of the report
fn typed_requests_match_the_recorded_http_calls() {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (i, e) in vcr_koji_entries().iter().enumerate() {
        let (method, params) = decode_call(e.request_body.as_bytes()).unwrap();
        let (args, kwargs) = split_kwargs(params);
        let outcome = decode_response(e.response_body.as_bytes()).unwrap();
        let context = format!("{}[{i}] {method}", e.cassette);
        assert!(!check_entry(&context, &method, &args, &kwargs, &outcome), "{context}");
        *counts.entry(method).or_default() += 1;
    }
    println!("typed vcrpy replay: {counts:?}");
    let expected = [
        ("getChannel", 4),
        ("getRPMHeaders", 4),
        ("getTagGroups", 1),
        ("listHosts", 4),
        ("repoInfo", 1),
    ];
    assert_eq!(counts, expected.iter().map(|(m, n)| (m.to_string(), *n)).collect());
}

fn entries_of(cassette: &str) -> Vec<crate::koji::cassettes::Entry> {
    let path = crate::koji::cassettes::data_path(&format!("test/data/{cassette}.yml"));
    yaml_entries(&path)
}

#[test]
fn recorded_results_convert_to_the_expected_values() {
    // Task info (PollingTest/test_poll_multiple): state and timestamps Koschei reads.
    let entries = entries_of("PollingTest/test_poll_multiple");
    let info = requests::get_task_info(26033406).decode(entries[0].outcome.as_ref().unwrap());
    let info = info.unwrap().unwrap();
    assert_eq!(info.id, 26033406);
    assert_eq!(info.method, "build");
    assert!(info.create_ts.unwrap() > 1.5e9);

    // Children with requests (BackendTest/test_update_state): repo ids from requests.
    let entries = entries_of("BackendTest/test_update_state");
    let children = entries.iter().find(|e| e.method == "getTaskChildren").unwrap();
    let children = requests::get_task_children(9107738).decode(children.outcome.as_ref().unwrap());
    let children = children.unwrap();
    let build_arch: Vec<_> = children.iter().filter(|c| c.method == "buildArch").collect();
    assert!(!build_arch.is_empty());
    for c in &build_arch {
        assert_eq!(c.request_repo_id(), Some(460889), "{c:?}");
        assert_eq!(c.parent, Some(9107738));
        assert_eq!(c.state, TaskState::Closed);
    }

    // Children without `request` (…_latest_no_repo_id): tolerated.
    let entries = entries_of("BackendTest/test_refresh_latest_builds_latest_no_repo_id");
    let children = entries.iter().find(|e| e.method == "getTaskChildren").unwrap();
    let children = requests::get_task_children(25162638).decode(children.outcome.as_ref().unwrap());
    let children = children.unwrap();
    assert!(!children.is_empty());
    // Only the tagBuild child carries a request; no child yields a repo id.
    assert!(children.iter().filter(|c| c.method != "tagBuild").all(|c| c.request.is_none()));
    assert!(children.iter().all(|c| c.request_repo_id().is_none()));

    // Build target with only the two names (hand-written f28-side-42 entry).
    let entries = entries_of("AdminTest/test_collection_commands");
    let side = entries.iter().find(|e| e.args == [Value::from("f28-side-42")]).unwrap();
    let target = requests::get_build_target("f28-side-42").decode(side.outcome.as_ref().unwrap());
    let target = target.unwrap().unwrap();
    assert_eq!((target.id, target.build_tag_name.as_str()), (None, "f28-side-42"));

    // Build config arches.
    let entries = entries_of("AdminTest/test_submit_build");
    let cfg = entries.iter().find(|e| e.method == "getBuildConfig").unwrap();
    let cfg =
        requests::get_build_config("f29-build").decode(cfg.outcome.as_ref().unwrap()).unwrap();
    assert_eq!(
        cfg.arch_list(),
        ["armv7hl", "i686", "x86_64", "aarch64", "ppc64", "ppc64le", "s390x"]
    );

    // Build group (KojiUtilOtherTest/test_get_build_group).
    let entries = entries_of("KojiUtilOtherTest/test_get_build_group");
    let recorded = entries.iter().find(|e| e.method == "getTagGroups").unwrap();
    let groups = requests::get_tag_groups("f29-build", Some(32436754));
    let groups = groups.decode(recorded.outcome.as_ref().unwrap()).unwrap();
    assert_eq!(groups.len(), 5);
    let build = groups.iter().find(|g| g.name == "build").unwrap();
    assert!(build.installed_packages().any(|p| p == "tar"));

    // Repo info (DELETED repos of the OSCI cassettes).
    let entries = entries_of("OSCIUtilTest/test_artifact_two");
    let repo =
        requests::repo_info(1041857).decode(entries[0].outcome.as_ref().unwrap()).unwrap().unwrap();
    assert_eq!(
        (repo.state, repo.tag_name.as_str(), repo.create_event),
        (super::RepoState::Deleted, "f30-kde", 38576896)
    );

    // Package list with blocked flags (BackendTest/test_refresh_packages).
    let entries = entries_of("BackendTest/test_refresh_packages");
    let pkgs =
        requests::list_packages("f29-build").decode(entries[0].outcome.as_ref().unwrap()).unwrap();
    assert_eq!(pkgs.len(), 9);
    let blocked: Vec<_> =
        pkgs.iter().filter(|p| p.blocked).map(|p| p.package_name.as_str()).collect();
    assert_eq!(blocked, ["maven-doxia-tools", "classpathx-mail"]);
}

#[test]
fn recorded_task_results_classify_koji_faults_as_the_original() {
    // koschei-tests.md §2.15.
    let expected = [
        (1337, false),
        (12345, false),
        (41684693, false),
        (41684668, false),
        (41111818, false),
        (41111817, false),
        (32738401, true),
        (32738626, true),
    ];
    let entries = entries_of("KojiUtilOtherTest/test_koji_fault");
    assert_eq!(entries.len(), expected.len());
    for (task, want) in expected {
        let e = entries.iter().find(|e| e.args == [Value::Int(task)]).unwrap();
        let got = match &e.outcome {
            Ok(_) => false,
            Err(f) => KojiError::fault("getTaskResult", f.code, f.string.clone()).is_koji_fault(),
        };
        assert_eq!(got, want, "task {task}");
    }
}

#[test]
fn a_recorded_exception_maps_to_its_koji_code() {
    let entries = entries_of("BackendTest/test_cancel_exception");
    let Err(fault) = &entries[0].outcome else { panic!("expected a fault") };
    assert_eq!(fault.code, 1000);
    let exc = Value::structure([
        ("type", Value::structure([("module", "koji"), ("class", "BuildError")])),
        ("args", Value::from(vec!["boom"])),
    ]);
    assert_eq!(exception_to_fault(&exc).code, 1005);
}

#[test]
fn unrecorded_requests_follow_the_documented_calls() {
    // Mocked in the original tests; shapes from koschei-tests.md §3.3 and
    // koschei-backend.md §6.1.
    let split = |r: &crate::koji::xmlrpc::Call| split_kwargs(r.params.clone());
    let get_repo = requests::get_repo("f25-build").call;
    assert_eq!(get_repo.method, "getRepo");
    assert_eq!(
        split(&get_repo),
        (vec![Value::from("f25-build")], Struct::from([("state".into(), Value::Int(1))]))
    );

    let rpm = RpmRef::srpm("maven-local", None, "1", "1.fc25");
    let deps = requests::get_rpm_deps(&rpm, super::DEP_REQUIRE).call;
    let want_rpm = Value::structure([
        ("name", "maven-local"),
        ("version", "1"),
        ("release", "1.fc25"),
        ("arch", "src"),
    ]);
    assert_eq!(split(&deps), (vec![want_rpm, Value::Int(0)], Struct::new()));
    let dep = Value::structure([
        ("name", Value::from("rpmlib(FileDigests)")),
        ("flags", Value::Int(16777226)),
        ("type", Value::Int(0)),
        ("version", Value::from("4.6.0-1")),
    ]);
    let parsed = requests::get_rpm_deps(&rpm, 0).decode(&Value::Array(vec![dep])).unwrap();
    assert_eq!((parsed[0].flags, parsed[0].dep_type), (16777226, 0));

    let create = requests::create_tag("f29-build", None).call;
    assert_eq!(split(&create).1.get("arches"), Some(&Value::Nil), "arches=None is sent");
    let add = requests::group_package_list_add("t", "build", "tar", "mandatory", false).call;
    assert_eq!(
        split(&add),
        (
            vec![Value::from("t"), Value::from("build"), Value::from("tar")],
            Struct::from([
                ("type".into(), Value::from("mandatory")),
                ("blocked".into(), Value::Bool(false))
            ])
        )
    );
    let ext = requests::add_external_repo_to_tag("t", "repo", 0).call;
    assert_eq!(split(&ext).0, [Value::from("t"), Value::from("repo"), Value::Int(0)]);
    let osci = ListTaggedOpts { event: Some(38574934), latest: true, ..Default::default() };
    let osci = requests::list_tagged("f30-kde", &osci).call;
    assert_eq!(split(&osci).0, [Value::from("f30-kde"), Value::Int(38574934)]);
}
