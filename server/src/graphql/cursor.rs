//! Opaque cursors for the package list: base64url of `name NUL id`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::db::package_list::Key;

/// Encodes a position.
pub fn encode(key: &Key) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}\0{}", key.name, key.id))
}

/// Decodes a position; `None` for anything that was not made by [`encode`].
pub fn decode(cursor: &str) -> Option<Key> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (name, id) = text.rsplit_once('\0')?;
    Some(Key { name: name.to_owned(), id: id.parse().ok()? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let key = Key { name: "python-foo".into(), id: 42 };
        assert_eq!(decode(&encode(&key)), Some(key));
    }

    #[test]
    fn foreign_strings_are_not_cursors() {
        assert_eq!(decode("not a cursor"), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("no-separator")), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode("x\0notanumber")), None);
    }
}
