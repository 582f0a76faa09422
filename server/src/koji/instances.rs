//! The Koji instances of a deployment (koschei-backend.md §6.5): the primary, which runs
//! the scratch builds, and an optional read-only secondary that supplies packages, real
//! builds, SRPMs and repos for collections in secondary mode.
//!
//! Only the choice of instance lives here; what each service asks an instance is the
//! service's business. Sessions are created without network traffic (login is lazy).

use std::sync::Arc;

use super::api::KojiApi;
use super::error::KojiError;
use super::session::KojiSession;
use crate::config::{Config, KojiConfig, LoginMethod, SecondaryKojiConfig};

/// Which instance something came from (the original's repo descriptor `koji_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KojiId {
    /// The primary instance.
    Primary,
    /// The secondary instance.
    Secondary,
}

impl KojiId {
    /// `primary` or `secondary`.
    pub fn as_str(self) -> &'static str {
        match self {
            KojiId::Primary => "primary",
            KojiId::Secondary => "secondary",
        }
    }
}

/// One Koji instance: its API and its effective configuration (URLs for links and files).
#[derive(Clone)]
pub struct KojiInstance {
    /// Which one this is.
    pub id: KojiId,
    /// The effective configuration (for the secondary: merged over the primary's).
    pub config: KojiConfig,
    /// Base URL of its repos as seen by the primary (secondary only, if configured).
    pub repo_url: Option<String>,
    /// The hub.
    pub api: Arc<dyn KojiApi>,
}

impl std::fmt::Debug for KojiInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KojiInstance")
            .field("id", &self.id)
            .field("server", &self.config.server)
            .finish_non_exhaustive()
    }
}

/// The primary instance and, in global secondary mode, the secondary one.
#[derive(Debug, Clone)]
pub struct KojiInstances {
    /// Runs scratch builds; supplies build arches and host load.
    pub primary: KojiInstance,
    /// Present when the configuration has a secondary Koji (global secondary mode).
    pub secondary: Option<KojiInstance>,
}

impl KojiInstances {
    /// Sessions for the configured instances.
    pub fn from_config(config: &Config) -> Result<Self, KojiError> {
        let primary = KojiInstance {
            id: KojiId::Primary,
            config: config.koji.clone(),
            repo_url: None,
            api: Arc::new(KojiSession::new(&config.koji)?),
        };
        let secondary = match &config.secondary_koji {
            None => None,
            Some(sec) => {
                let merged = secondary_config(&config.koji, sec);
                Some(KojiInstance {
                    id: KojiId::Secondary,
                    api: Arc::new(KojiSession::new(&merged)?),
                    config: merged,
                    repo_url: sec.repo_url.clone(),
                })
            }
        };
        Ok(KojiInstances { primary, secondary })
    }

    /// Instances over given APIs (simulators, tests).
    pub fn new(primary: KojiInstance, secondary: Option<KojiInstance>) -> Self {
        KojiInstances { primary, secondary }
    }

    /// Global secondary mode: a secondary instance is configured.
    pub fn secondary_mode(&self) -> bool {
        self.secondary.is_some()
    }

    /// The instance to read a collection's packages, real builds, SRPMs, dependencies
    /// and repos from: the secondary when the collection is in secondary mode *and* a
    /// secondary is configured, else (silently) the primary.
    pub fn for_reading(&self, collection_secondary_mode: bool) -> &KojiInstance {
        match (&self.secondary, collection_secondary_mode) {
            (Some(secondary), true) => secondary,
            _ => &self.primary,
        }
    }

    /// The instance that runs scratch builds (and answers task, arch and load queries):
    /// always the primary.
    pub fn for_building(&self) -> &KojiInstance {
        &self.primary
    }

    /// The instance a stored id refers to (`secondary` falls back to the primary when
    /// no secondary is configured, as in the original).
    pub fn by_id(&self, id: KojiId) -> &KojiInstance {
        self.for_reading(id == KojiId::Secondary)
    }
}

