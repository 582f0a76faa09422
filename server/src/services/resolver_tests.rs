//! repo_resolver and build_resolver ticks against the Koji hub simulator (real client over
//! HTTP, real rpm-md served at /kojifiles, libsolv), on SQLite and (when configured)
//! PostgreSQL.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};

use super::*;
use crate::config::{KojiConfig, LoginMethod};
use crate::db::entities::{
    applied_change, build, buildroot_problem, collection, dependency, package, resolution_change,
    resolution_problem, unapplied_change,
};
use crate::db::test_db::{TestDb, backends};
use crate::db::{builds, dependency_keys};
use crate::events::Event;
use crate::koji::api::KojiApi;
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
packages = ["bash", "gcc", "libz", "app", "tool", "broken", "needy"]

[[tag]]
name = "f99-build"
arches = "x86_64"
parents = ["f99"]
[tag.groups]
build = ["bash", "gcc"]
rotten = ["bash", "needy"]

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
requires = ["bash"]

[[build]]
nvr = "libz-1.0-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
[[build.rpm]]
name = "libz-devel"
requires = ["libz"]

[[build]]
nvr = "app-1.0-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
build_requires = ["libz-devel"]

[[build]]
nvr = "tool-1.0-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
build_requires = ["gcc"]

[[build]]
nvr = "broken-0.1-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
build_requires = ["gcc", "nonexistent-lib-devel >= 2"]

[[build]]
nvr = "needy-1-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
requires = ["missing-thing"]

[[update]]
at = 600
new_repo = ["f99-build"]
[[update.build]]
nvr = "libz-1.1-1.fc99"
tags = ["f99"]
arches = ["x86_64"]
[[update.build.rpm]]
name = "libz-devel"
requires = ["libz"]
"#;

struct Env {
    tdb: TestDb,
    sim: KojiSim,
    clock: Arc<ManualClock>,
    ctx: ServiceContext,
    _data: tempfile::TempDir,
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").expect("time").with_timezone(&Utc)
}

async fn env(tdb: TestDb, build_group: &str) -> Env {
    let sim = KojiSim::new(Scenario::from_toml(SCENARIO).expect("scenario")).expect("sim");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(crate::kojisim::http::serve(listener, sim.clone()));
    let mut koji = KojiConfig {
        server: format!("http://{addr}/kojihub"),
        topurl: format!("http://{addr}/kojifiles"),
        weburl: format!("http://{addr}/koji"),
        login_method: LoginMethod::Password,
        max_retries: 0,
        ..KojiConfig::default()
    };
    koji.auth.user = Some("kojiadmin".into());
    koji.auth.password = Some(crate::config::Secret::new("kojiadmin"));
    let data = tempfile::tempdir().expect("tempdir");
    let mut config = Config { koji, data_dir: data.path().to_path_buf(), ..Config::default() };
    config.dependency.persist_chunk_size = 2; // several chunks with few packages
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
    collection::ActiveModel {
        name: Set("f99".into()),
        display_name: Set("Fedora 99".into()),
        target: Set("f99".into()),
        dest_tag: Set("f99-updates-candidate".into()),
        build_tag: Set("f99-build".into()),
        build_group: Set(build_group.into()),
        ..Default::default()
    }
    .insert(&tdb.conn)
    .await
    .expect("collection");
    let e = Env { tdb, sim, clock, ctx, _data: data };
    polling::refresh_packages(&e.ctx, &e.collection().await).await.expect("packages");
    for (name, version, release) in [
        ("app", "1.0", "1.fc99"),
        ("tool", "1.0", "1.fc99"),
        ("broken", "0.1", "1.fc99"),
        ("needy", "1", "1.fc99"),
    ] {
        e.track_with_build(name, version, release).await;
    }
    e
}

impl Env {
    fn initial_repo(&self) -> i32 {
        self.sim.with_hub(|h| h.state.repos.keys().copied().min()).expect("repo") as i32
    }

    fn latest_repo(&self) -> i32 {
        self.sim.with_hub(|h| h.state.repos.keys().copied().max()).expect("repo") as i32
    }

    async fn collection(&self) -> collection::Model {
        collection::Entity::find().one(&self.tdb.conn).await.expect("q").expect("collection")
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
            .order_by_asc(build::Column::Started)
            .all(&self.tdb.conn)
            .await
            .expect("builds")
    }

    async fn track_with_build(&self, name: &str, version: &str, release: &str) {
        let p = self.package(name).await;
        package::Entity::update_many()
            .col_expr(package::Column::Tracked, Expr::value(true))
            .filter(package::Column::Id.eq(p.id))
            .exec(&self.tdb.conn)
            .await
            .expect("track");
        self.add_build(name, version, release, self.initial_repo(), 10).await;
    }

