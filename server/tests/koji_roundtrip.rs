//! Our real Koji client (`KojiSession` through the typed `KojiApi`) against the Koji hub
//! simulator served over HTTP in-process: anonymous reads of everything the scheduler and
//! resolver need, a password login and a scratch build of a tagged package's SRPM driven
//! to CLOSED by the simulator's manual clock, a failing build, cancelling a held task,
//! multicall with per-item results, and the session's retries while the hub is down.
//!
//! Every assertion reads values that came back over the wire; nothing here talks to a real
//! Koji.

use std::net::SocketAddr;
use std::time::Duration;

use koschei::config::{KojiAuth, KojiConfig, LoginMethod, Secret};
use koschei::koji::api::{
    self, KojiApi, ListTaggedOpts, RepoState, TaskInfo, TaskState, requests, scratch_build_opts,
};
use koschei::koji::error::{KojiError, codes};
use koschei::koji::session::KojiSession;
use koschei::koji::urls::{self, BuildNvr};
use koschei::koji::xmlrpc::{Call, Struct, Value, kwargs_struct};
use koschei::kojisim::scenario::{Scenario, builtin_toml};
use koschei::kojisim::{KojiSim, http};

/// The build target of the built-in scenario and its tags.
const TARGET: &str = "f99";
const BUILD_TAG: &str = "f99-build";
const DEST_TAG: &str = "f99-updates-candidate";

/// Serves `sim` on a free loopback port; returns the address.
async fn serve(sim: &KojiSim) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(http::serve(listener, sim.clone()));
    addr
}

/// Client configuration for the simulator at `addr` (anonymous unless `user` is given).
fn config(addr: SocketAddr, user: Option<(&str, &str)>) -> KojiConfig {
    let mut c = KojiConfig {
        server: format!("http://{addr}/kojihub"),
        topurl: format!("http://{addr}/kojifiles"),
        weburl: format!("http://{addr}/koji"),
        call_timeout: Duration::from_secs(10),
        max_retries: 2,
        retry_backoff: Duration::from_millis(50),
        retry_backoff_max: Duration::from_millis(200),
        multicall_chunk_size: 2,
        ..KojiConfig::default()
    };
    if let Some((name, password)) = user {
        c.login_method = LoginMethod::Password;
        c.auth = KojiAuth {
            user: Some(name.to_string()),
            password: Some(Secret::new(password)),
            ..KojiAuth::default()
        };
    }
    c
}

/// `getTaskInfo(id, request=True)`, which must exist.
async fn task_with_request(koji: &KojiSession, id: i64) -> TaskInfo {
    api::run(koji, requests::get_task_info_with_request(id))
        .await
        .expect("getTaskInfo")
        .unwrap_or_else(|| panic!("task {id} unknown"))
}

/// Advances the simulator in 30 s steps, polling `getTaskInfo` through the client, until
/// the task is finished; returns every state seen (in order).
async fn poll_until_done(sim: &KojiSim, koji: &KojiSession, id: i64) -> Vec<TaskState> {
    let mut seen = Vec::new();
    for _ in 0..40 {
        let info = koji.get_task_info(id).await.expect("getTaskInfo").expect("task exists");
        if seen.last() != Some(&info.state) {
            seen.push(info.state);
        }
        if info.state.is_finished() {
            return seen;
        }
        sim.advance(30.0);
    }
    panic!("task {id} did not finish; states seen: {seen:?}");
}

/// The SRPM path the original passes to `build` for the latest `package` in the build tag
/// (`srpm_relative_path_root` + `PathInfo.build` + the SRPM's relative path).
async fn srpm_path_of(koji: &KojiSession, cfg: &KojiConfig, package: &str) -> String {
    let latest =
        koji.get_latest_builds(BUILD_TAG, None, Some(package)).await.expect("getLatestBuilds");
    assert_eq!(latest.len(), 1, "one latest {package}: {latest:?}");
    let build = &latest[0];
    let srpms = koji.list_rpms(build.build_id, "src").await.expect("listRPMs");
    assert_eq!(srpms.len(), 1, "one SRPM for {}: {srpms:?}", build.nvr);
    let srpm = &srpms[0];
    assert_eq!(srpm.arch, "src");
    let nvr = BuildNvr {
        name: &build.package_name,
        version: &build.version,
        release: &build.release,
        volume_name: build.volume_name.as_deref(),
    };
    urls::srpm_path(&cfg.srpm_relative_path_root, &nvr, &srpm.name, &srpm.version, &srpm.release)
}

