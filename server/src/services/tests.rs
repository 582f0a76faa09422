//! Service tests: polling and scheduler ticks against the Koji hub simulator, reached over
//! HTTP with the real client (`KojiSession`), on SQLite and (when configured) PostgreSQL.
//! The simulator's clock and the services' [`ManualClock`] move together.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};

use super::*;
use crate::config::{KojiConfig, LoginMethod};
use crate::db::builds;
use crate::db::entities::{build, collection, koji_task, package};
use crate::db::test_db::{TestDb, backends};
use crate::events::Event;
use crate::koji::api::{KojiApi, scratch_build_opts};
use crate::koji::instances::{KojiId, KojiInstance};
use crate::koji::session::KojiSession;
use crate::kojisim::KojiSim;
use crate::kojisim::scenario::Scenario;

const SCENARIO: &str = r#"
start = "2026-01-01T00:00:00Z"

[settings]
srpm_duration = 30
arch_duration = 120
repo_duration = 10

[[user]]
name = "kojiadmin"
password = "kojiadmin"
perms = ["admin"]

[[tag]]
name = "f99"
packages = ["bash", "gcc", "rnv", "flaky", "faulty", "foo"]
blocked = ["retired"]

[[tag]]
name = "f99-build"
arches = "x86_64"
parents = ["f99"]
[tag.groups]
build = ["bash", "gcc"]

[[tag]]
name = "f99-updates-candidate"
parents = ["f99"]

[[target]]
name = "f99"
build_tag = "f99-build"
dest_tag = "f99-updates-candidate"

[[host]]
name = "b1"
arches = "x86_64 noarch"
capacity = 8.0

[[build]]
nvr = "bash-5.2-1.fc99"
tags = ["f99"]
arches = ["x86_64"]

[[build]]
nvr = "gcc-14-1.fc99"
tags = ["f99"]
arches = ["x86_64"]

[[build]]
nvr = "rnv-1.7.11-15.fc99"
tags = ["f99"]
arches = ["x86_64"]

[[build]]
nvr = "flaky-1.0-1.fc99"
tags = ["f99"]
arches = ["x86_64"]

[[build]]
nvr = "faulty-1.0-1.fc99"
tags = ["f99"]
arches = ["x86_64"]

[[build]]
nvr = "foo-2.0-1.fc99"
tags = ["f99"]
arches = ["x86_64"]

[[rule]]
package = "flaky"
outcome = "fail"

[[rule]]
package = "faulty"
outcome = "fault"
"#;

struct Env {
    tdb: TestDb,
    sim: KojiSim,
    clock: Arc<ManualClock>,
    ctx: ServiceContext,
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").expect("time").with_timezone(&Utc)
}

async fn env(tdb: TestDb) -> Env {
    env_with(tdb, SCENARIO).await
}

async fn env_with(tdb: TestDb, scenario: &str) -> Env {
    let sim = KojiSim::new(Scenario::from_toml(scenario).expect("scenario")).expect("sim");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(crate::kojisim::http::serve(listener, sim.clone()));
    let mut koji = KojiConfig {
        server: format!("http://{addr}/kojihub"),
        topurl: format!("http://{addr}/kojifiles"),
        weburl: format!("http://{addr}/koji"),
        login_method: LoginMethod::Password,
        max_retries: 0,
        max_builds: 2,
        load_threshold: 1.0,
        build_arches: vec!["x86_64".into()],
        ..KojiConfig::default()
    };
    koji.auth.user = Some("kojiadmin".into());
    koji.auth.password = Some(crate::config::Secret::new("kojiadmin"));
    let config = Config { koji, ..Config::default() };
    let api: Arc<dyn KojiApi> = Arc::new(KojiSession::new(&config.koji).expect("session"));
    let primary =
        KojiInstance { id: KojiId::Primary, config: config.koji.clone(), repo_url: None, api };
    let clock = Arc::new(ManualClock::new(start()));
    let ctx = ServiceContext {
        db: tdb.conn.clone(),
        config: Arc::new(config),
        events: EventHub::default(),
        clock: clock.clone(),
        koji: KojiInstances::new(primary, None),
        locks: Locks::new(tdb.conn.clone()),
        hooks: Hooks::default(),
    };
    let repo = sim.with_hub(|h| h.state.repos.keys().copied().max()).expect("initial repo");
    collection::ActiveModel {
        name: Set("f99".into()),
        display_name: Set("Fedora 99".into()),
        target: Set("f99".into()),
        dest_tag: Set("f99-updates-candidate".into()),
        build_tag: Set("f99-build".into()),
        latest_repo_id: Set(Some(repo as i32)),
        latest_repo_resolved: Set(Some(true)),
        ..Default::default()
    }
    .insert(&tdb.conn)
    .await
    .expect("collection");
    Env { tdb, sim, clock, ctx }
}