    async fn add_build(&self, name: &str, version: &str, release: &str, repo: i32, age: i64) {
        let p = self.package(name).await;
        let when = self.clock.now() - TimeDelta::days(age);
        builds::insert_build(
            &self.tdb.conn,
            build::ActiveModel {
                package_id: Set(Some(p.id)),
                state: Set(3),
                task_id: Set(900_000 + p.id * 10 + (10 - age as i32)),
                started: Set(when),
                finished: Set(Some(when)),
                version: Set(Some(version.into())),
                release: Set(Some(release.into())),
                repo_id: Set(Some(repo)),
                real: Set(true),
                ..Default::default()
            },
        )
        .await
        .expect("build");
    }

    async fn dep_names(&self, keys: &[u8]) -> BTreeSet<String> {
        let ids = dependency_keys::decode(keys).expect("keys");
        dependency::Entity::find()
            .filter(dependency::Column::Id.is_in(ids))
            .all(&self.tdb.conn)
            .await
            .expect("deps")
            .into_iter()
            .map(|d| format!("{}-{}-{}.{}", d.name, d.version, d.release, d.arch))
            .collect()
    }

    /// Unapplied changes of a package: dep name → (prev version, curr version, distance).
    async fn unapplied(
        &self,
        name: &str,
    ) -> BTreeMap<String, (Option<String>, Option<String>, Option<i32>)> {
        let p = self.package(name).await;
        let rows = unapplied_change::Entity::find()
            .filter(unapplied_change::Column::PackageId.eq(p.id))
            .all(&self.tdb.conn)
            .await
            .expect("changes");
        self.describe(rows.iter().map(|r| (r.prev_dep_id, r.curr_dep_id, r.distance))).await
    }

    async fn describe(
        &self,
        rows: impl Iterator<Item = (Option<i32>, Option<i32>, Option<i32>)>,
    ) -> BTreeMap<String, (Option<String>, Option<String>, Option<i32>)> {
        let mut out = BTreeMap::new();
        for (prev, curr, distance) in rows {
            let get = |id: Option<i32>| async move {
                match id {
                    Some(id) => dependency::Entity::find_by_id(id)
                        .one(&self.tdb.conn)
                        .await
                        .expect("q")
                        .map(|d| (d.name, d.version)),
                    None => None,
                }
            };
            let p = get(prev).await;
            let c = get(curr).await;
            let name = p.as_ref().or(c.as_ref()).map(|x| x.0.clone()).expect("a side");
            out.insert(name, (p.map(|x| x.1), c.map(|x| x.1), distance));
        }
        out
    }

    async fn resolution_changes(&self, name: &str) -> Vec<(bool, Vec<String>)> {
        let p = self.package(name).await;
        let mut out = Vec::new();
        for rc in resolution_change::Entity::find()
            .filter(resolution_change::Column::PackageId.eq(p.id))
            .order_by_asc(resolution_change::Column::Id)
            .all(&self.tdb.conn)
            .await
            .expect("q")
        {
            let problems = resolution_problem::Entity::find()
                .filter(resolution_problem::Column::ResolutionId.eq(rc.id))
                .all(&self.tdb.conn)
                .await
                .expect("q")
                .into_iter()
                .map(|p| p.problem)
                .collect();
            out.push((rc.resolved, problems));
        }
        out
    }

    async fn buildroot_problems(&self) -> Vec<String> {
        buildroot_problem::Entity::find()
            .all(&self.tdb.conn)
            .await
            .expect("q")
            .into_iter()
            .map(|p| p.problem)
            .collect()
    }

    /// Moves past the scheduled update until its new repo is READY.
    fn new_repo(&self) {
        let before = self.latest_repo();
        self.sim.advance(700.0);
        self.clock.advance(TimeDelta::seconds(700));
        assert!(self.latest_repo() > before, "the update produced a new repo");
    }
}

fn drain(
    rx: &mut tokio::sync::broadcast::Receiver<Event>,
) -> Vec<(String, Option<String>, String)> {
    let mut out = Vec::new();
    while let Ok(Event::PackageStateChanged(e)) = rx.try_recv() {
        out.push((e.name, e.previous_state, e.state));
    }
    out
}

