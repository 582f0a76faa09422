//! The `koschei` command line: parses arguments, loads the configuration once, runs the
//! subcommand and maps failures to documented exit codes.
//!
//! Exit codes: 0 success; 1 runtime failure; 2 bad usage or bad configuration;
//! 3 database unreachable or its schema incompatible with this binary.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::{self, Config, ConfigSource};
use crate::context::AppContext;
use crate::db::{self, DbError};

/// Koschei: continuous scratch rebuilds of RPM packages in Koji when their build
/// dependencies change.
#[derive(Debug, Parser)]
#[command(name = "koschei", version, about)]
pub struct Cli {
    /// Configuration file (TOML). Default: $KOSCHEI_CONFIG, else built-in defaults.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API and the web app, and run the background services.
    Serve {
        /// Address to listen on (host:port); overrides `http.listen`.
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Do not apply pending migrations at start; refuse to start instead.
        #[arg(long)]
        no_migrate: bool,
        /// Background services to run in this process, comma-separated (default: all;
        /// an empty value runs none). Known: polling, repo_resolver, build_resolver, scheduler.
        #[arg(long, value_name = "LIST")]
        services: Option<String>,
    },
    /// Create or upgrade the database schema (idempotent).
    Migrate,
    /// Print the GraphQL schema (SDL) on stdout.
    PrintSchema,
    /// Print the effective configuration as TOML, secrets hidden.
    Config,
    /// Resolve the build dependencies of every source package of a repository offline and
    /// write one JSON line per package.
    Resolve(ResolveArgs),
    /// Run the Koji hub simulator: XML-RPC at /kojihub, files at /kojifiles.
    Kojisim {
        /// Address to listen on (host:port).
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8090")]
        listen: SocketAddr,
        /// A scenario file (TOML), or a directory with `scenario.toml`; default: the
        /// built-in scenario (see server/src/kojisim/SCENARIO.md).
        #[arg(long, value_name = "PATH")]
        data: Option<PathBuf>,
        /// Accept Kerberos (GSSAPI) logins for the service keys in this keytab (e.g.
        /// `HTTP/localhost`); needs a build with the `gssapi` feature.
        #[arg(long, value_name = "KEYTAB")]
        gssapi_keytab: Option<PathBuf>,
    },
    /// Run the whole loop on the embedded default: an in-process Koji simulator with a
    /// generated collection and scripted updates, SQLite in the data directory, every
    /// service and the web app.
    Demo(DemoArgs),
    /// Administration: collections and tracked packages (the original `koschei-admin`).
    Admin {
        /// What to do.
        #[command(subcommand)]
        command: crate::admin::cli_args::AdminCommand,
    },
}

/// Arguments of `koschei resolve`.
#[derive(Debug, clap::Args)]
pub struct ResolveArgs {
    /// Binary repository: a directory (the parent of `repodata/`) or a URL.
    #[arg(long, value_name = "DIR_OR_URL")]
    pub binary: String,
    /// Source repository (its `src` packages' requires are the BuildRequires).
    #[arg(long, value_name = "DIR_OR_URL")]
    pub source: String,
    /// Comps group installed in every buildroot.
    #[arg(long, default_value = "build")]
    pub group: String,
    /// Worker threads (default: `dependency.jobs`, 0 = one per core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Ignore weak dependencies (default: `dependency.ignore_weak_deps`).
    #[arg(long)]
    pub ignore_weak_deps: bool,
    /// Architecture to resolve for (default: `dependency.resolve_for_arch`).
    #[arg(long)]
    pub arch: Option<String>,
    /// Output file: JSON lines sorted by package name. `OUT.jsonl.meta.json` is written
    /// beside it (options, binary repo, BuildRequires digests) for a later `--previous`.
    #[arg(long, value_name = "OUT.jsonl")]
    pub output: PathBuf,
    /// Incremental mode: the output of a previous run (same arch, group and weak-deps
    /// setting; its `.meta.json` must be beside it). Packages whose previous install set is
    /// provably still libsolv's answer reuse it (patched to the new versions); the others are
    /// solved. The results equal a full pass.
    #[arg(long, value_name = "PREV.jsonl")]
    pub previous: Option<PathBuf>,
    /// The previous run's binary repository, when it is no longer at the directory its meta
    /// records (checked against the recorded repomd.xml checksum).
    #[arg(long, value_name = "DIR_OR_URL", requires = "previous")]
    pub previous_binary: Option<String>,
}

