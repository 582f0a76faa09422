//! The configuration of every Koschei process: one typed tree with built-in defaults,
//! overridden by a TOML file, overridden by `KOSCHEI_…` environment variables.
//!
//! This module (with `load.rs`) is the only place that reads configuration; everything
//! else receives a [`Config`]. It does no other IO than reading the file and the
//! environment. Every key is documented on its field; `koschei config` prints the
//! effective tree with secrets hidden.

mod load;
mod secret;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use load::{ConfigError, ConfigSource, load};
pub use secret::Secret;

/// The whole configuration. Sections mirror the original's `config.cfg` where it had one.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Directory for the embedded database and caches (created when missing).
    pub data_dir: PathBuf,
    /// Database connection.
    pub database: DatabaseConfig,
    /// HTTP server: GraphQL API, web app, health endpoints.
    pub http: HttpConfig,
    /// GraphQL limits.
    pub graphql: GraphqlConfig,
    /// Logging.
    pub log: LogConfig,
    /// The primary Koji instance: scratch builds are submitted here.
    pub koji: KojiConfig,
    /// Optional secondary Koji instance. When present, collections in secondary mode read
    /// packages, builds and repos from it and build on the primary. Unset keys fall back
    /// to the primary's values.
    pub secondary_koji: Option<SecondaryKojiConfig>,
    /// Dependency resolution.
    pub dependency: DependencyConfig,
    /// The priority model.
    pub priorities: PrioritiesConfig,
    /// Background services run by `koschei serve`.
    pub services: ServicesConfig,
    /// Web frontend.
    pub frontend: FrontendConfig,
    /// The message bus (AMQP): Koji's build messages in, Koschei's state changes out.
    pub bus: BusConfig,
    /// Bug reports filed from a failing package.
    pub bugreport: BugreportConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("data"),
            database: DatabaseConfig::default(),
            http: HttpConfig::default(),
            graphql: GraphqlConfig::default(),
            log: LogConfig::default(),
            koji: KojiConfig::default(),
            secondary_koji: None,
            dependency: DependencyConfig::default(),
            priorities: PrioritiesConfig::default(),
            services: ServicesConfig::default(),
            frontend: FrontendConfig::default(),
            bus: BusConfig::default(),
            bugreport: BugreportConfig::default(),
        }
    }
}

impl Config {
    /// The database URL in effect: the configured one, or an SQLite file in `data_dir`.
    pub fn database_url(&self) -> String {
        match &self.database.url {
            Some(url) => url.expose().to_owned(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("koschei.db").display()),
        }
    }

    /// Whether a secondary Koji instance is configured (the original's `secondary_mode`).
    pub fn has_secondary_koji(&self) -> bool {
        self.secondary_koji.is_some()
    }
}

/// Database connection settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://PATH?mode=rwc` or `postgres://USER:PASSWORD@HOST:PORT/DB`. Unset: an SQLite
    /// file `koschei.db` in `data_dir`. Environment: `KOSCHEI_DATABASE_URL`.
    pub url: Option<Secret>,
    /// Maximum number of pooled connections.
    pub max_connections: u32,
    /// How long to wait for a connection before failing.
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Duration,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig { url: None, max_connections: 10, connect_timeout: Duration::from_secs(10) }
    }
}

/// HTTP server settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Address to listen on, `host:port`. Environment: `KOSCHEI_LISTEN`; commands that
    /// serve also take `--listen`.
    pub listen: SocketAddr,
    /// Directory with the built web app (`trunk build` output). Relative paths are taken
    /// from the working directory.
    pub web_dist: PathBuf,
    /// Public URL of this instance, used in links sent elsewhere (bus messages, bug
    /// reports). Unset: derived from the request.
    pub external_url: Option<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            web_dist: PathBuf::from("web/dist"),
            external_url: None,
        }
    }
}

/// Limits applied to every GraphQL request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct GraphqlConfig {
    /// Maximum nesting depth of a query.
    pub max_depth: usize,
    /// Maximum complexity (roughly the number of fields) of a query.
    pub max_complexity: usize,
    /// Largest page a connection field returns (`first`/`last`).
    pub max_page_size: usize,
    /// Serve the GraphiQL explorer at `/graphiql`.
    pub graphiql: bool,
}

