//! Shared quick-xml plumbing for the metadata parsers: a reader that maps every XML,
//! decoder and IO error to [`RepodataError`], text/entity accumulation and attribute
//! iteration.
//!
//! Knows nothing about rpm-md elements; the parsers own their state machines.

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::errors::{Error as XmlError, SyntaxError};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, BytesText, Event};

use super::compress::classify_io;
use super::error::RepodataError;

/// A quick-xml reader over a `BufRead` with the file label used in errors.
pub(crate) struct XmlStream<R> {
    reader: Reader<R>,
    file: String,
}

impl<R: BufRead> XmlStream<R> {
    /// Wraps `input` (already decompressed); `file` names it in errors.
    pub(crate) fn new(input: R, file: &str) -> XmlStream<R> {
        let mut reader = Reader::from_reader(input);
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = true;
        config.expand_empty_elements = false;
        XmlStream { reader, file: file.to_owned() }
    }

    /// Current byte offset in the decompressed document.
    pub(crate) fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    /// A [`RepodataError::Malformed`] at the current position.
    pub(crate) fn malformed(&self, message: impl Into<String>) -> RepodataError {
        RepodataError::malformed(&self.file, self.position(), message)
    }

    /// A [`RepodataError::Truncated`] at the current position.
    pub(crate) fn truncated(&self, what: &str) -> RepodataError {
        RepodataError::truncated(
            &self.file,
            format!("document ends at byte {} {what}", self.position()),
        )
    }

    /// The next event, with errors mapped.
    pub(crate) fn next<'b>(&mut self, buf: &'b mut Vec<u8>) -> Result<Event<'b>, RepodataError> {
        buf.clear();
        match self.reader.read_event_into(buf) {
            Ok(ev) => Ok(ev),
            Err(err) => Err(self.map_error(err)),
        }
    }

    fn map_error(&self, err: XmlError) -> RepodataError {
        let pos = self.reader.error_position();
        match err {
            XmlError::Io(io) => classify_io(&self.file, &io),
            XmlError::Syntax(
                s @ (SyntaxError::UnclosedTag
                | SyntaxError::UnclosedCData
                | SyntaxError::UnclosedComment
                | SyntaxError::UnclosedPI
                | SyntaxError::UnclosedXmlDecl
                | SyntaxError::UnclosedDoctype
                | SyntaxError::UnclosedSingleQuotedAttributeValue
                | SyntaxError::UnclosedDoubleQuotedAttributeValue),
            ) => RepodataError::truncated(&self.file, format!("at byte {pos}: {s}")),
            other => RepodataError::malformed(&self.file, pos, other.to_string()),
        }
    }

    /// Gives back the input stream (e.g. to finish checksum verification).
    pub(crate) fn into_inner(self) -> R {
        self.reader.into_inner()
    }
}

/// Appends a text event's content (EOLs normalised as XML 1.0 requires).
pub(crate) fn push_text(out: &mut String, text: &BytesText<'_>) {
    out.push_str(&text.xml10_content());
}

/// Appends the replacement of an entity or character reference.
pub(crate) fn push_ref(out: &mut String, reference: &BytesRef<'_>) -> Result<(), String> {
    match reference.resolve_char_ref() {
        Ok(Some(ch)) => {
            out.push(ch);
            Ok(())
        }
        Ok(None) => match resolve_predefined_entity(reference) {
            Some(s) => {
                out.push_str(s);
                Ok(())
            }
            None => Err(format!("unknown entity &{};", &**reference)),
        },
        Err(e) => Err(format!("bad character reference &{};: {e}", &**reference)),
    }
}

/// Calls `f(local_name, value)` for every attribute of `start`, values unescaped and
/// normalised. Errors are reported through `xml` at the current position.
pub(crate) fn for_each_attr<'e, R: BufRead>(
    xml: &XmlStream<R>,
    start: &'e BytesStart<'_>,
    mut f: impl FnMut(&str, Cow<'e, str>) -> Result<(), RepodataError>,
) -> Result<(), RepodataError> {
    for attr in start.attributes().with_checks(false) {
        let attr = attr.map_err(|e| xml.malformed(format!("bad attribute: {e}")))?;
        let value = if attr.value.bytes().any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r')) {
            attr.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| xml.malformed(format!("bad attribute value: {e}")))?
        } else {
            attr.value.clone()
        };
        f(attr.key.local_name().as_ref(), value)?;
    }
    Ok(())
}

/// Local name of an element (prefix stripped: `rpm:entry` → `entry`).
pub(crate) fn local<'a>(start: &'a BytesStart<'_>) -> &'a str {
    local_end(start.name().into_inner())
}

/// Local name of an end tag (after the first `:`; XML names have at most one).
pub(crate) fn local_end(name: &str) -> &str {
    // Names are short: a plain loop beats a memrchr call here.
    match name.bytes().position(|b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// Converts a `Cow<str>` into a compact owned string.
pub(crate) fn boxed(value: Cow<'_, str>) -> Box<str> {
    match value {
        Cow::Borrowed(s) => Box::from(s),
        Cow::Owned(s) => s.into_boxed_str(),
    }
}