impl Env {
    fn advance(&self, secs: i64) {
        self.sim.advance(secs as f64);
        self.clock.advance(TimeDelta::seconds(secs));
    }

    fn koji_build_tasks(&self) -> Vec<i64> {
        self.sim.with_hub(|h| {
            h.state
                .tasks
                .values()
                .filter(|t| t.method == "build" && t.parent.is_none())
                .map(|t| t.id)
                .collect()
        })
    }

    async fn package(&self, name: &str) -> package::Model {
        package::Entity::find()
            .filter(package::Column::Name.eq(name))
            .one(&self.tdb.conn)
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("package {name}"))
    }

    async fn builds_of(&self, name: &str) -> Vec<build::Model> {
        let p = self.package(name).await;
        build::Entity::find()
            .filter(build::Column::PackageId.eq(p.id))
            .order_by_asc(build::Column::Id)
            .all(&self.tdb.conn)
            .await
            .expect("builds")
    }

    async fn all_builds(&self) -> Vec<build::Model> {
        build::Entity::find().order_by_asc(build::Column::Id).all(&self.tdb.conn).await.expect("q")
    }

    /// Tracks the package, marks it resolved and gives it an old complete build of the
    /// tagged NVR (the simulator's seeded builds have no tasks, so polling cannot register
    /// them), so that its time priority alone exceeds the threshold.
    async fn schedulable(&self, name: &str, version: &str, release: &str, dep_prio: i32) {
        let p = self.package(name).await;
        package::Entity::update_many()
            .col_expr(package::Column::Tracked, Expr::value(true))
            .col_expr(package::Column::Resolved, Expr::value(true))
            .col_expr(package::Column::DependencyPriority, Expr::value(dep_prio))
            .filter(package::Column::Id.eq(p.id))
            .exec(&self.tdb.conn)
            .await
            .expect("track");
        builds::insert_build(
            &self.tdb.conn,
            build::ActiveModel {
                package_id: Set(Some(p.id)),
                state: Set(3),
                task_id: Set(900_000 + p.id),
                started: Set(self.clock.now() - TimeDelta::days(10)),
                finished: Set(Some(self.clock.now() - TimeDelta::days(10))),
                version: Set(Some(version.into())),
                release: Set(Some(release.into())),
                repo_id: Set(Some(1)),
                real: Set(true),
                ..Default::default()
            },
        )
        .await
        .expect("old build");
    }
}

fn running(bs: &[build::Model]) -> Vec<&build::Model> {
    bs.iter().filter(|b| b.state == 2).collect()
}

#[tokio::test]
async fn registry_selection_and_unknown_names() {
    assert_eq!(names(), ["polling", "repo_resolver", "build_resolver", "scheduler"]);
    let picked = select(Some("scheduler, polling,scheduler")).expect("known");
    assert_eq!(picked.iter().map(|s| s.name()).collect::<Vec<_>>(), ["polling", "scheduler"]);
    assert_eq!(select(None).expect("all").len(), 4);
    assert!(select(Some("")).expect("none").is_empty());
    let err = select(Some("polling,bogus")).err().expect("unknown");
    assert_eq!(err.name, "bogus");
    assert!(
        err.to_string()
            .contains("known services: polling, repo_resolver, build_resolver, scheduler"),
        "{err}"
    );
}

