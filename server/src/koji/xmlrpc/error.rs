//! Error types of the XML-RPC codec: wire-level decoding errors ([`XmlRpcError`]) and
//! typed-conversion errors ([`ConversionError`]).
//!
//! Pure data: no IO, and nothing here may panic on any input.

use std::fmt;

/// A place in a decoded document: byte offset plus 1-based line and column (columns count
/// characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Byte offset from the start of the body.
    pub offset: usize,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
}

impl Position {
    /// Computes line and column of byte `offset` in `text` (clamped to the text's length).
    pub fn in_text(text: &str, offset: usize) -> Self {
        let mut offset = offset.min(text.len());
        while offset > 0 && !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Position { offset, line, column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {} (byte {})", self.line, self.column, self.offset)
    }
}

/// Everything that can go wrong while decoding an XML-RPC document.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum XmlRpcError {
    /// The body is larger than [`Limits::max_body_bytes`](super::Limits::max_body_bytes).
    #[error("XML-RPC body too big: {size} bytes, limit is {limit}")]
    TooBig {
        /// Size of the rejected body.
        size: usize,
        /// Configured limit.
        limit: usize,
    },
    /// Arrays/structs are nested deeper than [`Limits::max_depth`](super::Limits::max_depth).
    #[error("XML-RPC value nested too deeply at {position}: limit is {limit} levels")]
    TooDeep {
        /// Where the offending container starts.
        position: Position,
        /// Configured limit.
        limit: usize,
    },
    /// The body is not UTF-8 text.
    #[error("XML-RPC body is not valid UTF-8 (first bad byte at offset {offset})")]
    NotUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The body is not an XML-RPC document at all (empty, plain text, an HTML error page,
    /// or XML with a different root element).
    #[error("not an XML-RPC document ({reason}); body starts with: {snippet:?}")]
    NotXmlRpc {
        /// Why it was rejected, e.g. `HTML page` or `root element is <foo>`.
        reason: String,
        /// The first ~200 characters of the body, whitespace collapsed.
        snippet: String,
    },
    /// The XML itself is malformed (syntax error, mismatched tags, truncated document, …).
    #[error("malformed XML at {position}: {message}")]
    MalformedXml {
        /// Where the XML parser stopped.
        position: Position,
        /// The XML parser's description.
        message: String,
    },
    /// A DTD or another XML construct that XML-RPC (and Koji's defusedxml) forbids.
    #[error("forbidden XML construct at {position}: {what}")]
    Forbidden {
        /// Where it was found.
        position: Position,
        /// What it is.
        what: String,
    },
    /// An entity reference other than the five predefined ones or a valid character reference.
    #[error("bad entity or character reference &{name}; at {position}")]
    BadEntity {
        /// Where it was found.
        position: Position,
        /// The reference without `&` and `;`.
        name: String,
    },
    /// An element that the XML-RPC grammar does not allow at this place.
    #[error("unexpected element <{found}> at {position}, expected {expected}")]
    UnexpectedElement {
        /// Where it was found.
        position: Position,
        /// Its (local) name.
        found: String,
        /// What the grammar allows here.
        expected: String,
    },
    /// A closing tag (or the end of the document) where something else was required.
    #[error("unexpected {found} at {position}, expected {expected}")]
    UnexpectedEnd {
        /// Where it was found.
        position: Position,
        /// `</name>` or `end of document`.
        found: String,
        /// What the grammar requires here.
        expected: String,
    },
    /// Non-whitespace text where the grammar allows only elements.
    #[error("unexpected text {text:?} at {position}")]
    UnexpectedText {
        /// Where it was found.
        position: Position,
        /// The text (shortened).
        text: String,
    },
    /// An `<int>`/`<i4>`/`<i8>`/… whose text is not an integer that fits in i64.
    #[error("bad integer {text:?} at {position}")]
    BadInt {
        /// Where the value ends.
        position: Position,
        /// The text (shortened).
        text: String,
    },
    /// A `<boolean>` that is neither `0` nor `1`.
    #[error("bad boolean {text:?} at {position}")]
    BadBool {
        /// Where the value ends.
        position: Position,
        /// The text (shortened).
        text: String,
    },
    /// A `<double>` that is not a number.
    #[error("bad double {text:?} at {position}")]
    BadDouble {
        /// Where the value ends.
        position: Position,
        /// The text (shortened).
        text: String,
    },
    /// A `<base64>` that does not decode.
    #[error("bad base64 at {position}: {message}")]
    BadBase64 {
        /// Where the value ends.
        position: Position,
        /// The decoder's description.
        message: String,
    },
    /// A `<dateTime.iso8601>` in none of the accepted forms.
    #[error("bad dateTime.iso8601 {text:?} at {position}")]
    BadDateTime {
        /// Where the value ends.
        position: Position,
        /// The text (shortened).
        text: String,
    },
    /// A `<fault>` whose value is not a struct with an integer `faultCode` and a string
    /// `faultString`.
    #[error("malformed fault: {reason}")]
    MalformedFault {
        /// What is wrong with it.
        reason: String,
    },
    /// A multicall request or result that does not have the documented shape.
    #[error("malformed multicall entry {index}: {reason}")]
    MalformedMulticall {
        /// 0-based index of the offending entry.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
}

/// A typed conversion of a [`Value`](super::Value) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: expected {expected}, found {found}", if path.is_empty() { "value" } else { path.as_str() })]
pub struct ConversionError {
    /// Where in the value: struct fields joined by `.`, array indices as `[i]`; empty = root.
    pub path: String,
    /// What was expected (e.g. "int", "string", "struct field").
    pub expected: String,
    /// What was there instead (a type name, "missing", or a description).
    pub found: String,
}

impl ConversionError {
    /// A conversion error at the root of the value.
    pub fn new(expected: impl Into<String>, found: impl Into<String>) -> Self {
        ConversionError { path: String::new(), expected: expected.into(), found: found.into() }
    }

    /// Prefixes the error's path with a struct field name.
    pub fn in_field(mut self, field: &str) -> Self {
        self.path = if self.path.is_empty() {
            field.to_string()
        } else if self.path.starts_with('[') {
            format!("{field}{}", self.path)
        } else {
            format!("{field}.{}", self.path)
        };
        self
    }

    /// Prefixes the error's path with an array index.
    pub fn in_index(mut self, index: usize) -> Self {
        self.path = if self.path.is_empty() || self.path.starts_with('[') {
            format!("[{index}]{}", self.path)
        } else {
            format!("[{index}].{}", self.path)
        };
        self
    }
}

/// Shortens `text` to at most `max` characters (appending `…`), for error messages.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}
