//! A configuration value that must never be printed: passwords, and database URLs that
//! may carry one.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret string. `Debug` and serialization hide it; [`Secret::redacted`] shows a URL
/// with its password replaced.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A printable form: URLs keep everything but their password; other values are
    /// replaced entirely.
    pub fn redacted(&self) -> String {
        match url::Url::parse(&self.0) {
            Ok(mut url) if url.has_host() || url.scheme() == "sqlite" => {
                if url.password().is_some() {
                    let _ = url.set_password(Some("********"));
                }
                url.to_string()
            }
            _ => "********".to_owned(),
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.redacted())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_keeps_all_but_its_password() {
        let s = Secret::new("postgres://koschei:hunter2@db.example:5432/koschei");
        assert_eq!(s.redacted(), "postgres://koschei:********@db.example:5432/koschei");
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn a_plain_secret_is_hidden_entirely() {
        let s = Secret::new("hunter2");
        assert_eq!(s.redacted(), "********");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"********\"");
    }

    #[test]
    fn an_sqlite_url_is_shown() {
        let s = Secret::new("sqlite://data/koschei.db?mode=rwc");
        assert_eq!(s.redacted(), "sqlite://data/koschei.db?mode=rwc");
    }
}
