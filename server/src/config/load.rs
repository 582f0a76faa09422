//! Loading: defaults < TOML file < environment, then validation. The one reader of the
//! process environment (see `clippy.toml`).

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::Config;

/// Where configuration comes from: an optional file and the `KOSCHEI_…` variables.
#[derive(Debug, Clone, Default)]
pub struct ConfigSource {
    /// TOML file (`--config FILE`, else `KOSCHEI_CONFIG`).
    pub file: Option<PathBuf>,
    /// Environment variables (name, value) considered for overrides.
    pub env: Vec<(String, String)>,
}

/// Variables that start with the prefix but are not configuration keys.
const NOT_KEYS: &[&str] = &["KOSCHEI_CONFIG"];
const NOT_KEY_PREFIXES: &[&str] = &["KOSCHEI_TEST_"];
/// Short names for the keys one sets most often.
const ALIASES: &[(&str, &[&str])] = &[
    ("KOSCHEI_DATABASE_URL", &["database", "url"]),
    ("KOSCHEI_LISTEN", &["http", "listen"]),
    ("KOSCHEI_LOG", &["log", "filter"]),
    ("KOSCHEI_DATA_DIR", &["data_dir"]),
];

impl ConfigSource {
    /// Reads the process environment; `cli_file` (from `--config`) wins over
    /// `KOSCHEI_CONFIG`.
    #[expect(clippy::disallowed_methods, reason = "this is the one reader of the environment")]
    pub fn from_process(cli_file: Option<PathBuf>) -> Self {
        let env: Vec<(String, String)> =
            std::env::vars().filter(|(k, _)| k.starts_with("KOSCHEI_")).collect();
        let file = cli_file.or_else(|| {
            env.iter().find(|(k, _)| k == "KOSCHEI_CONFIG").map(|(_, v)| PathBuf::from(v))
        });
        ConfigSource { file, env }
    }
}

/// Why the configuration could not be loaded. Each variant names the key or file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("configuration file {path} is not valid TOML: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A variable's name maps to no key.
    #[error("environment variable {var}: {problem}")]
    BadVariable {
        /// The variable.
        var: String,
        /// What is wrong.
        problem: String,
    },
    /// A key has a bad value or does not exist.
    #[error("configuration key `{key}`: {problem}{origin}")]
    Invalid {
        /// Dotted path of the key.
        key: String,
        /// What is wrong.
        problem: String,
        /// Where the value came from, e.g. " (set by KOSCHEI_LISTEN)".
        origin: String,
    },
}

/// Loads and validates the configuration.
pub fn load(source: &ConfigSource) -> Result<Config, ConfigError> {
    let mut tree = Table::new();
    if let Some(path) = &source.file {
        merge(&mut tree, read_file(path)?);
    }
    let mut env_keys: Vec<(String, String)> = Vec::new();
    for (var, raw) in &source.env {
        let Some(path) = env_path(var)? else { continue };
        env_keys.push((path.join("."), var.clone()));
        set_path(&mut tree, &path, env_value(var, raw), var)?;
    }
    let origin_of = |key: &str| -> String {
        if let Some((_, var)) = env_keys.iter().find(|(k, _)| key.starts_with(k.as_str())) {
            format!(" (set by {var})")
        } else if let Some(path) = &source.file {
            format!(" (in {})", path.display())
        } else {
            String::new()
        }
    };
    let config: Config = serde_path_to_error::deserialize(Value::Table(tree)).map_err(|e| {
        let key = e.path().to_string();
        let key = if key == "." { "(top level)".to_owned() } else { key };
        ConfigError::Invalid { origin: origin_of(&key), key, problem: e.into_inner().to_string() }
    })?;
    validate(&config).map_err(|(key, problem)| ConfigError::Invalid {
        origin: origin_of(key),
        key: key.to_owned(),
        problem,
    })?;
    Ok(config)
}

fn read_file(path: &Path) -> Result<Table, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
    text.parse::<Table>()
        .map_err(|e| ConfigError::Syntax { path: path.to_owned(), message: e.to_string() })
}

