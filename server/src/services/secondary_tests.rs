//! Secondary mode (spec §6.5) against two Koji hub simulators: a read-only, anonymous
//! secondary supplies the package list, real builds and repos; the authenticated primary
//! runs the scratch builds. A new secondary repo is taken only once its `repo_mapping`
//! names a primary newRepo task that is CLOSED, and a scratch build's (primary) repo id is
//! stored as the mapped secondary id. SQLite and (when configured) PostgreSQL.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::*;
use crate::config::{KojiConfig, LoginMethod};
use crate::db::entities::{build, collection, package, repo_mapping};
use crate::db::test_db::{TestDb, backends};
use crate::koji::api::KojiApi;
use crate::koji::instances::{KojiId, KojiInstance};
use crate::koji::session::KojiSession;
use crate::kojisim::KojiSim;
use crate::kojisim::scenario::Scenario;
use crate::kojisim::state::{RepoOpts, task_state};

const BASE: &str = r#"
start = "2026-01-01T00:00:00Z"

[settings]
srpm_duration = 30
arch_duration = 60
repo_duration = 10

[[user]]
name = "kojiadmin"
password = "kojiadmin"
perms = ["admin"]

[[tag]]
name = "f99-build"
arches = "x86_64"
packages = ["bash", "gcc", "app"]
[tag.groups]
build = ["bash", "gcc"]

[[tag]]
name = "f99"
parents = ["f99-build"]

[[target]]
name = "f99"
build_tag = "f99-build"
dest_tag = "f99"

[[host]]
name = "b1"
arches = "x86_64 noarch"
capacity = 8.0

[[build]]
nvr = "bash-5.2-1.fc99"
tags = ["f99-build"]
arches = ["x86_64"]

[[build]]
nvr = "gcc-14-1.fc99"
tags = ["f99-build"]
arches = ["x86_64"]

[[build]]
nvr = "app-1.0-1.fc99"
tags = ["f99-build"]
arches = ["x86_64"]
build_requires = ["gcc"]
"#;

struct Env {
    tdb: TestDb,
    primary: KojiSim,
    secondary: KojiSim,
    clock: Arc<ManualClock>,
    ctx: ServiceContext,
    _data: tempfile::TempDir,
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").expect("time").with_timezone(&Utc)
}

async fn serve(sim: &KojiSim) -> KojiConfig {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(crate::kojisim::http::serve(listener, sim.clone()));
    KojiConfig {
        server: format!("http://{addr}/kojihub"),
        topurl: format!("http://{addr}/kojifiles"),
        weburl: format!("http://{addr}/koji"),
        max_retries: 0,
        build_arches: vec!["x86_64".into()],
        load_threshold: 1.0,
        ..KojiConfig::default()
    }
}

async fn env(tdb: TestDb) -> Env {
    // Only the secondary's builds carry real task trees (it is where Fedora builds); it also
    // lists a package the primary does not know.
    let primary = KojiSim::new(Scenario::from_toml(BASE).expect("scenario")).expect("sim");
    let secondary_text = BASE
        .replace("[settings]\n", "[settings]\nbuild_tasks = true\n")
        .replace("\"gcc\", \"app\"]", "\"gcc\", \"app\", \"only-secondary\"]");
    let secondary =
        KojiSim::new(Scenario::from_toml(&secondary_text).expect("scenario")).expect("sim");
    let mut koji = serve(&primary).await;
    koji.login_method = LoginMethod::Password;
    koji.auth.user = Some("kojiadmin".into());
    koji.auth.password = Some(crate::config::Secret::new("kojiadmin"));
    let secondary_koji =
        KojiConfig { login_method: LoginMethod::Anonymous, ..serve(&secondary).await };
    let data = tempfile::tempdir().expect("tempdir");
    let config = Config { koji, data_dir: data.path().to_path_buf(), ..Config::default() };
    let instance = |id, cfg: &KojiConfig| {
        let api: Arc<dyn KojiApi> = Arc::new(KojiSession::new(cfg).expect("session"));
        KojiInstance { id, config: cfg.clone(), repo_url: None, api }
    };
    let koji = KojiInstances::new(
        instance(KojiId::Primary, &config.koji),
        Some(instance(KojiId::Secondary, &secondary_koji)),
    );
    let clock = Arc::new(ManualClock::new(start()));
    let ctx = ServiceContext {
        db: tdb.conn.clone(),
        config: Arc::new(config),
        events: EventHub::default(),
        clock: clock.clone(),
        koji,
        locks: Locks::new(tdb.conn.clone()),
        hooks: Hooks::default(),
    };
    collection::ActiveModel {
        name: Set("f99".into()),
        display_name: Set("Fedora 99".into()),
        target: Set("f99".into()),
        dest_tag: Set("f99".into()),
        build_tag: Set("f99-build".into()),
        secondary_mode: Set(true),
        poll_untracked: Set(false),
        ..Default::default()
    }
    .insert(&tdb.conn)
    .await
    .expect("collection");
    Env { tdb, primary, secondary, clock, ctx, _data: data }
}

impl Env {
    fn advance(&self, secs: i64) {
        self.primary.advance(secs as f64);
        self.secondary.advance(secs as f64);
        self.clock.advance(TimeDelta::seconds(secs));
    }