/// Arguments of `koschei demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Address to serve the web app and API on (default: `http.listen`).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Where the demo's SQLite database lives (recreated at every start; default:
    /// `<data_dir>/demo`).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Source packages in the generated collection (100 to 300).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u16).range(100..=300))]
    pub packages: u16,
    /// Seconds between scripted updates (each publishes a new Koji repo).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u16).range(5..=3600))]
    pub round: u16,
    /// Print the generated Koji scenario (TOML for `koschei kojisim --data`) and exit.
    #[arg(long)]
    pub print_scenario: bool,
}

/// A failure with its exit code.
#[derive(Debug)]
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn runtime(e: impl std::fmt::Display) -> Self {
        Failure { code: 1, message: e.to_string() }
    }
}

impl From<config::ConfigError> for Failure {
    fn from(e: config::ConfigError) -> Self {
        Failure { code: 2, message: e.to_string() }
    }
}

impl From<DbError> for Failure {
    fn from(e: DbError) -> Self {
        let code = match e {
            DbError::Other(_) => 1,
            _ => 3,
        };
        Failure { code, message: e.to_string() }
    }
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let _ = writeln!(std::io::stderr(), "koschei: error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    if let Command::PrintSchema = cli.command {
        return print(&crate::graphql::sdl());
    }
    if let Command::Kojisim { listen, data, gssapi_keytab } = cli.command {
        return runtime()?.block_on(kojisim(listen, data, gssapi_keytab));
    }
    let mut config = config::load(&ConfigSource::from_process(cli.config))?;
    match cli.command {
        Command::PrintSchema | Command::Kojisim { .. } => unreachable!("handled above"),
        Command::Config => {
            let text = toml::to_string_pretty(&config).map_err(Failure::runtime)?;
            print(&text)
        }
        Command::Migrate => runtime()?.block_on(async {
            crate::telemetry::init(&config.log.filter);
            let conn = db::connect(&config).await?;
            let applied = db::migrate(&conn).await?;
            let msg = if applied.is_empty() {
                "database schema is up to date; nothing to do\n".to_owned()
            } else {
                format!("applied {} migrations: {}\n", applied.len(), applied.join(", "))
            };
            print(&msg)
        }),
        Command::Resolve(args) => runtime()?.block_on(resolve(&config, args)),
        Command::Demo(args) => runtime()?.block_on(demo(config, args)),
        Command::Admin { command } => runtime()?.block_on(admin(&config, command)),
        Command::Serve { listen, no_migrate, services } => {
            if let Some(addr) = listen {
                config.http.listen = addr;
            }
            let services = crate::services::select(services.as_deref())
                .map_err(|e| Failure { code: 2, message: e.to_string() })?;
            runtime()?.block_on(serve(config, no_migrate, services))
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(Failure::runtime)
}

fn print(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(Failure::runtime)
}

async fn serve(
    config: Config,
    no_migrate: bool,
    services: Vec<std::sync::Arc<dyn crate::services::Service>>,
) -> Result<(), Failure> {
    crate::telemetry::init(&config.log.filter);
    let conn = db::connect(&config).await?;
    if no_migrate {
        db::ensure_current(&conn).await?;
    } else {
        let applied = db::migrate(&conn).await?;
        if !applied.is_empty() {
            tracing::info!(count = applied.len(), "applied database migrations");
        }
    }
    let addr = config.http.listen;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| Failure { code: 1, message: format!("cannot listen on {addr}: {e}") })?;
    let koji = crate::koji::instances::KojiInstances::from_config(&config)
        .map_err(|e| Failure { code: 2, message: format!("Koji configuration: {e}") })?;
    let ctx = AppContext::new(conn, config);
    serve_on(ctx, koji, listener, services).await
}

/// Runs the background services and the HTTP server until a signal arrives.
async fn serve_on(
    ctx: AppContext,
    koji: crate::koji::instances::KojiInstances,
    listener: TcpListener,
    services: Vec<std::sync::Arc<dyn crate::services::Service>>,
) -> Result<(), Failure> {
    let local = listener.local_addr().map_err(Failure::runtime)?;
    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    let service_ctx = crate::services::ServiceContext::new(&ctx, koji);
    let mut running = crate::services::runner::spawn_all(services, &service_ctx, &shutdown);
    print(&format!("Koschei is serving on http://{local}/\n"))?;
    tracing::info!(http.addr = %local, "serving");
    let served = crate::serve(ctx, listener, shutdown.clone()).await.map_err(Failure::runtime);
    shutdown.cancel();
    while running.join_next().await.is_some() {}
    served
}

async fn demo(base: Config, args: DemoArgs) -> Result<(), Failure> {
    use crate::demo::{self, scenario::DemoScenarioOptions};
    let opts = DemoScenarioOptions {
        packages: usize::from(args.packages),
        round: f64::from(args.round),
        first_update: f64::from(args.round).min(20.0),
        ..DemoScenarioOptions::default()
    };
    if args.print_scenario {
        return print(&demo::scenario::generate(&opts).toml);
    }
    crate::telemetry::init(&base.log.filter);
    let data_dir = args.data_dir.unwrap_or_else(|| base.data_dir.join("demo"));
    demo::reset_data_dir(&data_dir).map_err(Failure::runtime)?;
    let addr = args.listen.unwrap_or(base.http.listen);
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| Failure { code: 1, message: format!("cannot listen on {addr}: {e}") })?;
    let hub = demo::start_hub(&opts).await.map_err(Failure::runtime)?;
    let config = demo::demo_config(&base, &data_dir, &hub.base_url);
    let conn = db::connect(&config).await?;
    db::migrate(&conn).await?;
    let koji = crate::koji::instances::KojiInstances::from_config(&config)
        .map_err(|e| Failure { code: 2, message: format!("Koji configuration: {e}") })?;
    let ctx = AppContext::new(conn, config);
    demo::prepare_collection(&ctx, &koji, &hub.scenario.packages)
        .await
        .map_err(Failure::runtime)?;
    let local = listener.local_addr().map_err(Failure::runtime)?;
    let mut story = String::new();
    for u in hub.scenario.timeline.iter().take(6) {
        story.push_str(&format!("  +{:>4.0} s  {}\n", u.at, u.summary));
    }
    print(&format!(
        "Koschei demo: {} packages in collection {} on a simulated Koji ({}/kojihub),\n\
         database {}. Scripted updates, each followed by a new repo:\n{story}  … then \
         routine updates every {} s.\n\
         Open http://{local}/ — packages go ok, failing and unresolved within two minutes.\n",
        hub.scenario.packages.len(),
        demo::COLLECTION,
        hub.base_url,
        data_dir.join(demo::DB_FILE).display(),
        args.round,
    ))?;
    serve_on(ctx, koji, listener, crate::services::registry()).await
}