impl Default for GraphqlConfig {
    fn default() -> Self {
        GraphqlConfig { max_depth: 12, max_complexity: 1000, max_page_size: 500, graphiql: true }
    }
}

/// Logging settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// A tracing filter, e.g. `info,sqlx=warn`. Environment: `KOSCHEI_LOG`.
    pub filter: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig { filter: "info,sqlx=warn,sea_orm=warn".to_owned() }
    }
}

/// How a Koji session authenticates.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LoginMethod {
    /// No login: anonymous read-only calls (the original's `logout`).
    #[serde(alias = "logout")]
    Anonymous,
    /// `login` with a user name and password.
    Password,
    /// `sslLogin` with a TLS client certificate.
    Ssl,
    /// `sslLogin` posted to `<hub>/ssllogin` with `Authorization: Negotiate` (GSSAPI,
    /// Kerberos); needs the `gssapi` build feature. Uses `auth.principal`, `.keytab`,
    /// `.ccache` and `.service`.
    Gssapi,
}

/// Credentials for a Koji login.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct KojiAuth {
    /// User name (`password` login).
    pub user: Option<String>,
    /// Password (`password` login).
    pub password: Option<Secret>,
    /// PEM file with the client certificate and key (`ssl` login).
    pub cert: Option<PathBuf>,
    /// PEM file with the CA that signed the hub's certificate.
    pub serverca: Option<PathBuf>,
    /// Kerberos principal to log in as (`gssapi` login), e.g. `koschei/host@REALM`; by
    /// default the credentials cache's principal (or the keytab's first one).
    pub principal: Option<String>,
    /// Client keytab to get tickets from (`gssapi` login); by default the existing
    /// credentials cache must hold a valid ticket (e.g. from `kinit`).
    pub keytab: Option<PathBuf>,
    /// Credentials cache (`gssapi` login), e.g. `FILE:/var/lib/koschei/krb5cc` or
    /// `MEMORY:koschei`; by default the Kerberos library's default (`KRB5CCNAME`).
    pub ccache: Option<String>,
    /// GSSAPI service of the hub (`gssapi` login): the target is `<service>@<hub host>`,
    /// i.e. the principal `<service>/<hub host>@REALM`. Default `HTTP`, as the Python
    /// client (requests-gssapi) uses.
    pub service: Option<String>,
}

/// One Koji instance and how Koschei uses it (the original's `koji_config`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct KojiConfig {
    /// XML-RPC hub URL.
    pub server: String,
    /// Root of Koji's file tree (repos, task outputs, packages).
    pub topurl: String,
    /// Koji web UI, for links.
    pub weburl: String,
    /// Root that relative SRPM paths passed to `build` are resolved against.
    pub srpm_relative_path_root: String,
    /// How to authenticate.
    pub login_method: LoginMethod,
    /// Credentials for `login_method`.
    pub auth: KojiAuth,
    /// Maximum number of running Koschei builds (all collections together).
    pub max_builds: u32,
    /// Architectures scratch builds may use.
    pub build_arches: Vec<String>,
    /// Extra options passed to every `build` call.
    pub build_opts: toml::Table,
    /// No submission while Koji's load on the allowed arches exceeds this (0..1); the
    /// check is skipped when it is 1 or more.
    pub load_threshold: f64,
    /// Koji task priority of scratch builds.
    pub task_priority: i32,
    /// Builds running longer than this are canceled.
    #[serde(with = "humantime_serde")]
    pub task_timeout: Duration,
    /// Calls per `multiCall` request.
    pub multicall_chunk_size: usize,
    /// Build with `repo_id = latest_repo_id` instead of the target's current repo.
    pub build_from_repo_id: bool,
    /// Timeout of one XML-RPC call.
    #[serde(with = "humantime_serde")]
    pub call_timeout: Duration,
    /// How often a call is repeated after a transport error, an HTTP 5xx answer or a
    /// `ServerOffline` fault before the error is returned (0 = never).
    pub max_retries: u32,
    /// Wait before the first repetition; it doubles for each further one (with jitter).
    #[serde(with = "humantime_serde")]
    pub retry_backoff: Duration,
    /// Upper bound of the wait between repetitions.
    #[serde(with = "humantime_serde")]
    pub retry_backoff_max: Duration,
}