    async fn package(&self, name: &str) -> package::Model {
        package::Entity::find()
            .filter(package::Column::Name.eq(name))
            .one(&self.tdb.conn)
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("package {name}"))
    }

    async fn collection(&self) -> collection::Model {
        collection::Entity::find().one(&self.tdb.conn).await.expect("q").expect("collection")
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
}

fn scratch_tasks(sim: &KojiSim) -> Vec<i64> {
    sim.with_hub(|h| {
        h.state
            .tasks
            .values()
            .filter(|t| t.method == "build" && t.parent.is_none())
            .filter(|t| {
                t.request.get(2).and_then(|o| o.get("scratch"))
                    == Some(&crate::koji::xmlrpc::Value::Bool(true))
            })
            .map(|t| t.id)
            .collect()
    })
}

#[tokio::test]
async fn secondary_mode_reads_from_the_secondary_and_builds_on_the_primary() {
    for tdb in backends().await {
        let l = tdb.label;
        let e = env(tdb).await;

        // The package list and the real builds come from the secondary.
        polling::tick(&e.ctx).await.expect("poll");
        assert!(e.package("only-secondary").await.id > 0, "{l}");
        package::Entity::update_many()
            .col_expr(package::Column::Tracked, Expr::value(true))
            .filter(package::Column::Name.eq("app"))
            .exec(&e.tdb.conn)
            .await
            .expect("track");
        polling::tick(&e.ctx).await.expect("poll");
        let real = e.builds_of("app").await;
        assert_eq!(real.len(), 1, "{l}: {real:?}");
        let secondary_task = e
            .secondary
            .with_hub(|h| h.state.build_by_nvr("app-1.0-1.fc99").and_then(|b| b.task_id));
        assert_eq!(Some(i64::from(real[0].task_id)), secondary_task, "{l}: task from secondary");
        assert!(real[0].real, "{l}");

        // The secondary's repo is not taken before the primary has regenerated it.
        let secondary_repo =
            e.secondary.with_hub(|h| h.state.repos.keys().copied().max()).expect("repo");
        runner::run_until_idle(&repo_resolver::RepoResolver, &e.ctx, 5).await.expect("tick");
        assert_eq!(e.collection().await.latest_repo_id, None, "{l}: no mapping yet");
        let owner = e.primary.with_hub(|h| h.state.user_named("kojira").map_or(1, |u| u.id));
        let regen = e.primary.with_hub(|h| {
            let now = h.now();
            crate::kojisim::tasks::new_repo_task(h, "f99-build", owner, RepoOpts::default(), now)
        });
        let primary_repo = e.primary.with_hub(|h| h.state.repos.keys().copied().max());
        repo_mapping::ActiveModel {
            secondary_id: Set(secondary_repo as i32),
            primary_id: Set(primary_repo.map(|id| id as i32)),
            task_id: Set(regen as i32),
        }
        .insert(&e.tdb.conn)
        .await
        .expect("mapping");
        runner::run_until_idle(&repo_resolver::RepoResolver, &e.ctx, 5).await.expect("tick");
        assert_eq!(e.collection().await.latest_repo_id, None, "{l}: primary task still open");
        e.advance(60);
        assert_eq!(e.primary.task(regen).expect("task").state, task_state::CLOSED, "{l}");
        let primary_repo = e.primary.with_hub(|h| h.state.repos.keys().copied().max()).expect("r");
        assert_ne!(primary_repo, secondary_repo, "{l}: ids differ between the hubs");
        repo_mapping::Entity::update_many()
            .col_expr(repo_mapping::Column::PrimaryId, Expr::value(primary_repo as i32))
            .exec(&e.tdb.conn)
            .await
            .expect("primary id");
        runner::run_until_idle(&repo_resolver::RepoResolver, &e.ctx, 5).await.expect("tick");
        let c = e.collection().await;
        assert_eq!(c.latest_repo_id, Some(secondary_repo as i32), "{l}: secondary id stored");
        assert_eq!(e.package("app").await.resolved, Some(true), "{l}");

        // The scratch build runs on the primary; its repo id is stored as the secondary's.
        package::Entity::update_many()
            .col_expr(package::Column::DependencyPriority, Expr::value(5000))
            .filter(package::Column::Name.eq("app"))
            .exec(&e.tdb.conn)
            .await
            .expect("priority");
        runner::run_until_idle(&scheduler::Scheduler, &e.ctx, 5).await.expect("schedule");
        let on_primary = scratch_tasks(&e.primary);
        assert_eq!(on_primary.len(), 1, "{l}: submitted to the primary");
        assert!(scratch_tasks(&e.secondary).is_empty(), "{l}: never to the secondary");
        e.advance(600);
        polling::tick(&e.ctx).await.expect("poll");
        let builds = e.builds_of("app").await;
        let scratch = builds.iter().find(|b| !b.real).expect("scratch build");
        assert_eq!(i64::from(scratch.task_id), on_primary[0], "{l}");
        assert_eq!(scratch.state, 3, "{l}: complete");
        assert_eq!(
            scratch.repo_id,
            Some(secondary_repo as i32),
            "{l}: primary repo {primary_repo} stored as the secondary's"
        );
    }
}
