//! Times one `repo_resolver` tick over ~30,000 tracked packages of Debian bookworm (the
//! rpm-md conversion in `../shared/bench/debian-rpmmd`), database writes included, on SQLite
//! and (with `--postgres URL` or `KOSCHEI_TEST_POSTGRES_URL`) PostgreSQL.
//!
//! Run: `cargo bench -p koschei --bench repo_resolver_tick [-- --packages N] [--postgres URL]
//! [--no-sqlite] [--data DIR]`. Figures go to stdout and `target/bench/repo_resolver_tick.txt`.
//!
//! Nothing of the service is mocked: the Koji hub simulator answers the XML-RPC calls
//! (`getRepo`, `repoInfo`, `getTagGroups`, `getRPMDeps` for every SRPM), a static HTTP server
//! serves the snapshot's rpm-md under Koji's topurl layout (`repos/<tag>/<id>/x86_64`), and
//! the service downloads it into its cache, solves with libsolv and writes to the database.
//!
//! Setup (timed, not part of the figures): the source packages' BuildRequires become SRPMs in
//! the simulator; each package gets a complete real build whose dependency set (stored as
//! `dependency_keys`, as build_resolver would) is its bookworm install set, resolved here once
//! with the batch resolver. Then two ticks per backend:
//! 1. **first**: repo 1 = bookworm, every package resolved for the first time (`resolved`
//!    was NULL; the dependency sets equal the stored ones, so no unapplied changes);
//! 2. **update**: repo 2 = bookworm-plus-updates (the real point update): every package
//!    re-resolved, changes against the stored sets written as unapplied changes.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context as _;
use chrono::{TimeDelta, Utc};
use koschei::config::{Config, KojiConfig, Secret};
use koschei::db::dependency_keys;
use koschei::db::entities::{
    base_package, build, collection, package, resolution_change, unapplied_change,
};
use koschei::db::locks::Locks;
use koschei::events::EventHub;
use koschei::koji::api::KojiApi;
use koschei::koji::instances::{KojiId, KojiInstance, KojiInstances};
use koschei::koji::session::KojiSession;
use koschei::kojisim::KojiSim;
use koschei::kojisim::scenario::Scenario;
use koschei::kojisim::state::{Build, Repo, RepoOpts, Rpm, build_state, repo_state};
use koschei::resolver::batch::{BatchOptions, load_sources, proc_status_kib, resolve_stream};
use koschei::resolver::repodata::{read_comps_group, read_repomd};
use koschei::rpm::Nevra;
use koschei::services::{Hooks, ServiceContext, SystemClock, repo_resolver};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter,
};

const TAG: &str = "bookworm-build";

struct Args {
    packages: usize,
    data: PathBuf,
    sqlite: bool,
    postgres: Option<String>,
}