#[tokio::test]
async fn polling_syncs_packages_and_registers_real_builds() {
    for tdb in backends().await {
        let l = tdb.label;
        let e = env(tdb).await;
        assert_eq!(polling::tick(&e.ctx).await.expect("tick"), Outcome::Idle);
        let pkgs = package::Entity::find()
            .order_by_asc(package::Column::Name)
            .all(&e.tdb.conn)
            .await
            .expect("q");
        let names: Vec<(&str, bool, bool)> =
            pkgs.iter().map(|p| (p.name.as_str(), p.tracked, p.blocked)).collect();
        assert_eq!(
            names,
            [
                ("bash", false, false),
                ("faulty", false, false),
                ("flaky", false, false),
                ("foo", false, false),
                ("gcc", false, false),
                ("retired", false, true),
                ("rnv", false, false),
            ],
            "{l}"
        );
        // Seeded builds have no task: nothing to register.
        assert!(e.all_builds().await.is_empty(), "{l}");

        // A package disappears from Koji's list: blocked; event published for tracked ones.
        e.sim.with_hub(|h| {
            let foo = h.state.packages.iter().find(|(_, n)| *n == "foo").map(|(id, _)| *id);
            h.state.pkg_list.retain(|p| Some(p.package_id) != foo);
        });
        package::Entity::update_many()
            .col_expr(package::Column::Tracked, Expr::value(true))
            .filter(package::Column::Name.eq("foo"))
            .exec(&e.tdb.conn)
            .await
            .expect("track foo");
        let mut events = e.ctx.events.subscribe();
        polling::tick(&e.ctx).await.expect("tick");
        assert!(e.package("foo").await.blocked, "{l}: absent ⇒ blocked");
        let Ok(Event::PackageStateChanged(ev)) = events.try_recv() else { panic!("{l}: no event") };
        assert_eq!((ev.name.as_str(), ev.state.as_str()), ("foo", "blocked"), "{l}");
        assert_eq!(ev.previous_state.as_deref(), Some("unknown"), "{l}");

        // A maintainer's build of a new rnv release gets tagged: registered as real build.
        let api = e.ctx.koji.primary.api.clone();
        let opts = scratch_build_opts(&Default::default(), None, None);
        let mut opts = opts;
        opts.remove("scratch");
        api.build("cli-build/rnv-1.7.11-16.fc99.src.rpm", Some("f99"), opts, None)
            .await
            .expect("real build");
        e.advance(1000);
        polling::tick(&e.ctx).await.expect("tick");
        let rnv = e.builds_of("rnv").await;
        assert_eq!(rnv.len(), 1, "{l}: {rnv:?}");
        let b = &rnv[0];
        assert!(b.real && b.state == 3, "{l}: {b:?}");
        assert_eq!(b.release.as_deref(), Some("16.fc99"), "{l}");
        assert!(b.repo_id.is_some(), "{l}: repo id from the children");
        let tasks = koji_task::Entity::find()
            .filter(koji_task::Column::BuildId.eq(b.id))
            .all(&e.tdb.conn)
            .await
            .expect("tasks");
        assert_eq!(tasks.len(), 1, "{l}: one buildArch (x86_64)");
        assert_eq!((tasks[0].arch.as_str(), tasks[0].state), ("x86_64", 2), "{l}");
        assert_eq!(e.package("rnv").await.last_build_id, Some(b.id), "{l}");

        // Idempotent: a second tick changes nothing.
        let before = (e.all_builds().await, package::Entity::find().all(&e.tdb.conn).await);
        polling::tick(&e.ctx).await.expect("tick");
        let after = (e.all_builds().await, package::Entity::find().all(&e.tdb.conn).await);
        assert_eq!(before.0, after.0, "{l}");
        assert_eq!(before.1.expect("p"), after.1.expect("p"), "{l}");

        // Untagged in Koji (latest is the older 15.fc99 again): the newer build is untagged.
        e.sim.with_hub(|h| {
            let now = h.now();
            let active: Vec<(i64, i64)> = h
                .state
                .taggings
                .iter()
                .filter(|t| t.revoke_event.is_none())
                .filter(|t| h.state.builds.get(&t.build_id).is_some_and(|b| b.release == "16.fc99"))
                .map(|t| (t.tag_id, t.build_id))
                .collect();
            assert!(!active.is_empty(), "the new build is tagged");
            for (tag, b) in active {
                h.state.untag_build(tag, b, now);
            }
        });
        polling::tick(&e.ctx).await.expect("tick");
        let b = build::Entity::find_by_id(b.id).one(&e.tdb.conn).await.expect("q").expect("b");
        assert!(b.untagged, "{l}: newer than Koji's latest ⇒ untagged");
    }
}

