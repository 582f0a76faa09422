//! Opaque cursors: the package list (base64url of `name NUL id`) and a package's build
//! history (base64url of `build:id`, which has no NUL and so never decodes as the other).

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

/// Encodes a position in a package's build history (the build id).
pub fn encode_build(id: i32) -> String {
    URL_SAFE_NO_PAD.encode(format!("build:{id}"))
}

/// Decodes a build-history position; `None` for anything not made by [`encode_build`].
pub fn decode_build(cursor: &str) -> Option<i32> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("build:")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_cursors_round_trip_and_differ_from_package_cursors() {
        assert_eq!(decode_build(&encode_build(17)), Some(17));
        assert_eq!(decode_build(&encode(&Key { name: "build".into(), id: 17 })), None);
        assert_eq!(decode_build(&encode(&Key { name: "build:17".into(), id: 1 })), None);
        assert_eq!(decode(&encode_build(17)), None);
        assert_eq!(decode_build("garbage"), None);
    }

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