#[allow(clippy::disallowed_methods, reason = "a benchmark switch, not a Koschei setting")]
fn postgres_from_env() -> Option<String> {
    std::env::var("KOSCHEI_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        packages: 30_000,
        data: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/debian-rpmmd"),
        sqlite: true,
        postgres: postgres_from_env(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--packages" => a.packages = it.next().context("--packages N")?.parse()?,
            "--data" => a.data = it.next().context("--data DIR")?.into(),
            "--postgres" => a.postgres = Some(it.next().context("--postgres URL")?),
            "--no-postgres" => a.postgres = None,
            "--no-sqlite" => a.sqlite = false,
            "--bench" => {} // passed by `cargo bench`
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    Ok(a)
}

/// The report: printed and appended to the output file line by line (a long run that is
/// stopped keeps what it measured).
struct Report(std::fs::File);

impl Report {
    fn create() -> anyhow::Result<Report> {
        let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
        std::fs::create_dir_all(&out)?;
        Ok(Report(std::fs::File::create(out.join("repo_resolver_tick.txt"))?))
    }

    fn line(&mut self, s: impl Into<String>) {
        let s = s.into();
        println!("{s}");
        let _ = writeln!(self.0, "{s}");
    }
}

fn uptime() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("?".into(), |k| format!("{:.0} MiB", k as f64 / 1024.0))
}

/// Resets the process's peak RSS (`VmHWM`) to its current RSS (Linux ≥ 4.0).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A log writer that keeps the `repo_resolver` timing lines for the report.
#[derive(Clone, Default)]
struct LogTee(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogTee {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(buf);
        std::io::stderr().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl LogTee {
    fn take_timings(&self) -> Vec<String> {
        let mut buf = self.0.lock().expect("log");
        let text = String::from_utf8_lossy(&buf).into_owned();
        buf.clear();
        text.lines()
            .filter(|l| l.contains("repo resolution timings"))
            .map(|l| l.split("repo resolution timings").nth(1).unwrap_or(l).trim().to_owned())
            .collect()
    }
}

/// One selected source package, with its stored dependency set (interned NEVRA indexes;
/// `None` when unresolvable in bookworm).
struct Pkg {
    name: String,
    epoch: Option<i64>,
    version: String,
    release: String,
    build_requires: Vec<String>,
    deps: Option<Vec<u32>>,
}

fn split_evr(evr: &str) -> (Option<i64>, String, String) {
    let (epoch, vr) = match evr.split_once(':') {
        Some((e, vr)) => (e.parse().ok().filter(|e| *e != 0), vr),
        None => (None, evr),
    };
    let (v, r) = vr.rsplit_once('-').unwrap_or((vr, ""));
    (epoch, v.to_owned(), r.to_owned())
}

/// The first `n` source packages of bookworm and their install sets.
fn prepare_packages(
    data: &Path,
    n: usize,
    report: &mut Report,
) -> anyhow::Result<(Vec<Pkg>, Vec<String>, Vec<String>)> {
    let t = Instant::now();
    let mut sources = load_sources(&data.join("bookworm/source"))?;
    sources.dedup_by(|a, b| a.name == b.name);
    sources.truncate(n);
    let binary = data.join("bookworm/binary");
    let files = read_repomd(&binary)?;
    let group =
        read_comps_group(files.group().context("no comps")?, "build")?.context("no build group")?;
    let mut interned: HashMap<String, u32> = HashMap::new();
    let mut nevras: Vec<String> = Vec::new();
    let mut sets: Vec<Option<Vec<u32>>> = Vec::with_capacity(sources.len());
    let summary = resolve_stream(&binary, &sources, &BatchOptions::default(), &mut |r| {
        sets.push(r.resolution.resolved.then(|| {
            r.resolution
                .install
                .iter()
                .map(|s| {
                    *interned.entry(s.clone()).or_insert_with(|| {
                        nevras.push(s.clone());
                        (nevras.len() - 1) as u32
                    })
                })
                .collect()
        }));
        Ok(())
    })?;
    let pkgs: Vec<Pkg> = sources
        .into_iter()
        .zip(sets)
        .map(|(s, deps)| {
            let (epoch, version, release) = split_evr(&s.evr);
            Pkg { name: s.name, epoch, version, release, build_requires: s.build_requires, deps }
        })
        .collect();
    report.line(format!(
        "setup: {} source packages, {} resolvable in bookworm, {} distinct NEVRAs in their \
         install sets; resolved for the stored dependency sets in {:.1} s (load {})",
        pkgs.len(),
        summary.resolved,
        nevras.len(),
        t.elapsed().as_secs_f64(),
        uptime()
    ));
    Ok((pkgs, nevras, group))
}

/// The simulator: tag `bookworm-build` with the build group, one COMPLETE build with an SRPM
/// (BuildRequires) per package, and a READY repo (id returned).
fn simulator(pkgs: &[Pkg], group: &[String]) -> anyhow::Result<(KojiSim, i64)> {
    let quoted: Vec<String> = group.iter().map(|g| format!("{g:?}")).collect();
    let toml = format!(
        r#"
[[tag]]
name = "bookworm"

[[tag]]
name = "{TAG}"
arches = "x86_64"
parents = ["bookworm"]
[tag.groups]
build = [{}]

[[target]]
name = "bookworm"
build_tag = "{TAG}"
dest_tag = "bookworm"
"#,
        quoted.join(", ")
    );
    let sim = KojiSim::new(Scenario::from_toml(&toml)?)?;
    let now = sim.now();
    sim.with_hub(|hub| {
        let st = &mut hub.state;
        let tag_id = st.tag_named("bookworm").map(|t| t.id).expect("tag");
        let event = st.new_event(now);
        for p in pkgs {
            let package_id = st.alloc("package");
            st.packages.insert(package_id, p.name.clone());
            let id = st.alloc("build");
            st.builds.insert(
                id,
                Build {
                    id,
                    package_id,
                    name: p.name.clone(),
                    version: p.version.clone(),
                    release: p.release.clone(),
                    epoch: p.epoch,
                    state: build_state::COMPLETE,
                    task_id: None,
                    owner_id: 1,
                    create_event: event,
                    start_ts: now,
                    completion_ts: now,
                },
            );
            let rpm_id = st.alloc("rpm");
            st.rpms.insert(
                rpm_id,
                Rpm {
                    id: rpm_id,
                    build_id: id,
                    name: p.name.clone(),
                    version: p.version.clone(),
                    release: p.release.clone(),
                    epoch: p.epoch,
                    arch: "src".into(),
                    requires: p.build_requires.clone(),
                    ..Rpm::default()
                },
            );
            st.taggings.push(koschei::kojisim::state::Tagging {
                build_id: id,
                tag_id,
                create_event: event,
                revoke_event: None,
            });
        }
    });
    let repo = new_repo(&sim);
    Ok((sim, repo))
}

/// A new READY repo of the build tag (what kojira's newRepo would leave).
fn new_repo(sim: &KojiSim) -> i64 {
    let now = sim.now();
    sim.with_hub(|hub| {
        let st = &mut hub.state;
        let tag_id = st.tag_named(TAG).map(|t| t.id).expect("tag");
        let create_event = st.new_event(now);
        let id = st.alloc("repo");
        st.repos.insert(
            id,
            Repo {
                id,
                tag_id,
                state: repo_state::READY,
                create_event,
                create_ts: now,
                state_ts: now,
                opts: RepoOpts::default(),
                task_id: None,
            },
        );
        id
    })
}

/// Makes `topdir/repos/<tag>/<id>/x86_64` the binary repo of `snapshot`.
fn publish_repo(topdir: &Path, id: i64, binary: &Path) -> anyhow::Result<()> {
    let dir = topdir.join("repos").join(TAG).join(id.to_string());
    std::fs::create_dir_all(&dir)?;
    std::os::unix::fs::symlink(binary.canonicalize()?, dir.join("x86_64"))?;
    Ok(())
}

/// Fills a fresh, migrated database: collection, base packages, packages, one complete real
/// build per package with its dependency set, pointers. Bulk inserts throughout.
async fn populate(db: &DatabaseConnection, pkgs: &[Pkg], nevras: &[String]) -> anyhow::Result<()> {
    const CHUNK: usize = 1000;
    let coll = collection::Entity::insert(collection::ActiveModel {
        name: Set("bookworm".into()),
        display_name: Set("Debian 12".into()),
        target: Set("bookworm".into()),
        dest_tag: Set("bookworm".into()),
        build_tag: Set(TAG.into()),
        build_group: Set("build".into()),
        ..Default::default()
    })
    .exec(db)
    .await?
    .last_insert_id;
    for part in pkgs.chunks(CHUNK) {
        base_package::Entity::insert_many(part.iter().map(|p| base_package::ActiveModel {
            name: Set(p.name.clone()),
            all_blocked: Set(false),
            ..Default::default()
        }))
        .exec(db)
        .await?;
    }
    let base_ids: HashMap<String, i32> =
        base_package::Entity::find().all(db).await?.into_iter().map(|b| (b.name, b.id)).collect();
    for part in pkgs.chunks(CHUNK) {
        package::Entity::insert_many(part.iter().map(|p| package::ActiveModel {
            base_id: Set(base_ids[&p.name]),
            name: Set(p.name.clone()),
            collection_id: Set(coll),
            tracked: Set(true),
            blocked: Set(false),
            skip_resolution: Set(false),
            ..Default::default()
        }))
        .exec(db)
        .await?;
    }
    let package_ids: HashMap<String, i32> = package::Entity::find()
        .filter(package::Column::CollectionId.eq(coll))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.name, p.id))
        .collect();
    let parsed: Vec<Nevra> = nevras.iter().map(|s| Nevra::parse(s)).collect::<Result<_, _>>()?;
    let ids = koschei::db::dependencies::ids_for(db, &parsed).await?;
    let dep_ids: Vec<i32> = parsed.iter().map(|n| ids[n]).collect();
    let started = Utc::now() - TimeDelta::days(7);
    for (chunk_no, part) in pkgs.chunks(CHUNK).enumerate() {
        let rows = part
            .iter()
            .enumerate()
            .map(|(i, p)| -> anyhow::Result<build::ActiveModel> {
                let keys = match &p.deps {
                    Some(set) => Some(dependency_keys::encode(
                        &set.iter().map(|&d| dep_ids[d as usize]).collect::<Vec<_>>(),
                    )?),
                    None => None,
                };
                Ok(build::ActiveModel {
                    package_id: Set(Some(package_ids[&p.name])),
                    state: Set(3),
                    task_id: Set((1_000_000 + chunk_no * CHUNK + i) as i32),
                    started: Set(started),
                    finished: Set(Some(started + TimeDelta::hours(1))),
                    epoch: Set(p.epoch.map(|e| e as i32)),
                    version: Set(Some(p.version.clone())),
                    release: Set(Some(p.release.clone())),
                    repo_id: Set(Some(1)),
                    last_complete: Set(true),
                    cancel_requested: Set(false),
                    deps_resolved: Set(Some(p.deps.is_some())),
                    real: Set(true),
                    untagged: Set(false),
                    dependency_keys: Set(keys),
                    ..Default::default()
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        build::Entity::insert_many(rows).exec(db).await?;
    }
    db.execute_unprepared(
        "UPDATE package SET \
         last_build_id = (SELECT b.id FROM build b WHERE b.package_id = package.id), \
         last_complete_build_id = (SELECT b.id FROM build b WHERE b.package_id = package.id), \
         last_complete_build_state = 3",
    )
    .await?;
    Ok(())
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let start = base.find("://").map_or(0, |i| i + 3);
    let base = base[start..].find('/').map_or(base, |s| &base[..start + s]);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

struct Env {
    pkgs: Vec<Pkg>,
    nevras: Vec<String>,
    group: Vec<String>,
    data: PathBuf,
    log: LogTee,
}

async fn run_backend(
    env: &Env,
    label: &str,
    db_url: &str,
    report: &mut Report,
) -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let mut config = Config { data_dir: tmp.path().join("data"), ..Config::default() };
    config.database.url = Some(Secret::new(db_url));
    let db = koschei::db::connect(&config).await?;
    koschei::db::migrate(&db).await?;
    let t = Instant::now();
    populate(&db, &env.pkgs, &env.nevras).await?;
    report.line(format!(
        "{label}: populated {} packages with builds and dependency sets in {:.1} s (load {})",
        env.pkgs.len(),
        t.elapsed().as_secs_f64(),
        uptime()
    ));

    let (sim, repo1) = simulator(&env.pkgs, &env.group)?;
    let hub = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hub_addr = hub.local_addr()?;
    tokio::spawn(koschei::kojisim::http::serve(hub, sim.clone()));
    let topdir = tmp.path().join("kojifiles");
    std::fs::create_dir_all(&topdir)?;
    publish_repo(&topdir, repo1, &env.data.join("bookworm/binary"))?;
    let files = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let files_addr = files.local_addr()?;
    let router = axum::Router::new()
        .nest_service("/kojifiles", tower_http::services::ServeDir::new(&topdir));
    tokio::spawn(async move { axum::serve(files, router).await });

    config.koji = KojiConfig {
        server: format!("http://{hub_addr}/kojihub"),
        topurl: format!("http://{files_addr}/kojifiles"),
        weburl: format!("http://{hub_addr}/koji"),
        ..KojiConfig::default()
    };
    let api: Arc<dyn KojiApi> = Arc::new(KojiSession::new(&config.koji)?);
    let primary =
        KojiInstance { id: KojiId::Primary, config: config.koji.clone(), repo_url: None, api };
    let ctx = ServiceContext {
        db: db.clone(),
        config: Arc::new(config),
        events: EventHub::default(),
        clock: Arc::new(SystemClock),
        koji: KojiInstances::new(primary, None),
        locks: Locks::new(db.clone()),
        hooks: Hooks::default(),
    };

    for (tick, snapshot) in [("first", "bookworm"), ("update", "bookworm-plus-updates")] {
        let repo = if tick == "first" {
            repo1
        } else {
            let id = new_repo(&sim);
            publish_repo(&topdir, id, &env.data.join(snapshot).join("binary"))?;
            id
        };
        let load_before = uptime();
        let rss_before = proc_status_kib("VmRSS");
        reset_peak_rss();
        let t = Instant::now();
        let outcome = repo_resolver::tick(&ctx).await?;
        let wall = t.elapsed().as_secs_f64();
        let peak = proc_status_kib("VmHWM");
        let c = collection::Entity::find().one(&db).await?.context("collection")?;
        anyhow::ensure!(
            c.latest_repo_id == Some(repo as i32) && c.latest_repo_resolved == Some(true),
            "{label} {tick}: repo {repo} not processed: {c:?} ({outcome:?})"
        );
        let resolved =
            package::Entity::find().filter(package::Column::Resolved.eq(true)).count(&db).await?;
        let unresolved =
            package::Entity::find().filter(package::Column::Resolved.eq(false)).count(&db).await?;
        let changes = unapplied_change::Entity::find().count(&db).await?;
        let history = resolution_change::Entity::find().count(&db).await?;
        let prioritized = package::Entity::find()
            .filter(package::Column::DependencyPriority.gt(0))
            .count(&db)
            .await?;
        report.line(format!(
            "{label} {tick} tick (repo {repo} = {snapshot}): {wall:.1} s wall, peak RSS {} \
             (RSS before {}); {resolved} resolved, {unresolved} unresolved, {changes} unapplied \
             changes, {prioritized} with dependency priority > 0, {history} resolution_change \
             rows; load before {load_before}, after {}",
            mib(peak),
            mib(rss_before),
            uptime()
        ));
        for l in env.log.take_timings() {
            report.line(format!("{label} {tick} tick phases: {l}"));
        }
    }
    db.close().await?;
    Ok(())
}

async fn run(args: Args, log: LogTee) -> anyhow::Result<()> {
    let mut report = Report::create()?;
    report.line(format!(
        "repo_resolver tick benchmark, {} packages, {} cores, load {}",
        args.packages,
        std::thread::available_parallelism().map_or(0, usize::from),
        uptime()
    ));
    let (pkgs, nevras, group) = prepare_packages(&args.data, args.packages, &mut report)?;
    let env = Env { pkgs, nevras, group, data: args.data.clone(), log };
    if args.sqlite {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
        run_backend(&env, "sqlite", &url, &mut report).await?;
    }
    if let Some(admin_url) = &args.postgres {
        let name = format!("koschei_bench_{}", std::process::id());
        let admin = Database::connect(admin_url.as_str()).await?;
        admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
        let result =
            run_backend(&env, "postgres", &with_database(admin_url, &name), &mut report).await;
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await?;
        result?;
    } else {
        report.line("postgres: skipped (pass --postgres URL or set KOSCHEI_TEST_POSTGRES_URL)");
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = args()?;
    let log = LogTee::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_env_filter("warn,koschei::services::repo_resolver=info")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run(args, log))
}
