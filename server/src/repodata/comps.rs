//! Streaming parser of comps (`group`/`group_gz` in `repomd.xml`): the `<group>` elements
//! with their id, untranslated name and package list. Categories, environments and
//! translations are skipped.
//!
//! Pure: reads only the stream it is given.

use std::io::BufRead;

use quick_xml::events::Event;

use super::error::RepodataError;
use super::model::{CompsGroup, GroupPackage, GroupPackageType};
use super::xml::{XmlStream, for_each_attr, local, push_ref, push_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capture {
    Id,
    Name,
    PackageReq,
}

/// Reads every `<group>` of a comps document.
pub fn read_comps<R: BufRead>(input: R, file: &str) -> Result<Vec<CompsGroup>, RepodataError> {
    let mut xml = XmlStream::new(input, file);
    let mut buf = Vec::new();
    let mut groups = Vec::new();
    let mut group: Option<CompsGroup> = None;
    // Depth below <group> (1 = direct child).
    let mut depth = 0u32;
    // Depth below <comps> outside groups (categories, environments, …).
    let mut outer = 0u32;
    let mut seen_root = false;
    let mut capture: Option<Capture> = None;
    let mut text = String::new();
    let mut req: Option<(GroupPackageType, Option<String>)> = None;
    loop {
        let ev = xml.next(&mut buf)?;
        let is_empty = matches!(ev, Event::Empty(_));
        match ev {
            Event::Start(e) | Event::Empty(e) if !seen_root => {
                if local(&e) != "comps" {
                    return Err(
                        xml.malformed(format!("root element is <{}>, expected <comps>", local(&e)))
                    );
                }
                seen_root = true;
                if is_empty {
                    return Ok(groups);
                }
            }
            Event::Start(e) | Event::Empty(e) => {
                let name = local(&e);
                match &group {
                    None if name == "group" && outer == 0 && !is_empty => {
                        group = Some(CompsGroup::default());
                        depth = 0;
                    }
                    None if !is_empty => outer += 1,
                    None => {}
                    Some(_) => {
                        let mut translated = false;
                        let (mut kind, mut requires) = (GroupPackageType::Mandatory, None);
                        for_each_attr(&xml, &e, |key, value| {
                            match (name, key) {
                                (_, "lang") => translated = true,
                                ("packagereq", "type") => {
                                    kind = GroupPackageType::from_name(&value).ok_or_else(|| {
                                        xml.malformed(format!("unknown packagereq type {value:?}"))
                                    })?
                                }
                                ("packagereq", "requires") => requires = Some(value.into_owned()),
                                _ => {}
                            }
                            Ok(())
                        })?;
                        capture = match name {
                            "id" if depth == 0 => Some(Capture::Id),
                            "name" if depth == 0 && !translated => Some(Capture::Name),
                            "packagereq" => {
                                req = Some((kind, requires));
                                Some(Capture::PackageReq)
                            }
                            _ => None,
                        };
                        text.clear();
                        if is_empty {
                            if capture == Some(Capture::PackageReq) {
                                return Err(xml.malformed("empty <packagereq>"));
                            }
                            capture = None;
                        } else {
                            depth += 1;
                        }
                    }
                }
            }
            Event::Text(t) if capture.is_some() => push_text(&mut text, &t),
            Event::CData(t) if capture.is_some() => text.push_str(&t),
            Event::GeneralRef(r) if capture.is_some() => {
                push_ref(&mut text, &r).map_err(|m| xml.malformed(m))?
            }
            Event::End(_) => {
                let Some(g) = &mut group else {
                    if outer == 0 {
                        return Ok(groups);
                    }
                    outer -= 1;
                    continue;
                };
                if depth == 0 {
                    if g.id.is_empty() {
                        return Err(xml.malformed("comps group without <id>"));
                    }
                    groups.extend(group.take());
                    continue;
                }
                depth -= 1;
                let value = text.trim().to_owned();
                match capture.take() {
                    Some(Capture::Id) => g.id = value,
                    Some(Capture::Name) => g.name = value,
                    Some(Capture::PackageReq) => {
                        let (kind, requires) =
                            req.take().unwrap_or((GroupPackageType::Mandatory, None));
                        if value.is_empty() {
                            return Err(xml.malformed("empty <packagereq>"));
                        }
                        g.packages.push(GroupPackage { name: value, kind, requires });
                    }
                    None => {}
                }
            }
            Event::Eof => {
                return Err(if seen_root {
                    xml.truncated("inside <comps>")
                } else if xml.position() == 0 {
                    xml.truncated("(empty document)")
                } else {
                    xml.malformed("no <comps> element")
                });
            }
            _ => {}
        }
    }
}