/// Deep merge: tables merge key by key, everything else is replaced.
fn merge(into: &mut Table, from: Table) {
    for (key, value) in from {
        match (into.get_mut(&key), value) {
            (Some(Value::Table(old)), Value::Table(new)) => merge(old, new),
            (_, value) => {
                into.insert(key, value);
            }
        }
    }
}

/// The key path a variable sets, or `None` for variables that are not configuration.
fn env_path(var: &str) -> Result<Option<Vec<String>>, ConfigError> {
    if NOT_KEYS.contains(&var) || NOT_KEY_PREFIXES.iter().any(|p| var.starts_with(p)) {
        return Ok(None);
    }
    if let Some((_, path)) = ALIASES.iter().find(|(name, _)| *name == var) {
        return Ok(Some(path.iter().map(|s| (*s).to_owned()).collect()));
    }
    let rest = var.strip_prefix("KOSCHEI_").unwrap_or(var);
    let path: Vec<String> = rest.split("__").map(str::to_ascii_lowercase).collect();
    if path.iter().any(String::is_empty) {
        return Err(ConfigError::BadVariable {
            var: var.to_owned(),
            problem: "empty key segment; use KOSCHEI_SECTION__KEY (two underscores between levels)"
                .to_owned(),
        });
    }
    Ok(Some(path))
}

/// Variables are TOML values when they parse as one (`30`, `true`, `["a", "b"]`), else
/// plain strings. The aliases are always strings.
fn env_value(var: &str, raw: &str) -> Value {
    if ALIASES.iter().any(|(name, _)| *name == var) {
        return Value::String(raw.to_owned());
    }
    match format!("v = {raw}").parse::<Table>() {
        Ok(mut t) => t.remove("v").unwrap_or_else(|| Value::String(raw.to_owned())),
        Err(_) => Value::String(raw.to_owned()),
    }
}

fn set_path(tree: &mut Table, path: &[String], value: Value, var: &str) -> Result<(), ConfigError> {
    let (last, parents) = path.split_last().expect("env_path never yields an empty path");
    let mut node = tree;
    for key in parents {
        let entry = node.entry(key.clone()).or_insert_with(|| Value::Table(Table::new()));
        node = match entry {
            Value::Table(t) => t,
            _ => {
                return Err(ConfigError::BadVariable {
                    var: var.to_owned(),
                    problem: format!("`{key}` is not a section"),
                });
            }
        };
    }
    node.insert(last.clone(), value);
    Ok(())
}