#[tokio::test]
async fn anonymous_reads_return_the_scenario() {
    let sim = KojiSim::builtin().expect("builtin scenario");
    let addr = serve(&sim).await;
    let cfg = config(addr, None);
    let koji = KojiSession::new(&cfg).expect("session");
    assert!(!koji.is_authenticated());

    let target = koji.get_build_target(TARGET).await.expect("getBuildTarget").expect("f99");
    assert_eq!(target.build_tag_name, BUILD_TAG);
    assert_eq!(target.dest_tag_name, DEST_TAG);
    assert!(koji.get_build_target("f42").await.expect("getBuildTarget").is_none());

    let tag = koji.get_tag(BUILD_TAG).await.expect("getTag").expect("build tag");
    assert_eq!(tag.name, BUILD_TAG);
    assert_eq!(Some(tag.id), target.build_tag);
    assert_eq!(tag.arch_list(), ["x86_64", "aarch64"]);
    assert!(koji.get_tag("no-such-tag").await.expect("getTag").is_none());
    let build_config = koji.get_build_config(BUILD_TAG).await.expect("getBuildConfig");
    assert_eq!(build_config.id, tag.id);
    let extra = build_config.extra.expect("extra");
    assert_eq!(extra.get("mock.package_manager").and_then(Value::as_str), Some("dnf"));

    // The build tag holds no builds itself: everything is inherited from f99.
    let inherited = ListTaggedOpts { inherit: true, latest: true, ..ListTaggedOpts::default() };
    let tagged = koji.list_tagged(BUILD_TAG, &inherited).await.expect("listTagged");
    assert!(tagged.len() >= 30, "a few dozen builds, got {}", tagged.len());
    let rnv = tagged.iter().find(|b| b.package_name == "rnv").expect("rnv tagged");
    assert_eq!(rnv.nvr, "rnv-1.7.11-15.fc99");
    assert_eq!((rnv.version.as_str(), rnv.release.as_str()), ("1.7.11", "15.fc99"));
    assert_eq!(rnv.tag_name.as_deref(), Some("f99"));
    let direct = koji.list_tagged(BUILD_TAG, &ListTaggedOpts::default()).await.expect("direct");
    assert!(direct.is_empty(), "no builds tagged into the build tag directly: {direct:?}");
    let make = koji.get_latest_builds(BUILD_TAG, None, Some("make")).await.expect("latest make");
    assert_eq!(make.len(), 1);
    assert_eq!(make[0].nvr, "make-4.4.1-8.fc99");
    assert_eq!(make[0].epoch, Some(1));

    let packages = koji.list_packages(BUILD_TAG).await.expect("listPackages");
    let find = |name: &str| packages.iter().find(|p| p.package_name == name);
    assert!(find("rnv").is_some_and(|p| !p.blocked), "rnv listed and not blocked");
    assert!(find("retired-pkg").is_some_and(|p| p.blocked), "retired-pkg is blocked");
    assert!(find("no-such-package").is_none());

    let repo = koji.get_repo(BUILD_TAG).await.expect("getRepo").expect("a ready repo");
    assert_eq!(repo.state, RepoState::Ready);
    assert_eq!(repo.tag_name, BUILD_TAG);
    let same = koji.repo_info(repo.id).await.expect("repoInfo").expect("repo");
    assert_eq!((same.id, same.create_event), (repo.id, repo.create_event));
    // The repo's rpm-md metadata is served under topurl.
    let repomd_url = format!(
        "{}/repodata/repomd.xml",
        urls::repo_arch_url(&cfg.topurl, BUILD_TAG, repo.id, "x86_64")
    );
    let repomd = reqwest::get(&repomd_url).await.expect("GET repomd");
    assert_eq!(repomd.status(), 200, "{repomd_url}");
    assert!(repomd.text().await.expect("body").contains("primary"), "repomd lists primary");

    let groups = koji.get_tag_groups(BUILD_TAG, None).await.expect("getTagGroups");
    let build_group = groups.iter().find(|g| g.name == "build").expect("build group");
    let members: Vec<&str> = build_group.installed_packages().collect();
    assert!(members.contains(&"gcc") && members.contains(&"rpm-build"), "{members:?}");
    assert!(groups.iter().any(|g| g.name == "srpm-build"));

    // Koji load inputs: the default channel, its enabled hosts for the allowed arches.
    let channel = koji.get_channel("default").await.expect("getChannel").expect("default");
    assert_eq!(channel.name, "default");
    let hosts =
        koji.list_hosts(&["x86_64".to_string()], channel.id).await.expect("listHosts x86_64");
    assert_eq!(hosts.len(), 1, "{hosts:?}");
    assert_eq!(hosts[0].name, "buildvm-x86-01.kojisim");
    assert!(hosts[0].capacity > 0.0 && hosts[0].enabled);
    let both = koji
        .list_hosts(&["x86_64".to_string(), "aarch64".to_string()], channel.id)
        .await
        .expect("listHosts both");
    let mut names: Vec<&str> = both.iter().map(|h| h.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["buildvm-a64-01.kojisim", "buildvm-x86-01.kojisim"]);
    let channels = koji.call(Call::new("listChannels", vec![])).await.expect("listChannels");
    let channel_names: Vec<&str> = channels
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c.get("name").and_then(Value::as_str))
        .collect();
    assert!(channel_names.contains(&"default") && channel_names.contains(&"createrepo"));

    // Anonymous sessions may not build.
    let err = koji
        .build("../packages/rnv/x.src.rpm", Some(TARGET), Struct::new(), None)
        .await
        .expect_err("anonymous build");
    assert!(matches!(err, KojiError::Fault { .. }), "{err:?}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn scratch_build_round_trip_until_closed() {
    let sim = KojiSim::builtin().expect("builtin scenario");
    let addr = serve(&sim).await;
    let cfg = config(addr, Some(("koschei", "koschei")));
    let koji = KojiSession::new(&cfg).expect("session");
    koji.login().await.expect("login");
    let me = koji.get_logged_in_user().await.expect("getLoggedInUser").expect("logged in");
    assert_eq!(me.name, "koschei");

    let repo = koji.get_repo(BUILD_TAG).await.expect("getRepo").expect("repo");
    let src = srpm_path_of(&koji, &cfg, "rnv").await;
    assert_eq!(src, "../packages/rnv/1.7.11/15.fc99/src/rnv-1.7.11-15.fc99.src.rpm");
    let opts = scratch_build_opts(&Struct::new(), Some("x86_64"), None);
    let task_id = koji.build(&src, Some(TARGET), opts, Some(30)).await.expect("build");

    let parent = task_with_request(&koji, task_id).await;
    assert_eq!(parent.method, "build");
    assert_eq!(parent.owner, Some(me.id));
    let request = parent.request.as_deref().expect("request");
    assert_eq!(request[0].as_str(), Some(src.as_str()));
    assert_eq!(request[1].as_str(), Some(TARGET));
    assert_eq!(request[2].get("scratch"), Some(&Value::Bool(true)));
    assert_eq!(request[2].get("arch_override").and_then(Value::as_str), Some("x86_64"));

    let states = poll_until_done(&sim, &koji, task_id).await;
    assert_eq!(states.last(), Some(&TaskState::Closed), "{states:?}");
    assert!(states.contains(&TaskState::Open), "seen OPEN before CLOSED: {states:?}");

    let children = koji.get_task_children(task_id).await.expect("getTaskChildren");
    let mut methods: Vec<(&str, &str)> =
        children.iter().map(|c| (c.method.as_str(), c.arch.as_str())).collect();
    methods.sort_unstable();
    assert_eq!(methods, [("buildArch", "x86_64"), ("rebuildSRPM", "noarch")], "arch_override");
    for child in &children {
        assert_eq!(child.parent, Some(task_id));
        assert_eq!(child.state, TaskState::Closed, "{child:?}");
        assert_eq!(child.request_repo_id(), Some(repo.id), "repo_id in {:?}", child.request);
    }
    // Batched, as the original polls: children of several tasks in one multicall.
    let batched = koji.get_tasks_children(&[task_id, task_id]).await;
    assert_eq!(batched.len(), 2);
    assert_eq!(batched[0].as_ref().expect("children").len(), 2);

    let result = koji.get_task_result(task_id).await.expect("build result");
    assert!(result.is_nil(), "a scratch build's parent result is None: {result:?}");
    let arch_task = children.iter().find(|c| c.method == "buildArch").expect("buildArch");
    let arch_result = koji.get_task_result(arch_task.id).await.expect("buildArch result");
    let rpms: Vec<&str> = arch_result
        .get("rpms")
        .and_then(Value::as_array)
        .expect("rpms")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(rpms.iter().any(|r| r.ends_with("/rnv-1.7.11-15.fc99.x86_64.rpm")), "{rpms:?}");
    assert!(!koji.is_koji_fault(task_id).await.expect("is_koji_fault"));

    let outputs = koji.list_task_output(arch_task.id).await.expect("listTaskOutput");
    assert!(outputs.iter().any(|o| o == "build.log"), "{outputs:?}");
    let log_url = urls::task_log_url(&cfg.topurl, arch_task.id, "build.log");
    let log = reqwest::get(&log_url).await.expect("GET build.log");
    assert_eq!(log.status(), 200, "{log_url}");
    assert!(log.text().await.expect("log").contains("buildArch"));
}

