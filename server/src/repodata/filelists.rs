//! Streaming parser of `filelists.xml` and merging of its file lists into the packages of
//! `primary.xml` by pkgid (checked against name and arch when several packages share one).
//!
//! Pure: reads only the stream it is given; no checksum, file or network handling here.

use std::collections::HashSet;
use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};

use super::error::RepodataError;
use super::model::RepoPackage;
use super::primary::parse_epoch;
use super::xml::{XmlStream, boxed, for_each_attr, local, push_ref, push_text};

/// One `<package>` of `filelists.xml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilelistEntry {
    /// The package's checksum (pkgid), lowercased.
    pub pkgid: Box<str>,
    /// Package name.
    pub name: Box<str>,
    /// Architecture.
    pub arch: Box<str>,
    /// Epoch from `<version>`.
    pub epoch: u32,
    /// Version from `<version>`.
    pub version: Box<str>,
    /// Release from `<version>`.
    pub release: Box<str>,
    /// File paths (files, directories and ghosts alike).
    pub files: Vec<Box<str>>,
}

/// A pull parser over `filelists.xml`.
pub struct FilelistsReader<R> {
    xml: XmlStream<R>,
    buf: Vec<u8>,
    text: String,
    entry: Option<FilelistEntry>,
    in_file: bool,
    seen_root: bool,
    done: bool,
}

impl<R: BufRead> FilelistsReader<R> {
    /// A reader over decompressed XML; `file` names it in errors.
    pub fn new(input: R, file: &str) -> FilelistsReader<R> {
        FilelistsReader {
            xml: XmlStream::new(input, file),
            buf: Vec::with_capacity(4096),
            text: String::new(),
            entry: None,
            in_file: false,
            seen_root: false,
            done: false,
        }
    }

    /// Gives back the input stream.
    pub fn into_inner(self) -> R {
        self.xml.into_inner()
    }

    fn package_attrs(
        xml: &XmlStream<R>,
        e: &BytesStart<'_>,
    ) -> Result<FilelistEntry, RepodataError> {
        let mut entry = FilelistEntry::default();
        for_each_attr(xml, e, |key, value| {
            match key {
                "pkgid" => entry.pkgid = value.to_ascii_lowercase().into_boxed_str(),
                "name" => entry.name = boxed(value),
                "arch" => entry.arch = boxed(value),
                _ => {}
            }
            Ok(())
        })?;
        if entry.pkgid.is_empty() {
            return Err(xml.malformed("filelists package without pkgid"));
        }
        Ok(entry)
    }

    /// The next package entry, `Ok(None)` after `</filelists>`.
    pub fn next_entry(&mut self) -> Result<Option<FilelistEntry>, RepodataError> {
        if self.done {
            return Ok(None);
        }
        loop {
            let ev = self.xml.next(&mut self.buf)?;
            let xml = &self.xml;
            let is_empty = matches!(ev, Event::Empty(_));
            match ev {
                Event::Start(e) | Event::Empty(e) if !self.seen_root => {
                    if local(&e) != "filelists" {
                        return Err(xml.malformed(format!("root element is <{}>", local(&e))));
                    }
                    self.seen_root = true;
                    if is_empty {
                        self.done = true;
                        return Ok(None);
                    }
                }
                Event::Start(e) | Event::Empty(e) => match (&mut self.entry, local(&e)) {
                    (None, "package") => {
                        let entry = Self::package_attrs(xml, &e)?;
                        if is_empty {
                            return Ok(Some(entry));
                        }
                        self.entry = Some(entry);
                    }
                    (Some(entry), "version") => {
                        for_each_attr(xml, &e, |key, value| {
                            match key {
                                "epoch" => entry.epoch = parse_epoch(xml, &value)?,
                                "ver" => entry.version = boxed(value),
                                "rel" => entry.release = boxed(value),
                                _ => {}
                            }
                            Ok(())
                        })?;
                    }
                    (Some(_), "file") if !is_empty => {
                        self.in_file = true;
                        self.text.clear();
                    }
                    (Some(entry), "file") => entry.files.push(Box::from("")),
                    _ => {}
                },
                Event::Text(t) if self.in_file => push_text(&mut self.text, &t),
                Event::CData(t) if self.in_file => self.text.push_str(&t),
                Event::GeneralRef(r) if self.in_file => {
                    push_ref(&mut self.text, &r).map_err(|m| xml.malformed(m))?
                }
                Event::End(_) if self.in_file => {
                    self.in_file = false;
                    if let Some(entry) = &mut self.entry {
                        entry.files.push(self.text.as_str().into());
                    }
                }
                Event::End(e) => {
                    let name = e.name().local_name().into_inner();
                    if name == "package" && self.entry.is_some() {
                        return Ok(self.entry.take());
                    }
                    if name == "filelists" && self.entry.is_none() {
                        self.done = true;
                        return Ok(None);
                    }
                }
                Event::Eof => {
                    return Err(if self.seen_root {
                        xml.truncated("inside <filelists>")
                    } else if xml.position() == 0 {
                        xml.truncated("(empty document)")
                    } else {
                        xml.malformed("no <filelists> element")
                    });
                }
                _ => {}
            }
        }
    }
}

impl<R: BufRead> Iterator for FilelistsReader<R> {
    type Item = Result<FilelistEntry, RepodataError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_entry() {
            Ok(Some(e)) => Some(Ok(e)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Adds the files of every filelists entry to the package with the same pkgid (and, when
/// several packages share a pkgid, the same name and arch). Files already listed in
/// primary are not duplicated; entries matching no package are ignored. Returns the
/// number of entries merged.
pub fn merge_filelists<R: BufRead>(
    packages: &mut [RepoPackage],
    input: R,
    file: &str,
) -> Result<u64, RepodataError> {
    let mut order: Vec<usize> = (0..packages.len()).collect();
    order.sort_unstable_by(|&a, &b| packages[a].pkgid().cmp(packages[b].pkgid()));
    let mut reader = FilelistsReader::new(input, file);
    let mut merged = 0;
    while let Some(entry) = reader.next_entry()? {
        let lo = order.partition_point(|&i| packages[i].pkgid() < &*entry.pkgid);
        let hi = lo + order[lo..].partition_point(|&i| packages[i].pkgid() == &*entry.pkgid);
        let candidates = &order[lo..hi];
        let matches_entry = |p: &RepoPackage| {
            (entry.name.is_empty() || p.name == entry.name)
                && (entry.arch.is_empty() || p.arch == entry.arch)
        };
        let target = if candidates.len() == 1 {
            candidates.first().copied().filter(|&i| matches_entry(&packages[i]))
        } else {
            candidates.iter().copied().find(|&i| matches_entry(&packages[i]))
        };
        let Some(i) = target else { continue };
        let pkg = &mut packages[i];
        if pkg.files.is_empty() {
            pkg.files = entry.files;
        } else {
            let known: HashSet<Box<str>> = pkg.files.iter().cloned().collect();
            pkg.files.extend(entry.files.into_iter().filter(|f| !known.contains(f)));
        }
        pkg.files.shrink_to_fit();
        merged += 1;
    }
    Ok(merged)
}