#[tokio::test]
async fn scheduler_and_polling_run_the_loop() {
    for tdb in backends().await {
        let l = tdb.label;
        let e = env(tdb).await;
        polling::tick(&e.ctx).await.expect("sync packages");
        e.schedulable("faulty", "1.0", "1.fc99", 60).await;
        e.schedulable("flaky", "1.0", "1.fc99", 50).await;
        e.schedulable("rnv", "1.7.11", "15.fc99", 0).await;

        // Load threshold: a busy Koji gets nothing.
        let busy = {
            let mut c = (*e.ctx.config).clone();
            c.koji.load_threshold = 0.5;
            ServiceContext { config: Arc::new(c), ..e.ctx.clone() }
        };
        e.sim.with_hub(|h| h.state.hosts.values_mut().for_each(|h| h.base_load = h.capacity));
        assert_eq!(scheduler::tick(&busy).await.expect("tick"), Outcome::Idle, "{l}");
        assert!(e.koji_build_tasks().is_empty(), "{l}: Koji too busy");
        e.sim.with_hub(|h| h.state.hosts.values_mut().for_each(|h| h.base_load = 0.0));

        // max_builds = 2: the two highest priorities are submitted, then idle.
        let ticks = runner::run_until_idle(&scheduler::Scheduler, &busy, 10).await.expect("run");
        assert_eq!(ticks, 3, "{l}: two submissions then idle");
        let all = e.all_builds().await;
        let run_ids: Vec<i32> = running(&all).iter().filter_map(|b| b.package_id).collect();
        let (faulty, flaky, rnv) =
            (e.package("faulty").await, e.package("flaky").await, e.package("rnv").await);
        assert_eq!(run_ids, [faulty.id, flaky.id], "{l}");
        let koji_tasks = e.koji_build_tasks();
        assert_eq!(koji_tasks.len(), 2, "{l}");
        for b in running(&all) {
            assert!(koji_tasks.contains(&i64::from(b.task_id)), "{l}: {b:?}");
        }
        assert_eq!(e.package("flaky").await.dependency_priority, 50, "{l}: kept while running");
        // Idempotent: nothing more while two builds run.
        scheduler::tick(&e.ctx).await.expect("tick");
        assert_eq!(e.all_builds().await, all, "{l}");

        // Builds finish: flaky fails (bonus, event), faulty hits a Koji fault (inconclusive).
        let mut events = e.ctx.events.subscribe();
        e.advance(1000);
        polling::tick(&e.ctx).await.expect("poll");
        let fb = e.builds_of("faulty").await;
        assert_eq!(fb.iter().map(|b| b.state).collect::<Vec<_>>(), [3, 6], "{l}");
        let fl = e.builds_of("flaky").await;
        assert_eq!(fl.iter().map(|b| b.state).collect::<Vec<_>>(), [3, 5], "{l}");
        assert!(fl[1].repo_id.is_some(), "{l}");
        let flaky = e.package("flaky").await;
        assert_eq!(flaky.build_priority, 200, "{l}: failed-build bonus");
        assert_eq!(flaky.dependency_priority, 0, "{l}: priorities reset on completion");
        assert_eq!(flaky.last_complete_build_id, Some(fl[1].id), "{l}");
        let faulty = e.package("faulty").await;
        assert_eq!(faulty.last_build_id, Some(fb[0].id), "{l}: inconclusive is invisible");
        let ev = std::iter::from_fn(|| events.try_recv().ok()).find_map(|ev| match ev {
            Event::PackageStateChanged(c) if c.name == "flaky" => Some(c),
            _ => None,
        });
        let ev = ev.expect("flaky event");
        assert_eq!((ev.previous_state.as_deref(), ev.state.as_str()), (Some("ok"), "failing"));
        // Polling again changes nothing.
        let snapshot = e.all_builds().await;
        polling::tick(&e.ctx).await.expect("poll");
        assert_eq!(e.all_builds().await, snapshot, "{l}");

        // Next: rnv is submitted; faulty waits for its backoff; flaky's priority is low.
        runner::run_until_idle(&scheduler::Scheduler, &e.ctx, 10).await.expect("run");
        let all = e.all_builds().await;
        let run_ids: Vec<i32> = running(&all).iter().filter_map(|b| b.package_id).collect();
        assert_eq!(run_ids, [rnv.id], "{l}");
        e.advance(300);
        polling::tick(&e.ctx).await.expect("poll");
        let rnv_now = e.package("rnv").await;
        assert_eq!(rnv_now.last_complete_build_state, Some(3), "{l}");
        // Still inside faulty's 30 min backoff (about 1150 s since the fault): nothing submitted.
        runner::run_until_idle(&scheduler::Scheduler, &e.ctx, 10).await.expect("run");
        assert!(running(&e.all_builds().await).is_empty(), "{l}: backoff respected");
        e.advance(1800);
        runner::run_until_idle(&scheduler::Scheduler, &e.ctx, 10).await.expect("run");
        let all = e.all_builds().await;
        let run_ids: Vec<i32> = running(&all).iter().filter_map(|b| b.package_id).collect();
        assert_eq!(run_ids, [faulty.id], "{l}: retried after the backoff");
        assert_eq!(e.koji_build_tasks().len(), 4, "{l}: one Koji task per build row");

        // Polling refreshes the statistics views.
        e.advance(600);
        polling::tick(&e.ctx).await.expect("poll");
        let all = e.all_builds().await;
        let stats = crate::db::entities::scalar_stats::Entity::find()
            .all(&e.tdb.conn)
            .await
            .expect("stats");
        assert_eq!(stats.len(), 1, "{l}");
        assert_eq!(stats[0].builds as usize, all.len(), "{l}");
        assert_eq!(stats[0].scratch_builds as usize, all.iter().filter(|b| !b.real).count());
        assert_eq!(stats[0].tracked_packages, 3, "{l}");
        let usage = crate::db::entities::resource_consumption_stats::Entity::find()
            .all(&e.tdb.conn)
            .await
            .expect("usage");
        assert!(usage.iter().any(|u| u.name == "rnv" && u.time.is_some_and(|t| t > 0)), "{l}");
        let total: f64 = usage.iter().filter_map(|u| u.time_percentage).sum();
        assert!((total - 1.0).abs() < 1e-9, "{l}: shares sum to 1: {usage:?}");
    }
}