#[tokio::test]
async fn failing_build_ends_failed_with_a_readable_result() {
    let sim = KojiSim::builtin().expect("builtin scenario");
    let addr = serve(&sim).await;
    let cfg = config(addr, Some(("koschei", "koschei")));
    let koji = KojiSession::new(&cfg).expect("session");

    let src = srpm_path_of(&koji, &cfg, "flaky").await;
    let opts = scratch_build_opts(&Struct::new(), None, None);
    let task_id = koji.build(&src, Some(TARGET), opts, None).await.expect("build");
    let states = poll_until_done(&sim, &koji, task_id).await;
    assert_eq!(states.last(), Some(&TaskState::Failed), "{states:?}");

    let err = koji.get_task_result(task_id).await.expect_err("failed task result");
    let KojiError::Fault { code, message, method } = &err else {
        panic!("expected a fault, got {err:?}");
    };
    assert_eq!(*code, codes::BUILD, "{message}");
    assert_eq!(method, "getTaskResult");
    assert!(!message.is_empty());
    assert!(!koji.is_koji_fault(task_id).await.expect("classify"), "a package failure");

    let children = koji.get_task_children(task_id).await.expect("children");
    let failed: Vec<&TaskInfo> = children.iter().filter(|c| c.state == TaskState::Failed).collect();
    assert!(!failed.is_empty(), "{children:?}");
    let failed_arch = failed.iter().find(|c| c.method == "buildArch").expect("failed buildArch");
    let log_url = urls::task_log_url(&cfg.topurl, failed_arch.id, "build.log");
    let log = reqwest::get(&log_url).await.expect("GET build.log").text().await.expect("text");
    assert!(log.contains("1 of 42 tests failed"), "{log}");
}

