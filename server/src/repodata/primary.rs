//! Streaming parser of `primary.xml`: yields one [`RepoPackage`] at a time from any
//! `BufRead` (already decompressed), reusing its buffers, without building a DOM.
//!
//! Pure: reads only the stream it is given; no checksum, file or network handling here.

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};

use super::error::RepodataError;
use super::model::{Capability, DepKind, RepoPackage};
use super::xml::{XmlStream, boxed, for_each_attr, local, local_end, push_ref, push_text};
use crate::rpm::Op;

/// Which text field is being collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Arch,
    Summary,
    Checksum,
    SourceRpm,
    File,
}

/// Per-package parse state, separate from the XML reader so that events borrowed from
/// the reader's buffer can be handled while this is mutated.
#[derive(Default)]
struct Builder {
    pkg: RepoPackage,
    in_package: bool,
    capture: Option<Field>,
    text: String,
    deps: Option<DepKind>,
    scratch: Vec<Capability>,
}

/// Parses a flags attribute (`EQ`, `LT`, `LE`, `GT`, `GE`).
fn parse_flags(s: &str) -> Option<Op> {
    Some(match s {
        "EQ" => Op::Eq,
        "LT" => Op::Lt,
        "LE" => Op::Le,
        "GT" => Op::Gt,
        "GE" => Op::Ge,
        _ => return None,
    })
}

/// Parses an epoch attribute (empty = 0).
pub(crate) fn parse_epoch<R: BufRead>(xml: &XmlStream<R>, s: &str) -> Result<u32, RepodataError> {
    if s.is_empty() || s == "0" {
        return Ok(0);
    }
    s.parse::<u32>().map_err(|_| xml.malformed(format!("invalid epoch {s:?}")))
}

impl Builder {
    fn entry<R: BufRead>(
        &mut self,
        xml: &XmlStream<R>,
        e: &BytesStart<'_>,
    ) -> Result<(), RepodataError> {
        let mut name: Cow<'_, str> = Cow::Borrowed("");
        let (mut op, mut epoch, mut ver, mut rel, mut pre) =
            (None, 0, Cow::Borrowed(""), Cow::Borrowed(""), false);
        for_each_attr(xml, e, |key, value| {
            match key {
                "name" => name = value,
                "flags" => {
                    op = Some(
                        parse_flags(&value)
                            .ok_or_else(|| xml.malformed(format!("invalid flags {value:?}")))?,
                    )
                }
                "epoch" => epoch = parse_epoch(xml, &value)?,
                "ver" => ver = value,
                "rel" => rel = value,
                "pre" => pre = matches!(&*value, "1" | "true"),
                _ => {}
            }
            Ok(())
        })?;
        if name.is_empty() {
            return Err(xml.malformed("dependency entry without a name"));
        }
        let cap = Capability::from_parts(&name, op, epoch, &ver, &rel, pre)
            .ok_or_else(|| xml.malformed("dependency entry too long"))?;
        self.scratch.push(cap);
        Ok(())
    }

    fn version<R: BufRead>(
        &mut self,
        xml: &XmlStream<R>,
        e: &BytesStart<'_>,
    ) -> Result<(), RepodataError> {
        let pkg = &mut self.pkg;
        for_each_attr(xml, e, |key, value| {
            match key {
                "epoch" => pkg.epoch = parse_epoch(xml, &value)?,
                "ver" => pkg.version = boxed(value),
                "rel" => pkg.release = boxed(value),
                _ => {}
            }
            Ok(())
        })
    }

    /// Handles attributes of a start or empty element inside a package.
    fn attrs<R: BufRead>(
        &mut self,
        xml: &XmlStream<R>,
        e: &BytesStart<'_>,
    ) -> Result<(), RepodataError> {
        match local(e) {
            "entry" if self.deps.is_some() => self.entry(xml, e),
            "version" => self.version(xml, e),
            "location" => {
                let pkg = &mut self.pkg;
                for_each_attr(xml, e, |key, value| {
                    if key == "href" {
                        pkg.location_href = boxed(value);
                    }
                    Ok(())
                })
            }
            "checksum" => {
                let pkg = &mut self.pkg;
                for_each_attr(xml, e, |key, value| {
                    if key == "type" {
                        pkg.checksum.kind = boxed(value);
                    }
                    Ok(())
                })
            }
            _ => Ok(()),
        }
    }

    fn start(&mut self, e: &BytesStart<'_>) {
        let name = local(e);
        self.capture = match name {
            "name" => Some(Field::Name),
            "arch" => Some(Field::Arch),
            "summary" => Some(Field::Summary),
            "checksum" => Some(Field::Checksum),
            "sourcerpm" => Some(Field::SourceRpm),
            "file" => Some(Field::File),
            _ => {
                if let Some(kind) = DepKind::from_element(name) {
                    self.deps = Some(kind);
                }
                None
            }
        };
        self.text.clear();
    }

    fn end_field(&mut self, field: Field) {
        let text = std::mem::take(&mut self.text).into_boxed_str();
        let pkg = &mut self.pkg;
        match field {
            Field::Name => pkg.name = text,
            Field::Arch => pkg.arch = text,
            Field::Summary => pkg.summary = text,
            Field::Checksum => pkg.checksum.value = text.to_ascii_lowercase().into_boxed_str(),
            Field::SourceRpm => pkg.sourcerpm = (!text.is_empty()).then_some(text),
            Field::File => pkg.files.push(text),
        }
        self.capture = None;
    }

    fn end_deps(&mut self, kind: DepKind) {
        self.pkg.deps_mut(kind).append(&mut self.scratch);
        self.deps = None;
    }
}

