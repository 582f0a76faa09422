//! Parser of `repomd.xml`, the index of a repository's metadata files: for each `<data>`
//! its type, location, checksums and sizes, plus the choice of which entry serves as
//! primary, filelists and comps.
//!
//! Pure: reads only the stream it is given.

use std::io::BufRead;
use std::path::{Component, Path, PathBuf};

use quick_xml::events::Event;

use super::checksum::Checksum;
use super::error::RepodataError;
use super::xml::{XmlStream, for_each_attr, local, push_ref, push_text};

/// Entry types accepted for primary, in order of preference.
pub const PRIMARY_TYPES: &[&str] = &["primary", "primary_gz"];
/// Entry types accepted for filelists, in order of preference.
pub const FILELISTS_TYPES: &[&str] = &["filelists", "filelists_gz"];
/// Entry types accepted for comps, in order of preference (smallest download first).
pub const GROUP_TYPES: &[&str] = &["group_gz", "group_xz", "group"];

/// One `<data>` element.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RepomdData {
    /// The `type` attribute (`primary`, `filelists`, `group_gz`, …).
    pub kind: String,
    /// `<location href>`, relative to the repository base (the parent of `repodata/`).
    pub location_href: String,
    /// `<checksum>` of the file as stored.
    pub checksum: Option<Checksum>,
    /// `<open-checksum>` of the decompressed content.
    pub open_checksum: Option<Checksum>,
    /// `<size>` of the file as stored.
    pub size: Option<u64>,
    /// `<open-size>` of the decompressed content.
    pub open_size: Option<u64>,
    /// `<timestamp>`.
    pub timestamp: Option<u64>,
}

impl RepomdData {
    /// The location as a relative path that stays inside the repository directory, or
    /// [`RepodataError::Malformed`] for absolute paths, `..`, URLs and empty hrefs.
    pub fn relative_path(&self) -> Result<PathBuf, RepodataError> {
        let href = &self.location_href;
        let bad = |why: &str| {
            RepodataError::malformed("repomd.xml", 0, format!("unusable location {href:?}: {why}"))
        };
        if href.is_empty() {
            return Err(bad("empty"));
        }
        if href.contains("://") || href.contains('\\') {
            return Err(bad("not a relative path"));
        }
        let mut out = PathBuf::new();
        for comp in Path::new(href).components() {
            match comp {
                Component::Normal(c) => out.push(c),
                Component::CurDir => {}
                _ => return Err(bad("leaves the repository directory")),
            }
        }
        if out.as_os_str().is_empty() {
            return Err(bad("no file name"));
        }
        Ok(out)
    }
}

/// A parsed `repomd.xml`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Repomd {
    /// `<revision>`, if present.
    pub revision: Option<String>,
    /// The `<data>` entries in document order.
    pub data: Vec<RepomdData>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Capture {
    Revision,
    Checksum,
    OpenChecksum,
    Size,
    OpenSize,
    Timestamp,
}

impl Repomd {
    /// The entry of a given type.
    pub fn get(&self, kind: &str) -> Option<&RepomdData> {
        self.data.iter().find(|d| d.kind == kind)
    }

    /// The first entry present among `kinds`.
    pub fn first_of(&self, kinds: &[&str]) -> Option<&RepomdData> {
        kinds.iter().find_map(|k| self.get(k))
    }

    /// The primary entry, or [`RepodataError::Missing`].
    pub fn primary(&self) -> Result<&RepomdData, RepodataError> {
        self.first_of(PRIMARY_TYPES)
            .ok_or_else(|| RepodataError::missing("primary entry in repomd.xml"))
    }

    /// The filelists entry, if any.
    pub fn filelists(&self) -> Option<&RepomdData> {
        self.first_of(FILELISTS_TYPES)
    }

    /// The comps entry, if any.
    pub fn group(&self) -> Option<&RepomdData> {
        self.first_of(GROUP_TYPES)
    }