#[tokio::test]
async fn cancel_a_held_task_and_multicall_per_item_results() {
    let toml = format!("{}\n[[rule]]\npackage = \"foo\"\noutcome = \"hold\"\n", builtin_toml());
    let sim = KojiSim::new(Scenario::from_toml(&toml).expect("scenario")).expect("sim");
    let addr = serve(&sim).await;
    let cfg = config(addr, Some(("koschei", "koschei")));
    let koji = KojiSession::new(&cfg).expect("session");

    let held_src = srpm_path_of(&koji, &cfg, "foo").await;
    let opts = scratch_build_opts(&Struct::new(), None, None);
    let held = koji.build(&held_src, Some(TARGET), opts.clone(), None).await.expect("build foo");
    let ok_src = srpm_path_of(&koji, &cfg, "rnv").await;
    let ok = koji.build(&ok_src, Some(TARGET), opts, None).await.expect("build rnv");
    sim.advance(3600.0);

    let ok_info = koji.get_task_info(ok).await.expect("info").expect("rnv task");
    assert_eq!(ok_info.state, TaskState::Closed, "an hour is plenty for rnv");
    let held_info = koji.get_task_info(held).await.expect("info").expect("foo task");
    assert_eq!(held_info.state, TaskState::Open, "held builds stay open");
    let open_children = koji.get_task_children(held).await.expect("children");
    assert!(open_children.iter().any(|c| c.state == TaskState::Open), "{open_children:?}");

    // Multicall: two known tasks and an unknown id, chunked by 2 (see `config`).
    let missing = ok.max(held) + 1000;
    let infos = koji.get_task_infos(&[held, ok, missing]).await;
    assert_eq!(infos.len(), 3);
    assert_eq!(infos[0].as_ref().expect("held").as_ref().map(|t| t.state), Some(TaskState::Open));
    assert_eq!(infos[1].as_ref().expect("ok").as_ref().map(|t| t.id), Some(ok));
    assert_eq!(infos[2].as_ref().expect("missing is not a fault"), &None);
    // With strict=True the unknown id is a fault for that item only.
    let strict = kwargs_struct([("strict", true)]);
    let calls = vec![
        Call::new("getTaskInfo", vec![Value::Int(ok)]),
        Call::new("getTaskInfo", vec![Value::Int(missing), strict]),
        Call::new("getTaskInfo", vec![Value::Int(held)]),
    ];
    let outcomes = koji.multicall(calls).await;
    assert_eq!(outcomes.len(), 3);
    assert_eq!(outcomes[0].as_ref().expect("first").get("id"), Some(&Value::Int(ok)));
    let fault = outcomes[1].as_ref().expect_err("strict unknown task");
    assert_eq!(fault.fault_code(), Some(codes::GENERIC), "{fault:?}");
    assert!(fault.to_string().contains("getTaskInfo"), "{fault}");
    assert_eq!(outcomes[2].as_ref().expect("third").get("id"), Some(&Value::Int(held)));

    koji.cancel_task(held).await.expect("cancelTask");
    sim.step();
    let canceled = koji.get_task_info(held).await.expect("info").expect("foo task");
    assert_eq!(canceled.state, TaskState::Canceled);
    for child in koji.get_task_children(held).await.expect("children") {
        assert!(child.state.is_finished(), "child {} still {:?}", child.id, child.state);
    }
    let err = koji.get_task_result(held).await.expect_err("a canceled task has no result");
    assert!(err.to_string().contains("canceled"), "{err}");
    // The finished task is not affected.
    let still = koji.get_task_info(ok).await.expect("info").expect("rnv task");
    assert_eq!(still.state, TaskState::Closed);
}