/// Runs one scheduler tick that stops (forever) at the given hook; the tick is dropped as
/// soon as the hook is reached, as if the process died there.
async fn tick_dropped_at(e: &Env, before: bool) {
    let reached = Arc::new(tokio::sync::Notify::new());
    let signal = reached.clone();
    let hook: Hook = Arc::new(move || {
        let signal = signal.clone();
        Box::pin(async move {
            signal.notify_one();
            std::future::pending::<()>().await;
        })
    });
    let mut ctx = e.ctx.clone();
    if before {
        ctx.hooks.before_submit = Some(hook);
    } else {
        ctx.hooks.after_submit = Some(hook);
    }
    tokio::select! {
        res = scheduler::tick(&ctx) => panic!("tick finished: {res:?}"),
        () = reached.notified() => {}
    }
}

#[tokio::test]
async fn a_tick_stopped_mid_submission_neither_loses_nor_duplicates() {
    for tdb in backends().await {
        let l = tdb.label;
        let e = env(tdb).await;
        polling::tick(&e.ctx).await.expect("sync packages");

        // Stopped after Koji accepted the build, before the task id was written.
        e.schedulable("rnv", "1.7.11", "15.fc99", 0).await;
        tick_dropped_at(&e, false).await;
        let koji = e.koji_build_tasks();
        assert_eq!(koji.len(), 1, "{l}");
        let rnv = e.builds_of("rnv").await;
        assert_eq!(rnv.len(), 2, "{l}");
        assert_eq!((rnv[1].state, rnv[1].task_id), (2, 0), "{l}: pending row");
        // The next tick adopts the orphaned task and submits nothing new.
        runner::run_until_idle(&scheduler::Scheduler, &e.ctx, 10).await.expect("run");
        assert_eq!(e.koji_build_tasks(), koji, "{l}: no second submission");
        let rnv = e.builds_of("rnv").await;
        assert_eq!(rnv.len(), 2, "{l}");
        assert_eq!(i64::from(rnv[1].task_id), koji[0], "{l}: adopted");
        // Polling then sees it finish normally.
        e.advance(1000);
        polling::tick(&e.ctx).await.expect("poll");
        assert_eq!(e.builds_of("rnv").await[1].state, 3, "{l}");

        // Stopped before the Koji call: the pending row is dropped and the package is
        // submitted exactly once by the next tick.
        e.schedulable("foo", "2.0", "1.fc99", 0).await;
        package::Entity::update_many()
            .col_expr(package::Column::Blocked, Expr::value(false))
            .filter(package::Column::Name.eq("foo"))
            .exec(&e.tdb.conn)
            .await
            .expect("unblock");
        tick_dropped_at(&e, true).await;
        assert_eq!(e.koji_build_tasks().len(), 1, "{l}: Koji never got it");
        assert_eq!(running(&e.builds_of("foo").await).len(), 1, "{l}: pending row");
        runner::run_until_idle(&scheduler::Scheduler, &e.ctx, 10).await.expect("run");
        let koji = e.koji_build_tasks();
        assert_eq!(koji.len(), 2, "{l}: submitted once");
        let foo = e.builds_of("foo").await;
        assert_eq!(foo.len(), 2, "{l}: {foo:?}");
        assert!(koji.contains(&i64::from(foo[1].task_id)), "{l}");
        let pending =
            build::Entity::find().filter(build::Column::TaskId.eq(0)).count(&e.tdb.conn).await;
        assert_eq!(pending.expect("count"), 0, "{l}");
    }
}