async fn resolve(config: &Config, args: ResolveArgs) -> Result<(), Failure> {
    use crate::resolver::{BatchOptions, offline};
    crate::telemetry::init(&config.log.filter);
    let jobs = args.jobs.unwrap_or(config.dependency.jobs);
    let workers =
        if jobs == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { jobs };
    let opts = offline::OfflineOptions {
        binary: args.binary,
        source: args.source,
        cache_dir: config.data_dir.join("repodata-cache"),
        output: args.output.clone(),
        previous: args.previous,
        previous_binary: args.previous_binary,
        batch: BatchOptions {
            workers,
            arch: args.arch.unwrap_or_else(|| config.dependency.resolve_for_arch.clone()),
            ignore_weak_deps: args.ignore_weak_deps || config.dependency.ignore_weak_deps,
            group_id: args.group,
            ..BatchOptions::default()
        },
    };
    let run = offline::run(opts).await.map_err(Failure::runtime)?;
    let s = &run.batch;
    let split = match &run.incremental {
        None => "all re-resolved".to_owned(),
        Some(inc) => {
            let reasons: Vec<String> =
                inc.reasons.iter().map(|(r, n)| format!("{r} {n}")).collect();
            format!(
                "incremental: {} re-resolved, {} reused (previous install set patched and \
                 verified); re-resolved because: {}; index {:.1} s, check {:.1} s",
                inc.solved,
                inc.reused,
                if reasons.is_empty() { "-".to_owned() } else { reasons.join(", ") },
                inc.index_s,
                inc.check_s,
            )
        }
    };
    let peak =
        s.peak_rss_kib.map_or("unknown".to_owned(), |k| format!("{:.0} MiB", k as f64 / 1024.0));
    let base = if s.base.resolved {
        format!("installable ({} packages from {} group names)", s.base.install_count, s.base.names)
    } else {
        format!("NOT installable: {}", s.base.problems.join("; "))
    };
    print(&format!(
        "resolved {} source packages ({} resolvable, {} unresolvable), {split}\n\
         base buildroot: {base}\n\
         wall time {:.1} s with {workers} workers; per package median {:.1} ms, p95 {:.1} ms, max {:.1} ms\n\
         peak memory {peak}\n\
         output: {}\n",
        s.packages,
        s.resolved,
        s.unresolved,
        s.wall_s,
        s.per_package_ms[0],
        s.per_package_ms[1],
        s.per_package_ms[2],
        args.output.display(),
    ))
}