#[tokio::test]
async fn retries_cover_a_hub_that_is_down_for_a_moment() {
    // Reserve a port, then free it: connecting to it is refused until the hub starts.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("probe");
    let addr = probe.local_addr().expect("addr");
    drop(probe);

    // Without retries the refusal is a transport error, reported at once.
    let mut no_retry = config(addr, None);
    no_retry.max_retries = 0;
    let session = KojiSession::new(&no_retry).expect("session");
    let err = session.get_koji_version().await.expect_err("hub is down");
    assert!(matches!(err, KojiError::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());

    // With retries (50, 100, 200, 200, … ms, halved at worst by jitter) the call succeeds
    // once the hub comes up after 300 ms.
    let mut cfg = config(addr, Some(("koschei", "koschei")));
    cfg.max_retries = 10;
    let koji = KojiSession::new(&cfg).expect("session");
    let sim = KojiSim::builtin().expect("builtin scenario");
    let started = std::time::Instant::now();
    let server = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let listener = tokio::net::TcpListener::bind(addr).await.expect("rebind the port");
        http::serve(listener, sim).await
    });
    // The first call is the login, which goes through the same retry loop.
    let version = koji.get_koji_version().await.expect("succeeds after retries");
    assert!(started.elapsed() >= Duration::from_millis(300), "it had to wait for the hub");
    assert!(!version.is_empty());
    let user = koji.get_logged_in_user().await.expect("user").expect("logged in");
    assert_eq!(user.name, "koschei");
    server.abort();
}