/// Builds that never finish end inconclusive, and their Koji tasks are canceled: when a
/// user asked for the cancel (`cancel_requested`), and when they outlive
/// `koji.task_timeout`. The package keeps its state.
#[tokio::test]
async fn canceled_and_timed_out_builds_are_inconclusive() {
    let scenario = format!(
        "{SCENARIO}\n[[rule]]\npackage = \"rnv\"\noutcome = \"hold\"\n\
         [[rule]]\npackage = \"foo\"\noutcome = \"hold\"\n"
    );
    for tdb in backends().await {
        let l = tdb.label;
        let e = env_with(tdb, &scenario).await;
        polling::tick(&e.ctx).await.expect("sync packages");
        e.schedulable("rnv", "1.7.11", "15.fc99", 0).await;
        e.schedulable("foo", "2.0", "1.fc99", 0).await;
        runner::run_until_idle(&scheduler::Scheduler, &e.ctx, 10).await.expect("run");
        let all = e.all_builds().await;
        assert_eq!(running(&all).len(), 2, "{l}: both submitted");
        e.advance(600);
        polling::tick(&e.ctx).await.expect("poll");
        assert_eq!(running(&e.all_builds().await).len(), 2, "{l}: held tasks keep running");

        // A user cancels rnv's build.
        let rnv = e.builds_of("rnv").await.pop().expect("rnv build");
        build::Entity::update_many()
            .col_expr(build::Column::CancelRequested, Expr::value(true))
            .filter(build::Column::Id.eq(rnv.id))
            .exec(&e.tdb.conn)
            .await
            .expect("request cancel");
        polling::tick(&e.ctx).await.expect("poll");
        let rnv_after = e.builds_of("rnv").await.pop().expect("rnv build");
        assert_eq!(rnv_after.state, 6, "{l}: canceled ⇒ inconclusive");
        let koji = e.sim.task(i64::from(rnv.task_id)).expect("koji task");
        assert_eq!(koji.state, crate::kojisim::state::task_state::CANCELED, "{l}");
        let foo = e.builds_of("foo").await.pop().expect("foo build");
        assert_eq!(foo.state, 2, "{l}: foo still running");

        // foo outlives the task timeout.
        let timeout = e.ctx.config.koji.task_timeout.as_secs() as i64;
        e.advance(timeout);
        polling::tick(&e.ctx).await.expect("poll");
        let foo_after = e.builds_of("foo").await.pop().expect("foo build");
        assert_eq!(foo_after.state, 6, "{l}: timed out ⇒ inconclusive");
        let koji = e.sim.task(i64::from(foo.task_id)).expect("koji task");
        assert_eq!(koji.state, crate::kojisim::state::task_state::CANCELED, "{l}");
        for name in ["rnv", "foo"] {
            let p = e.package(name).await;
            assert_eq!(p.last_complete_build_state, Some(3), "{l}: {name} keeps its state");
        }
    }
}