impl Default for KojiConfig {
    fn default() -> Self {
        KojiConfig {
            server: "https://koji.fedoraproject.org/kojihub".to_owned(),
            topurl: "https://kojipkgs.fedoraproject.org".to_owned(),
            weburl: "https://koji.fedoraproject.org/koji".to_owned(),
            srpm_relative_path_root: "..".to_owned(),
            login_method: LoginMethod::Anonymous,
            auth: KojiAuth::default(),
            max_builds: 30,
            build_arches: vec!["i386".to_owned(), "x86_64".to_owned(), "armhfp".to_owned()],
            build_opts: toml::Table::new(),
            load_threshold: 0.5,
            task_priority: 30,
            task_timeout: Duration::from_secs(48 * 3600),
            multicall_chunk_size: 100,
            build_from_repo_id: false,
            call_timeout: Duration::from_secs(60),
            max_retries: 5,
            retry_backoff: Duration::from_secs(2),
            retry_backoff_max: Duration::from_secs(120),
        }
    }
}

/// The secondary Koji instance: only what differs from the primary.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SecondaryKojiConfig {
    /// XML-RPC hub URL of the secondary instance.
    pub server: Option<String>,
    /// Root of its file tree.
    pub topurl: Option<String>,
    /// Its web UI.
    pub weburl: Option<String>,
    /// How to authenticate there (default: anonymous).
    pub login_method: Option<LoginMethod>,
    /// Credentials for it.
    pub auth: Option<KojiAuth>,
    /// Base URL of its repos as seen by the primary (used to build from its repos).
    pub repo_url: Option<String>,
}

/// Dependency-resolution settings (the original's `dependency` section).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DependencyConfig {
    /// Resolve without weak dependencies (Recommends, Supplements).
    pub ignore_weak_deps: bool,
    /// Resolution results written per database transaction.
    pub persist_chunk_size: usize,
    /// Repositories kept in the on-disk cache.
    pub cache_l2_capacity: usize,
    /// Architecture the solver resolves for.
    pub resolve_for_arch: String,
    /// Architecture directory used in repo URLs.
    pub repo_arch: String,
    /// Resolver worker threads (0 = one per core).
    pub jobs: usize,
}

impl Default for DependencyConfig {
    fn default() -> Self {
        DependencyConfig {
            ignore_weak_deps: false,
            persist_chunk_size: 150,
            cache_l2_capacity: 100,
            resolve_for_arch: "x86_64".to_owned(),
            repo_arch: "x86_64".to_owned(),
            jobs: 0,
        }
    }
}

/// Constants of the priority model (the original's `priorities` section).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PrioritiesConfig {
    /// Build priority of a package whose last build's dependencies were unresolvable.
    pub newly_added: i64,
    /// Minimum priority for a build to be scheduled; also the time-priority scale.
    pub build_threshold: i64,
    /// Weight of one direct dependency change (divided by the distance).
    pub package_update: i64,
    /// Bonus when a package starts failing.
    pub failed_build_priority: i64,
    /// Hours after the last build at which the time priority is 0.
    pub t0: f64,
    /// Hours after the last build at which the time priority reaches `build_threshold`.
    pub t1: f64,
}

impl Default for PrioritiesConfig {
    fn default() -> Self {
        PrioritiesConfig {
            newly_added: 3000,
            build_threshold: 256,
            package_update: 256,
            failed_build_priority: 200,
            t0: 6.0,
            t1: 168.0,
        }
    }
}

/// One background service.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    /// Pause between two ticks.
    #[serde(with = "humantime_serde")]
    pub interval: Duration,
}

impl ServiceConfig {
    fn every(secs: u64) -> Self {
        ServiceConfig { interval: Duration::from_secs(secs) }
    }
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig::every(3)
    }
}

/// The background services and their intervals.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServicesConfig {
    /// Koji polling: package lists, real builds, build states.
    pub polling: ServiceConfig,
    /// Submits scratch builds.
    pub scheduler: ServiceConfig,
    /// Resolves packages against each new Koji repo.
    pub repo_resolver: ServiceConfig,
    /// Resolves the dependencies of finished builds.
    pub build_resolver: ServiceConfig,
}

impl Default for ServicesConfig {
    fn default() -> Self {
        ServicesConfig {
            polling: ServiceConfig::every(1200),
            scheduler: ServiceConfig::every(3),
            repo_resolver: ServiceConfig::every(3),
            build_resolver: ServiceConfig::every(3),
        }
    }
}