/// Checks that serde cannot express. Returns the offending key and the problem.
fn validate(c: &Config) -> Result<(), (&'static str, String)> {
    let url = c.database_url();
    if !(url.starts_with("sqlite:")
        || url.starts_with("postgres://")
        || url.starts_with("postgresql://"))
    {
        return Err((
            "database.url",
            "must start with sqlite:, postgres:// or postgresql://".into(),
        ));
    }
    if c.database.max_connections == 0 {
        return Err(("database.max_connections", "must be at least 1".into()));
    }
    if c.graphql.max_depth == 0 || c.graphql.max_complexity == 0 || c.graphql.max_page_size == 0 {
        return Err(("graphql", "limits must be at least 1".into()));
    }
    if c.koji.load_threshold.is_nan() || c.koji.load_threshold < 0.0 {
        return Err(("koji.load_threshold", "must be a number ≥ 0".into()));
    }
    if c.koji.multicall_chunk_size == 0 {
        return Err(("koji.multicall_chunk_size", "must be at least 1".into()));
    }
    if c.koji.build_arches.is_empty() {
        return Err(("koji.build_arches", "must name at least one architecture".into()));
    }
    for url_key in [("koji.server", &c.koji.server), ("koji.topurl", &c.koji.topurl)] {
        if url::Url::parse(url_key.1).is_err() {
            return Err((url_key.0, format!("`{}` is not a URL", url_key.1)));
        }
    }
    let p = &c.priorities;
    if !(p.t0 > 0.0 && p.t1 > p.t0) {
        return Err(("priorities.t1", "need 0 < t0 < t1".into()));
    }
    let s = &c.services;
    for (key, svc) in [
        ("services.polling.interval", &s.polling),
        ("services.scheduler.interval", &s.scheduler),
        ("services.repo_resolver.interval", &s.repo_resolver),
        ("services.build_resolver.interval", &s.build_resolver),
    ] {
        if svc.interval.is_zero() {
            return Err((key, "must be longer than 0s".into()));
        }
    }
    if c.frontend.packages_per_page == 0 || c.frontend.builds_per_page == 0 {
        return Err(("frontend", "page sizes must be at least 1".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    #[test]
    fn defaults_load_without_a_file() {
        let c = load(&ConfigSource::default()).unwrap();
        assert_eq!(c, Config::default());
        assert!(c.database_url().starts_with("sqlite://data/koschei.db"));
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let f = file(
            "[koji]\nmax_builds = 5\nbuild_arches = ['x86_64']\n[http]\nlisten = '0.0.0.0:9000'\n",
        );
        let src = ConfigSource {
            file: Some(f.path().to_owned()),
            env: env(&[
                ("KOSCHEI_LISTEN", "127.0.0.1:7000"),
                ("KOSCHEI_KOJI__MAX_BUILDS", "7"),
                ("KOSCHEI_DATABASE_URL", "postgres://u:p@h/db"),
                ("KOSCHEI_TEST_POSTGRES_URL", "ignored"),
                ("KOSCHEI_SERVICES__POLLING__INTERVAL", "5m"),
            ]),
        };
        let c = load(&src).unwrap();
        assert_eq!(c.http.listen.to_string(), "127.0.0.1:7000");
        assert_eq!(c.koji.max_builds, 7);
        assert_eq!(c.koji.build_arches, vec!["x86_64"]);
        assert_eq!(c.database_url(), "postgres://u:p@h/db");
        assert_eq!(c.services.polling.interval.as_secs(), 300);
        // Keys the file did not set keep their defaults.
        assert_eq!(c.koji.task_priority, 30);
    }

    #[test]
    fn an_unknown_key_in_the_file_is_named() {
        let f = file("[koji]\nmax_bulds = 5\n");
        let err = load(&ConfigSource { file: Some(f.path().to_owned()), env: vec![] }).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("koji") && msg.contains("max_bulds"), "{msg}");
    }

    #[test]
    fn a_bad_value_from_the_environment_names_key_and_variable() {
        let src = ConfigSource { file: None, env: env(&[("KOSCHEI_LISTEN", "nowhere")]) };
        let msg = load(&src).unwrap_err().to_string();
        assert!(msg.contains("http.listen") && msg.contains("KOSCHEI_LISTEN"), "{msg}");
    }

    #[test]
    fn an_unknown_variable_is_an_error() {
        let src = ConfigSource { file: None, env: env(&[("KOSCHEI_KOJI__NOPE", "1")]) };
        let msg = load(&src).unwrap_err().to_string();
        assert!(msg.contains("nope") && msg.contains("KOSCHEI_KOJI__NOPE"), "{msg}");
    }

    #[test]
    fn semantic_checks_name_the_key() {
        let f = file("[priorities]\nt0 = 10.0\nt1 = 5.0\n");
        let msg = load(&ConfigSource { file: Some(f.path().to_owned()), env: vec![] })
            .unwrap_err()
            .to_string();
        assert!(msg.contains("priorities.t1"), "{msg}");
        let src = ConfigSource { file: None, env: env(&[("KOSCHEI_DATABASE_URL", "mysql://x")]) };
        assert!(load(&src).unwrap_err().to_string().contains("database.url"));
    }

    #[test]
    fn a_toml_syntax_error_names_the_file() {
        let f = file("[koji\n");
        let msg = load(&ConfigSource { file: Some(f.path().to_owned()), env: vec![] })
            .unwrap_err()
            .to_string();
        assert!(msg.contains("not valid TOML"), "{msg}");
    }

    #[test]
    fn a_missing_file_is_an_error() {
        let src = ConfigSource { file: Some("/nonexistent/koschei.toml".into()), env: vec![] };
        assert!(matches!(load(&src), Err(ConfigError::Read { .. })));
    }

    #[test]
    fn the_original_logout_login_method_means_anonymous() {
        let f = file("[koji]\nlogin_method = 'logout'\n");
        let c = load(&ConfigSource { file: Some(f.path().to_owned()), env: vec![] }).unwrap();
        assert_eq!(c.koji.login_method, super::super::LoginMethod::Anonymous);
    }
}