/// A pull parser over `primary.xml`: call [`PrimaryReader::next_package`] (or iterate)
/// until `None`.
pub struct PrimaryReader<R> {
    xml: XmlStream<R>,
    buf: Vec<u8>,
    b: Builder,
    seen_root: bool,
    done: bool,
    /// Depth inside elements other than `<package>` directly under the root.
    other_depth: u32,
    declared: Option<u64>,
    count: u64,
}

impl<R: BufRead> PrimaryReader<R> {
    /// A reader over decompressed XML; `file` names it in errors.
    pub fn new(input: R, file: &str) -> PrimaryReader<R> {
        PrimaryReader {
            xml: XmlStream::new(input, file),
            buf: Vec::with_capacity(4096),
            b: Builder { text: String::with_capacity(256), ..Builder::default() },
            seen_root: false,
            done: false,
            other_depth: 0,
            declared: None,
            count: 0,
        }
    }

    /// The `packages` count the root element declares, once the root has been read.
    pub fn declared_count(&self) -> Option<u64> {
        self.declared
    }

    /// Packages returned so far.
    pub fn packages_read(&self) -> u64 {
        self.count
    }

    /// Gives back the input (e.g. to finish checksum verification after the last package).
    pub fn into_inner(self) -> R {
        self.xml.into_inner()
    }

    fn root(
        xml: &XmlStream<R>,
        declared: &mut Option<u64>,
        e: &BytesStart<'_>,
    ) -> Result<(), RepodataError> {
        if local(e) != "metadata" {
            return Err(
                xml.malformed(format!("root element is <{}>, expected <metadata>", local(e)))
            );
        }
        for_each_attr(xml, e, |key, value| {
            if key == "packages" {
                *declared = value.parse().ok();
            }
            Ok(())
        })
    }

    /// The next package, `Ok(None)` after `</metadata>`.
    pub fn next_package(&mut self) -> Result<Option<RepoPackage>, RepodataError> {
        if self.done {
            return Ok(None);
        }
        loop {
            let ev = self.xml.next(&mut self.buf)?;
            let (xml, b) = (&self.xml, &mut self.b);
            match ev {
                Event::Start(e) if b.in_package => {
                    b.attrs(xml, &e)?;
                    b.start(&e);
                }
                Event::Empty(e) if b.in_package => {
                    b.attrs(xml, &e)?;
                    if local(&e) == "sourcerpm" {
                        b.pkg.sourcerpm = None;
                    }
                }
                Event::Text(t) if b.capture.is_some() => push_text(&mut b.text, &t),
                Event::CData(t) if b.capture.is_some() => b.text.push_str(&t),
                Event::GeneralRef(r) if b.capture.is_some() => {
                    push_ref(&mut b.text, &r).map_err(|m| xml.malformed(m))?
                }
                Event::End(e) if b.in_package => {
                    let name = local_end(e.name().into_inner());
                    if let Some(field) = b.capture {
                        b.end_field(field);
                    } else if let Some(kind) =
                        b.deps.filter(|k| DepKind::from_element(name) == Some(*k))
                    {
                        b.end_deps(kind);
                    } else if name == "package" {
                        b.in_package = false;
                        let pkg = std::mem::take(&mut b.pkg);
                        if pkg.name.is_empty() || pkg.arch.is_empty() || pkg.version.is_empty() {
                            return Err(xml.malformed(format!(
                                "package without name, arch or version (name {:?})",
                                pkg.name
                            )));
                        }
                        self.count += 1;
                        return Ok(Some(pkg));
                    }
                }
                Event::Start(e) if !self.seen_root => {
                    Self::root(xml, &mut self.declared, &e)?;
                    self.seen_root = true;
                }
                Event::Empty(e) if !self.seen_root => {
                    Self::root(xml, &mut self.declared, &e)?;
                    self.seen_root = true;
                    self.done = true;
                    return Ok(None);
                }
                Event::Start(e) if local(&e) == "package" && self.other_depth == 0 => {
                    b.in_package = true;
                    b.pkg = RepoPackage::default();
                }
                Event::Start(_) => self.other_depth += 1,
                Event::End(_) if self.other_depth > 0 => self.other_depth -= 1,
                Event::End(_) => {
                    // Only `</metadata>` can close outside a package (quick-xml checks nesting).
                    self.done = true;
                    return Ok(None);
                }
                Event::Eof => {
                    return Err(if self.seen_root {
                        xml.truncated("inside <metadata>")
                    } else if xml.position() == 0 {
                        xml.truncated("(empty document)")
                    } else {
                        xml.malformed("no <metadata> element")
                    });
                }
                _ => {}
            }
        }
    }
}

impl<R: BufRead> Iterator for PrimaryReader<R> {
    type Item = Result<RepoPackage, RepodataError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_package() {
            Ok(Some(p)) => Some(Ok(p)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Streams every package of `input` to `f`; returns the number of packages.
pub fn parse_primary<R: BufRead>(
    input: R,
    file: &str,
    mut f: impl FnMut(RepoPackage),
) -> Result<u64, RepodataError> {
    let mut reader = PrimaryReader::new(input, file);
    while let Some(pkg) = reader.next_package()? {
        f(pkg);
    }
    Ok(reader.packages_read())
}

/// Reads all packages of `input` into a vector.
pub fn read_primary<R: BufRead>(input: R, file: &str) -> Result<Vec<RepoPackage>, RepodataError> {
    let mut reader = PrimaryReader::new(input, file);
    let mut out = Vec::with_capacity(1024);
    while let Some(pkg) = reader.next_package()? {
        out.push(pkg);
    }
    out.shrink_to_fit();
    Ok(out)
}