/// A link shown on package pages; `{package.name}` and `{collection.bugzilla_product}`
/// are replaced (URL-encoded) and a link whose value is missing is hidden.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// Label of the link.
    pub name: String,
    /// URL template.
    pub url: String,
}

/// Web frontend settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FrontendConfig {
    /// Packages per page in lists.
    pub packages_per_page: usize,
    /// Builds per page in a package's history.
    pub builds_per_page: usize,
    /// Links shown on package pages.
    pub links: Vec<Link>,
    /// Who the user is: authentication is delegated to the web server in front.
    pub auth: AuthConfig,
}

/// How the logged-in user is recognised (the original's `frontend.auth`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Request header set by the authenticating proxy; unset: nobody is logged in.
    pub user_header: Option<String>,
    /// Regular expression whose first group extracts the user name from the header,
    /// e.g. `(.+)@EXAMPLE\\.COM` for Kerberos principals.
    pub user_re: String,
    /// Development only: treat every request as this user.
    pub bypass_login: Option<String>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig { user_header: None, user_re: "(.+)".to_owned(), bypass_login: None }
    }
}

/// The AMQP message bus (the original's fedmsg / fedora-messaging plugin).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct BusConfig {
    /// Listen for Koji's build messages (the original's `watcher` service).
    pub consume: bool,
    /// Publish package state changes.
    pub publish: bool,
    /// Broker URL.
    pub url: Secret,
    /// Topic exchange to bind to and publish on.
    pub exchange: String,
    /// Topic prefix of Koji's messages.
    pub koji_topic_prefix: String,
    /// Only messages from this Koji instance (`instance` field) are processed.
    pub koji_instance: String,
    /// Topic prefix of the messages Koschei publishes.
    pub publish_topic_prefix: String,
}

impl Default for BusConfig {
    fn default() -> Self {
        BusConfig {
            consume: false,
            publish: false,
            url: Secret::new("amqp://guest:guest@127.0.0.1:5672/%2f"),
            exchange: "amq.topic".to_owned(),
            koji_topic_prefix: "org.fedoraproject.prod.buildsys".to_owned(),
            koji_instance: "primary".to_owned(),
            publish_topic_prefix: "org.fedoraproject.prod.koschei".to_owned(),
        }
    }
}

/// The "File a bug" link of a failing package (the original's `bugreport`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct BugreportConfig {
    /// URL with a `{query}` placeholder for the URL-encoded fields.
    pub url: String,
    /// Bug summary; `{name}`, `{version}`, `{release}`, `{collection}` are replaced.
    pub short_desc: String,
    /// Bug text; same placeholders plus `{url}` (the package page).
    pub comment: String,
}

impl Default for BugreportConfig {
    fn default() -> Self {
        BugreportConfig {
            url: "https://bugzilla.redhat.com/enter_bug.cgi?{query}".to_owned(),
            short_desc: "{name}: FTBFS in {collection}".to_owned(),
            comment: "Description of problem:\nPackage {name} fails to build from source in {collection}.\n\n\
                      Version-Release number of selected component (if applicable):\n{version}-{release}\n\n\
                      Additional info:\nThis package is tracked by Koschei. See:\n{url}"
                .to_owned(),
        }
    }
}

impl Default for FrontendConfig {
    fn default() -> Self {
        let link = |name: &str, url: &str| Link { name: name.to_owned(), url: url.to_owned() };
        FrontendConfig {
            packages_per_page: 100,
            builds_per_page: 15,
            links: vec![
                link("Packages", "https://packages.fedoraproject.org/pkgs/{package.name}"),
                link(
                    "Bugzilla",
                    "https://bugzilla.redhat.com/buglist.cgi?product={collection.bugzilla_product}&component={package.name}",
                ),
                link("Bodhi", "https://bodhi.fedoraproject.org/updates?packages={package.name}"),
                link("Dist-git", "https://src.fedoraproject.org/rpms/{package.name}.git"),
                link(
                    "Koji",
                    "https://koji.fedoraproject.org/koji/packageinfo?packageID={package.name}",
                ),
            ],
            auth: AuthConfig::default(),
        }
    }
}