    /// Parses `repomd.xml` from a stream; `file` names it in errors.
    pub fn parse<R: BufRead>(input: R, file: &str) -> Result<Repomd, RepodataError> {
        let mut xml = XmlStream::new(input, file);
        let mut buf = Vec::new();
        let mut out = Repomd::default();
        let mut seen_root = false;
        let mut data: Option<RepomdData> = None;
        let mut capture: Option<(Capture, String)> = None;
        let mut text = String::new();
        loop {
            let ev = xml.next(&mut buf)?;
            let is_empty = matches!(ev, Event::Empty(_));
            match ev {
                Event::Start(e) | Event::Empty(e) if !seen_root => {
                    if local(&e) != "repomd" {
                        return Err(xml.malformed(format!(
                            "root element is <{}>, expected <repomd>",
                            local(&e)
                        )));
                    }
                    seen_root = true;
                    if is_empty {
                        return Ok(out);
                    }
                }
                Event::Start(e) | Event::Empty(e) => {
                    let name = local(&e);
                    let mut kind = String::new();
                    let mut href = None;
                    for_each_attr(&xml, &e, |key, value| {
                        match key {
                            "type" => kind = value.into_owned(),
                            "href" => href = Some(value.into_owned()),
                            _ => {}
                        }
                        Ok(())
                    })?;
                    match (name, &mut data) {
                        ("data", None) => {
                            if kind.is_empty() {
                                return Err(xml.malformed("<data> without type"));
                            }
                            let d = RepomdData { kind, ..RepomdData::default() };
                            if is_empty {
                                return Err(xml.malformed(format!(
                                    "<data type={:?}> without location",
                                    d.kind
                                )));
                            }
                            data = Some(d);
                        }
                        ("revision", None) => capture = Some((Capture::Revision, kind)),
                        ("location", Some(d)) => d.location_href = href.unwrap_or_default(),
                        ("checksum", Some(_)) => capture = Some((Capture::Checksum, kind)),
                        ("open-checksum", Some(_)) => capture = Some((Capture::OpenChecksum, kind)),
                        ("size", Some(_)) => capture = Some((Capture::Size, kind)),
                        ("open-size", Some(_)) => capture = Some((Capture::OpenSize, kind)),
                        ("timestamp", Some(_)) => capture = Some((Capture::Timestamp, kind)),
                        _ => {}
                    }
                    text.clear();
                    if is_empty {
                        capture = None;
                    }
                }
                Event::Text(t) if capture.is_some() => push_text(&mut text, &t),
                Event::GeneralRef(r) if capture.is_some() => {
                    push_ref(&mut text, &r).map_err(|m| xml.malformed(m))?
                }
                Event::End(e) => {
                    let name = e.name().local_name().into_inner();
                    if let Some((what, kind)) = capture.take() {
                        let value = text.trim();
                        let number = || {
                            value.parse::<u64>().map_err(|_| {
                                xml.malformed(format!("<{name}> is not a number: {value:?}"))
                            })
                        };
                        match (what, &mut data) {
                            (Capture::Revision, _) => out.revision = Some(value.to_owned()),
                            (Capture::Checksum, Some(d)) => {
                                d.checksum = Some(Checksum::new(kind, value))
                            }
                            (Capture::OpenChecksum, Some(d)) => {
                                d.open_checksum = Some(Checksum::new(kind, value))
                            }
                            (Capture::Size, Some(d)) => d.size = Some(number()?),
                            (Capture::OpenSize, Some(d)) => d.open_size = Some(number()?),
                            (Capture::Timestamp, Some(d)) => d.timestamp = number().ok(),
                            _ => {}
                        }
                    } else if name == "data" {
                        if let Some(d) = data.take() {
                            if d.location_href.is_empty() {
                                return Err(xml.malformed(format!(
                                    "<data type={:?}> without location",
                                    d.kind
                                )));
                            }
                            out.data.push(d);
                        }
                    } else if name == "repomd" {
                        return Ok(out);
                    }
                }
                Event::Eof => {
                    return Err(if seen_root {
                        xml.truncated("inside <repomd>")
                    } else if xml.position() == 0 {
                        xml.truncated("(empty document)")
                    } else {
                        xml.malformed("no <repomd> element")
                    });
                }
                _ => {}
            }
        }
    }
}