async fn admin(
    config: &Config,
    command: crate::admin::cli_args::AdminCommand,
) -> Result<(), Failure> {
    crate::telemetry::init(&config.log.filter);
    let user = login_name().ok_or_else(|| Failure {
        code: 2,
        message: "cannot tell who is running the command (set SUDO_USER or USER)".into(),
    })?;
    let conn = db::connect(config).await?;
    db::ensure_current(&conn).await?;
    let koji = || crate::koji::instances::KojiInstances::from_config(config);
    match command.execute(&conn, koji, &user).await {
        Ok(messages) => print(&messages.iter().map(|m| format!("{m}\n")).collect::<String>()),
        Err(e) => {
            Err(Failure { code: if e.is_bad_input() { 2 } else { 1 }, message: e.to_string() })
        }
    }
}

/// The operator recorded in the audit log: `$SUDO_USER`, else the login (`$USER`, `$LOGNAME`),
/// as the original admin CLI.
#[expect(clippy::disallowed_methods, reason = "who runs the command, not a setting")]
fn login_name() -> Option<String> {
    ["SUDO_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
}

async fn kojisim(
    listen: SocketAddr,
    data: Option<PathBuf>,
    gssapi_keytab: Option<PathBuf>,
) -> Result<(), Failure> {
    crate::telemetry::init("info");
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| Failure { code: 1, message: format!("cannot listen on {listen}: {e}") })?;
    let addr = listener.local_addr().map_err(Failure::runtime)?;
    print(&format!(
        "Koji hub simulator: hub http://{addr}/kojihub, topurl http://{addr}/kojifiles\n\
         try: koji --server http://{addr}/kojihub --topurl http://{addr}/kojifiles --noauth list-tagged f99\n"
    ))?;
    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    tokio::select! {
        res = crate::kojisim::serve_scenario(data.as_deref(), gssapi_keytab.as_deref(), listener) => res.map_err(|e| match e {
            crate::kojisim::KojiSimError::Io(_) => Failure::runtime(e),
            other => Failure { code: 2, message: other.to_string() },
        }),
        () = shutdown.cancelled() => Ok(()),
    }
}

async fn stop_on_signal(shutdown: CancellationToken) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    shutdown.cancel();
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
    shutdown.cancel();
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