#[tokio::test]
async fn resolvers_follow_repos_and_builds() {
    for tdb in backends().await {
        let l = tdb.label;
        let e = env(tdb, "build").await;
        let mut rx = e.ctx.events.subscribe();

        // build_resolver: dependency sets of the initial builds.
        assert_eq!(build_resolver::tick(&e.ctx).await.expect("tick"), Outcome::Progress, "{l}");
        let app = &e.builds_of("app").await[0];
        assert_eq!(app.deps_resolved, Some(true), "{l}");
        let names = e.dep_names(app.dependency_keys.as_deref().expect("keys")).await;
        assert!(names.contains("libz-devel-1.0-1.fc99.x86_64"), "{l}: {names:?}");
        assert!(names.contains("libz-1.0-1.fc99.x86_64"), "{l}: {names:?}");
        assert!(names.contains("bash-5.2-1.fc99.x86_64"), "{l}: {names:?}");
        let broken = &e.builds_of("broken").await[0];
        assert_eq!(broken.deps_resolved, Some(false), "{l}");
        assert_eq!(broken.dependency_keys, None, "{l}");
        assert_eq!(e.package("broken").await.build_priority, 3000, "{l}");
        assert_eq!(e.package("tool").await.build_priority, 0, "{l}");
        assert_eq!(build_resolver::tick(&e.ctx).await.expect("tick"), Outcome::Idle, "{l}");

        // repo_resolver on the first repo.
        assert_eq!(repo_resolver::tick(&e.ctx).await.expect("tick"), Outcome::Progress, "{l}");
        let c = e.collection().await;
        assert_eq!(c.latest_repo_id, Some(e.initial_repo()), "{l}");
        assert_eq!(c.latest_repo_resolved, Some(true), "{l}");
        assert!(e.buildroot_problems().await.is_empty(), "{l}");
        for name in ["app", "tool"] {
            let p = e.package(name).await;
            assert_eq!(p.resolved, Some(true), "{l} {name}");
            assert_eq!(p.dependency_priority, 0, "{l} {name}");
            assert_eq!(e.resolution_changes(name).await, vec![(true, vec![])], "{l} {name}");
            assert!(e.unapplied(name).await.is_empty(), "{l} {name}");
        }
        assert_eq!(e.package("broken").await.resolved, Some(false), "{l}");
        assert_eq!(
            e.resolution_changes("broken").await,
            vec![(false, vec!["No package found for: nonexistent-lib-devel >= 2".to_owned()])],
            "{l}"
        );
        let needy = e.package("needy").await;
        assert_eq!(needy.resolved, Some(true), "{l}: no BuildRequires at all");
        assert_eq!(
            drain(&mut rx),
            vec![("broken".to_owned(), Some("ok".to_owned()), "unresolved".to_owned())],
            "{l}"
        );

        // Idempotent: nothing new.
        assert_eq!(repo_resolver::tick(&e.ctx).await.expect("tick"), Outcome::Idle, "{l}");
        // A crash after the packages were written but before latest_repo_id was: the repo
        // is processed again with the same results and no duplicate history.
        collection::Entity::update_many()
            .col_expr(collection::Column::LatestRepoId, Expr::value(Option::<i32>::None))
            .col_expr(collection::Column::LatestRepoResolved, Expr::value(Option::<bool>::None))
            .exec(&e.tdb.conn)
            .await
            .expect("reset");
        assert_eq!(repo_resolver::tick(&e.ctx).await.expect("tick"), Outcome::Progress, "{l}");
        assert_eq!(e.collection().await.latest_repo_id, Some(e.initial_repo()), "{l}");
        assert_eq!(e.resolution_changes("app").await.len(), 1, "{l}");
        assert_eq!(e.resolution_changes("broken").await.len(), 1, "{l}");
        assert!(drain(&mut rx).is_empty(), "{l}");

        // A new repo with a newer libz: only its dependents get changes and priority.
        e.new_repo();
        assert_eq!(repo_resolver::tick(&e.ctx).await.expect("tick"), Outcome::Progress, "{l}");
        assert_eq!(e.collection().await.latest_repo_id, Some(e.latest_repo()), "{l}");
        let changes = e.unapplied("app").await;
        let expected: BTreeMap<_, _> = [
            ("libz".to_owned(), (Some("1.0".to_owned()), Some("1.1".to_owned()), Some(2))),
            ("libz-devel".to_owned(), (Some("1.0".to_owned()), Some("1.1".to_owned()), Some(1))),
        ]
        .into();
        assert_eq!(changes, expected, "{l}");
        let package_update = e.ctx.config.priorities.package_update;
        assert_eq!(
            i64::from(e.package("app").await.dependency_priority),
            package_update + package_update / 2,
            "{l}"
        );
        assert_eq!(e.package("tool").await.dependency_priority, 0, "{l}");
        assert!(e.unapplied("tool").await.is_empty(), "{l}");
        assert_eq!(e.resolution_changes("app").await.len(), 1, "{l}: verdict unchanged");
        assert_eq!(e.resolution_changes("broken").await.len(), 1, "{l}: same problems");
        assert!(drain(&mut rx).is_empty(), "{l}");
        assert_eq!(repo_resolver::tick(&e.ctx).await.expect("tick"), Outcome::Idle, "{l}");
        assert_eq!(e.unapplied("app").await.len(), 2, "{l}");

        // A new app build in the new repo: build_resolver records the applied changes and
        // moves the dependency snapshot to it.
        e.add_build("app", "1.0", "1.fc99", e.latest_repo(), 0).await;
        assert_eq!(build_resolver::tick(&e.ctx).await.expect("tick"), Outcome::Progress, "{l}");
        let bs = e.builds_of("app").await;
        assert_eq!(bs.len(), 2, "{l}");
        assert_eq!(bs[0].dependency_keys, None, "{l}: only the newest keeps keys");
        assert_eq!(bs[1].deps_resolved, Some(true), "{l}");
        let names = e.dep_names(bs[1].dependency_keys.as_deref().expect("keys")).await;
        assert!(names.contains("libz-1.1-1.fc99.x86_64"), "{l}: {names:?}");
        let applied = applied_change::Entity::find()
            .filter(applied_change::Column::BuildId.eq(bs[1].id))
            .all(&e.tdb.conn)
            .await
            .expect("q");
        let applied =
            e.describe(applied.iter().map(|r| (r.prev_dep_id, r.curr_dep_id, r.distance))).await;
        assert_eq!(applied, expected, "{l}");
        assert_eq!(build_resolver::tick(&e.ctx).await.expect("tick"), Outcome::Idle, "{l}");
    }
}