/// The secondary's effective configuration: every key it does not set is the primary's,
/// except authentication, which defaults to anonymous (the secondary is read-only).
pub fn secondary_config(primary: &KojiConfig, secondary: &SecondaryKojiConfig) -> KojiConfig {
    let mut merged = primary.clone();
    if let Some(server) = &secondary.server {
        merged.server = server.clone();
    }
    if let Some(topurl) = &secondary.topurl {
        merged.topurl = topurl.clone();
    }
    if let Some(weburl) = &secondary.weburl {
        merged.weburl = weburl.clone();
    }
    merged.login_method = secondary.login_method.unwrap_or(LoginMethod::Anonymous);
    merged.auth = secondary.auth.clone().unwrap_or_default();
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{KojiAuth, Secret};

    fn config(secondary: bool) -> Config {
        let mut c = Config::default();
        c.koji.server = "https://primary-koji.test/kojihub".into();
        c.koji.topurl = "https://primary-koji.test".into();
        c.koji.weburl = "https://primary-koji.test/koji".into();
        c.koji.login_method = LoginMethod::Password;
        c.koji.auth = KojiAuth {
            user: Some("koschei".into()),
            password: Some(Secret::new("hunter2")),
            ..KojiAuth::default()
        };
        if secondary {
            c.secondary_koji = Some(SecondaryKojiConfig {
                server: Some("https://secondary-koji.test/kojihub".into()),
                topurl: Some("https://secondary-koji.test".into()),
                weburl: None,
                repo_url: Some("https://secondary-koji.test/repos".into()),
                ..SecondaryKojiConfig::default()
            });
        }
        c
    }

    #[test]
    fn secondary_inherits_unset_keys_and_is_anonymous() {
        let c = config(true);
        let merged = secondary_config(&c.koji, c.secondary_koji.as_ref().unwrap());
        assert_eq!(merged.server, "https://secondary-koji.test/kojihub");
        assert_eq!(merged.topurl, "https://secondary-koji.test");
        assert_eq!(merged.weburl, "https://primary-koji.test/koji", "inherited");
        assert_eq!(merged.srpm_relative_path_root, c.koji.srpm_relative_path_root);
        assert_eq!(merged.multicall_chunk_size, c.koji.multicall_chunk_size);
        assert_eq!(merged.login_method, LoginMethod::Anonymous);
        assert_eq!(merged.auth, KojiAuth::default());
    }

    #[test]
    fn reading_uses_the_secondary_only_in_both_modes() {
        let both = KojiInstances::from_config(&config(true)).unwrap();
        assert!(both.secondary_mode());
        assert_eq!(both.for_reading(true).id, KojiId::Secondary);
        assert_eq!(both.for_reading(true).config.topurl, "https://secondary-koji.test");
        assert_eq!(
            both.for_reading(true).repo_url.as_deref(),
            Some("https://secondary-koji.test/repos")
        );
        assert_eq!(both.for_reading(false).id, KojiId::Primary);
        assert_eq!(both.for_building().id, KojiId::Primary);
        assert_eq!(both.by_id(KojiId::Secondary).id, KojiId::Secondary);

        let primary_only = KojiInstances::from_config(&config(false)).unwrap();
        assert!(!primary_only.secondary_mode());
        assert_eq!(primary_only.for_reading(true).id, KojiId::Primary, "silently the primary");
        assert_eq!(primary_only.by_id(KojiId::Secondary).id, KojiId::Primary);
        assert_eq!(primary_only.for_building().config.server, "https://primary-koji.test/kojihub");
    }

    #[test]
    fn a_bad_primary_configuration_is_an_error() {
        let mut c = config(false);
        c.koji.auth.password = None;
        assert!(matches!(KojiInstances::from_config(&c), Err(KojiError::Auth { .. })));
    }
}
