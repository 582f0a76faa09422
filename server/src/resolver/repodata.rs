//! Local rpm-md metadata index: `repodata/repomd.xml` (which file holds `primary`,
//! `filelists`, `group`/`group_gz`) and comps groups (names of the default/mandatory
//! packages of a group, as `dnf`/Koschei's offline tools read them).
//!
//! Reads only the local files it is pointed at; must not download, cache or solve anything.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

/// Errors reading repository metadata.
#[derive(Debug, thiserror::Error)]
pub enum RepodataError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// A file is not well-formed XML.
    #[error("malformed XML in {path}: {message}")]
    Xml {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// `repomd.xml` lists no `primary` data.
    #[error("{0} has no primary metadata")]
    NoPrimary(PathBuf),
}

/// The data files of an rpm-md repository, by repomd type (absolute paths).
#[derive(Debug, Clone, Default)]
pub struct RepoFiles {
    /// `type → path` for every `<data>` entry.
    pub by_type: BTreeMap<String, PathBuf>,
}

impl RepoFiles {
    /// The primary metadata (required).
    pub fn primary(&self) -> Option<&Path> {
        self.by_type.get("primary").map(PathBuf::as_path)
    }
    /// The filelists metadata, when listed.
    pub fn filelists(&self) -> Option<&Path> {
        self.by_type.get("filelists").map(PathBuf::as_path)
    }
    /// The comps file (`group`, else `group_gz`), when listed.
    pub fn group(&self) -> Option<&Path> {
        self.by_type.get("group").or_else(|| self.by_type.get("group_gz")).map(PathBuf::as_path)
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, RepodataError> {
    let data =
        std::fs::read(path).map_err(|source| RepodataError::Io { path: path.into(), source })?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&data[..])
            .read_to_end(&mut out)
            .map_err(|source| RepodataError::Io { path: path.into(), source })?;
        return Ok(out);
    }
    Ok(data)
}

fn xml_err(path: &Path, e: impl std::fmt::Display) -> RepodataError {
    RepodataError::Xml { path: path.into(), message: e.to_string() }
}

fn attr(e: &BytesStart<'_>, key: &str, path: &Path) -> Result<Option<String>, RepodataError> {
    for a in e.attributes() {
        let a = a.map_err(|err| xml_err(path, err))?;
        if a.key.local_name().as_ref() == key {
            let v =
                a.normalized_value(XmlVersion::Implicit1_0).map_err(|err| xml_err(path, err))?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

/// Reads `repo_dir/repodata/repomd.xml` and resolves every `<location href>` against
/// `repo_dir` (as createrepo_c lays it out).
pub fn read_repomd(repo_dir: &Path) -> Result<RepoFiles, RepodataError> {
    let path = repo_dir.join("repodata").join("repomd.xml");
    let bytes = read_file(&path)?;
    let text = String::from_utf8_lossy(&bytes);
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut files = RepoFiles::default();
    let mut current: Option<String> = None;
    loop {
        match reader.read_event().map_err(|e| xml_err(&path, e))? {
            Event::Start(e) if e.local_name().as_ref() == "data" => {
                current = attr(&e, "type", &path)?;
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "location" => {
                if let (Some(kind), Some(href)) = (current.as_ref(), attr(&e, "href", &path)?) {
                    files.by_type.insert(kind.clone(), repo_dir.join(href));
                }
            }
            Event::End(e) if e.local_name().as_ref() == "data" => current = None,
            Event::Eof => break,
            _ => {}
        }
    }
    if files.primary().is_none() {
        return Err(RepodataError::NoPrimary(path));
    }
    Ok(files)
}

/// Package names of comps group `group_id` whose `packagereq` type is `mandatory` (also when
/// the type is absent) or `default`, in file order; `None` when the group does not exist.
pub fn read_comps_group(path: &Path, group_id: &str) -> Result<Option<Vec<String>>, RepodataError> {
    let bytes = read_file(path)?;
    let text = String::from_utf8_lossy(&bytes);
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut stack: Vec<String> = Vec::new();
    let mut text_buf = String::new();
    let mut group_matches = false;
    let mut req_kind: Option<String> = None;
    let mut names: Vec<String> = Vec::new();
    loop {
        match reader.read_event().map_err(|e| xml_err(path, e))? {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_owned();
                if name == "group" && stack.last().is_some_and(|p| p == "comps") {
                    group_matches = false;
                    names.clear();
                }
                if name == "packagereq" {
                    req_kind = Some(attr(&e, "type", path)?.unwrap_or_else(|| "mandatory".into()));
                }
                text_buf.clear();
                stack.push(name);
            }
            Event::Text(t) => text_buf.push_str(&t.xml10_content()),
            Event::CData(t) => text_buf.push_str(&t.into_inner()),
            Event::GeneralRef(r) => {
                let content = r.xml10_content();
                if let Some(s) = quick_xml::escape::resolve_predefined_entity(&content) {
                    text_buf.push_str(s);
                } else if let Ok(Some(c)) = r.resolve_char_ref() {
                    text_buf.push(c);
                }
            }
            Event::End(_) => {
                let name = stack.pop().unwrap_or_default();
                let parent = stack.last().map(String::as_str);
                match (name.as_str(), parent) {
                    ("id", Some("group")) => group_matches = text_buf.trim() == group_id,
                    ("packagereq", _) => {
                        let kind = req_kind.take().unwrap_or_default();
                        if kind == "mandatory" || kind == "default" {
                            names.push(text_buf.trim().to_owned());
                        }
                    }
                    ("group", Some("comps")) if group_matches => return Ok(Some(names)),
                    _ => {}
                }
                text_buf.clear();
            }
            Event::Eof => return Ok(None),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPO123: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/koschei/test/repos/primary-f25-build-123"
    );

    #[test]
    fn repomd_lists_primary_filelists_group() {
        let files = read_repomd(Path::new(REPO123)).expect("repomd");
        assert!(files.primary().is_some_and(|p| p.ends_with("repodata/primary.xml")));
        assert!(files.filelists().is_some_and(|p| p.ends_with("repodata/filelists.xml")));
        assert!(files.group().is_some_and(|p| p.ends_with("repodata/comps.xml")));
    }

    #[test]
    fn comps_group_names() {
        let files = read_repomd(Path::new(REPO123)).expect("repomd");
        let comps = files.group().expect("group");
        let srpm = read_comps_group(comps, "srpm-build").expect("read").expect("group exists");
        assert_eq!(
            srpm,
            [
                "bash",
                "fedora-release",
                "fedpkg-minimal",
                "gnupg2",
                "redhat-rpm-config",
                "rpm-build",
                "shadow-utils"
            ]
        );
        assert_eq!(read_comps_group(comps, "nope").expect("read"), None);
    }

    #[test]
    fn comps_types_and_entities() {
        let dir = std::env::temp_dir().join(format!("resolver-comps-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tmpdir");
        let path = dir.join("comps.xml");
        let xml = r#"<comps><group><id>other</id><packagelist><packagereq>x</packagereq></packagelist></group>
<group><id>build</id><packagelist>
<packagereq type="mandatory">a&amp;b</packagereq><packagereq type="optional">opt</packagereq>
<packagereq type="default">def</packagereq><packagereq>untyped</packagereq>
<packagereq type="conditional" requires="x">cond</packagereq></packagelist></group></comps>"#;
        std::fs::write(&path, xml).expect("write");
        let got = read_comps_group(&path, "build").expect("read").expect("exists");
        assert_eq!(got, ["a&b", "def", "untyped"]);
        let other = read_comps_group(&path, "other").expect("read").expect("exists");
        assert_eq!(other, ["x"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