#[tokio::test]
async fn unresolvable_or_missing_build_group_is_recorded() {
    for tdb in backends().await {
        let l = tdb.label;
        let e = env(tdb, "rotten").await;
        assert_eq!(repo_resolver::tick(&e.ctx).await.expect("tick"), Outcome::Progress, "{l}");
        let c = e.collection().await;
        assert_eq!(c.latest_repo_resolved, Some(false), "{l}");
        assert_eq!(c.latest_repo_id, Some(e.initial_repo()), "{l}");
        let problems = e.buildroot_problems().await;
        assert!(!problems.is_empty(), "{l}");
        assert!(problems.iter().any(|p| p.contains("missing-thing")), "{l}: {problems:?}");
        for name in ["app", "tool", "broken"] {
            assert_eq!(e.package(name).await.resolved, None, "{l} {name}");
        }
        let rcs = resolution_change::Entity::find().count(&e.tdb.conn).await.expect("q");
        assert_eq!(rcs, 0, "{l}");
        assert_eq!(repo_resolver::tick(&e.ctx).await.expect("tick"), Outcome::Idle, "{l}");

        // A missing build group in the next repo: recorded, not a crash.
        collection::Entity::update_many()
            .col_expr(collection::Column::BuildGroup, Expr::value("nope"))
            .exec(&e.tdb.conn)
            .await
            .expect("group");
        e.new_repo();
        assert_eq!(repo_resolver::tick(&e.ctx).await.expect("tick"), Outcome::Progress, "{l}");
        let c = e.collection().await;
        assert_eq!(c.latest_repo_id, Some(e.latest_repo()), "{l}");
        assert_eq!(c.latest_repo_resolved, Some(false), "{l}");
        let problems = e.buildroot_problems().await;
        assert_eq!(problems.len(), 1, "{l}");
        assert!(problems[0].contains("Build group nope not found"), "{l}: {problems:?}");

        // build_resolver: no build group → unresolved, priority bumped.
        assert_eq!(build_resolver::tick(&e.ctx).await.expect("tick"), Outcome::Progress, "{l}");
        assert_eq!(e.builds_of("tool").await[0].deps_resolved, Some(false), "{l}");
        assert_eq!(e.package("tool").await.build_priority, 3000, "{l}");
    }
}

#[tokio::test]
async fn build_in_a_dead_repo_is_unresolved() {
    for tdb in backends().await {
        let l = tdb.label;
        let e = env(tdb, "build").await;
        e.add_build("tool", "1.0", "1.fc99", 987_654, 1).await;
        build_resolver::tick(&e.ctx).await.expect("tick");
        let bs = e.builds_of("tool").await;
        assert_eq!(bs[0].deps_resolved, Some(true), "{l}: the old build resolved");
        assert_eq!(bs[1].deps_resolved, Some(false), "{l}: repo 987654 does not exist");
        assert_eq!(e.package("tool").await.build_priority, 3000, "{l}");
        assert_eq!(e.package("app").await.build_priority, 0, "{l}");
    }
}
