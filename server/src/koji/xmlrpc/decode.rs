//! Parsing of XML-RPC documents (`methodCall`, `methodResponse`) into [`Value`]s.
//!
//! Streaming (quick-xml), iterative (nesting depth costs heap, not stack), bounded by
//! [`Limits`]; every malformed input yields an [`XmlRpcError`], never a panic. No IO.

use std::borrow::Cow;

use base64::Engine as _;
use quick_xml::Reader;
use quick_xml::events::Event;

use super::Limits;
use super::error::{Position, XmlRpcError, shorten};
use super::value::{DateTime, Fault, Struct, Value};

/// Decodes a `<methodCall>` into the method name and its positional parameters (Koji
/// keyword arguments stay in the trailing struct; see [`split_kwargs`](super::split_kwargs)).
pub fn decode_call_with(body: &[u8], limits: &Limits) -> Result<(String, Vec<Value>), XmlRpcError> {
    let text = prepare(body, limits)?;
    let mut p = Parser::new(text, limits);
    p.root("methodCall")?;
    p.expect_start("methodName")?;
    let method = p.text_until_end("methodName")?;
    let mut params = Vec::new();
    match p.next_element()? {
        Tok::Start(name) if name == "params" => {
            loop {
                match p.next_element()? {
                    Tok::Start(name) if name == "param" => {
                        p.expect_start("value")?;
                        params.push(p.value()?);
                        p.expect_end("param")?;
                    }
                    Tok::End(name) if name == "params" => break,
                    other => return Err(p.unexpected(other, "<param> or </params>")),
                }
            }
            p.expect_end("methodCall")?;
        }
        Tok::End(name) if name == "methodCall" => {}
        other => return Err(p.unexpected(other, "<params> or </methodCall>")),
    }
    p.finish()?;
    Ok((method.trim().to_string(), params))
}

/// Decodes a `<methodResponse>`: `Ok(Ok(value))` for a result, `Ok(Err(fault))` for a fault.
pub fn decode_response_with(
    body: &[u8],
    limits: &Limits,
) -> Result<Result<Value, Fault>, XmlRpcError> {
    let text = prepare(body, limits)?;
    let mut p = Parser::new(text, limits);
    p.root("methodResponse")?;
    let result = match p.next_element()? {
        Tok::Start(name) if name == "params" => {
            p.expect_start("param")?;
            p.expect_start("value")?;
            let value = p.value()?;
            p.expect_end("param")?;
            p.expect_end("params")?;
            Ok(value)
        }
        Tok::Start(name) if name == "fault" => {
            p.expect_start("value")?;
            let value = p.value()?;
            p.expect_end("fault")?;
            let fault = Fault::from_value(&value).ok_or_else(|| XmlRpcError::MalformedFault {
                reason: describe_bad_fault(&value),
            })?;
            Err(fault)
        }
        other => return Err(p.unexpected(other, "<params> or <fault>")),
    };
    p.expect_end("methodResponse")?;
    p.finish()?;
    Ok(result)
}

fn describe_bad_fault(value: &Value) -> String {
    let Some(members) = value.as_struct() else {
        return format!("fault value is {}, not a struct", value.type_name());
    };
    match (members.get("faultCode"), members.get("faultString")) {
        (None, _) => "no faultCode member".to_string(),
        (Some(c), _) if c.as_i64().is_none() => format!("faultCode is {}", c.type_name()),
        (_, None) => "no faultString member".to_string(),
        (_, Some(s)) => format!("faultString is {}", s.type_name()),
    }
}

/// Size check, BOM removal, "is this even XML-RPC?" sniffing and UTF-8 validation.
fn prepare<'a>(body: &'a [u8], limits: &Limits) -> Result<&'a str, XmlRpcError> {
    if body.len() > limits.max_body_bytes {
        return Err(XmlRpcError::TooBig { size: body.len(), limit: limits.max_body_bytes });
    }
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Err(not_xmlrpc("empty body", body));
    };
    let head = &body[start..];
    if head[0] != b'<' {
        return Err(not_xmlrpc("not XML", body));
    }
    if starts_with_ignore_case(head, b"<!doctype html") || starts_with_ignore_case(head, b"<html") {
        return Err(not_xmlrpc("HTML page", body));
    }
    let text =
        std::str::from_utf8(body).map_err(|e| XmlRpcError::NotUtf8 { offset: e.valid_up_to() })?;
    // XML cannot carry U+0000 in any form (raw or as `&#0;`), so the encoder could never
    // write such a string back; expat rejects it too. (Found by the round-trip fuzzer.)
    if let Some(at) = text.bytes().position(|b| b == 0) {
        return Err(XmlRpcError::Forbidden {
            position: Position::in_text(text, at),
            what: "NUL character (U+0000)".to_string(),
        });
    }
    Ok(text)
}

fn starts_with_ignore_case(haystack: &[u8], prefix: &[u8]) -> bool {
    haystack.len() >= prefix.len() && haystack[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn not_xmlrpc(reason: &str, body: &[u8]) -> XmlRpcError {
    let head = &body[..body.len().min(1024)];
    let text = String::from_utf8_lossy(head);
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    XmlRpcError::NotXmlRpc { reason: reason.to_string(), snippet: shorten(&collapsed, 200) }
}

/// Simplified XML tokens: element names have their namespace prefix stripped (Python's
/// unmarshaller does the same, e.g. `<ex:nil/>`); adjacent text, CDATA and references
/// are merged into one `Text`.
#[derive(Debug)]
enum Tok {
    Start(String),
    End(String),
    Text(String),
    Eof,
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

struct Parser<'a> {
    text: &'a str,
    reader: Reader<&'a [u8]>,
    /// An event (and its start offset) read while merging text, to be returned next.
    pending: Option<(Event<'a>, usize)>,
    /// Start offset of the most recent token (for error positions).
    token_pos: usize,
    max_depth: usize,
}

/// A container being filled while parsing nested values.
enum Frame {
    Array(Vec<Value>),
    Struct(Struct, String),
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, limits: &Limits) -> Self {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        config.trim_text(false);
        Parser { text, reader, pending: None, token_pos: 0, max_depth: limits.max_depth }
    }

    fn pos_at(&self, offset: usize) -> Position {
        Position::in_text(self.text, offset)
    }

    fn pos(&self) -> Position {
        self.pos_at(self.token_pos)
    }

    fn reader_offset(&self) -> usize {
        usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX)
    }

    fn xml_error(&self, err: &quick_xml::Error) -> XmlRpcError {
        let offset = usize::try_from(self.reader.error_position()).unwrap_or(usize::MAX);
        XmlRpcError::MalformedXml { position: self.pos_at(offset), message: err.to_string() }
    }

    /// The next raw event and the offset where it starts.
    fn read_event(&mut self) -> Result<(Event<'a>, usize), XmlRpcError> {
        if let Some(pending) = self.pending.take() {
            return Ok(pending);
        }
        let at = self.reader_offset();
        match self.reader.read_event() {
            Ok(ev) => Ok((ev, at)),
            Err(e) => Err(self.xml_error(&e)),
        }
    }

    /// The next token, with text pieces merged.
    fn token(&mut self) -> Result<Tok, XmlRpcError> {
        let mut text: Option<String> = None;
        let mut text_pos = 0;
        loop {
            let (ev, ev_pos) = self.read_event()?;
            let piece: Cow<'_, str> = match ev {
                Event::Text(t) => t.xml10_content(),
                Event::CData(c) => c.xml10_content(),
                Event::GeneralRef(r) => Cow::Owned(self.resolve_ref(&r, ev_pos)?),
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) => continue,
                Event::DocType(d) => {
                    self.token_pos = ev_pos;
                    let body: &str = &d;
                    if body.trim_start().to_ascii_lowercase().starts_with("html") {
                        return Err(not_xmlrpc("HTML page", self.text.as_bytes()));
                    }
                    return Err(XmlRpcError::Forbidden {
                        position: self.pos(),
                        what: "document type declaration (DTD)".to_string(),
                    });
                }
                other @ (Event::Start(_) | Event::End(_) | Event::Empty(_) | Event::Eof) => {
                    if let Some(t) = text.take() {
                        self.pending = Some((other, ev_pos));
                        self.token_pos = text_pos;
                        return Ok(Tok::Text(t));
                    }
                    self.token_pos = ev_pos;
                    return Ok(match other {
                        Event::Start(e) | Event::Empty(e) => {
                            Tok::Start(local(e.name().as_ref()).to_string())
                        }
                        Event::End(e) => Tok::End(local(e.name().as_ref()).to_string()),
                        _ => Tok::Eof,
                    });
                }
            };
            match &mut text {
                Some(t) => t.push_str(&piece),
                None => {
                    text_pos = ev_pos;
                    text = Some(piece.into_owned());
                }
            }
        }
    }

    fn resolve_ref(
        &self,
        r: &quick_xml::events::BytesRef<'_>,
        at: usize,
    ) -> Result<String, XmlRpcError> {
        let name: &str = r;
        let bad = || XmlRpcError::BadEntity { position: self.pos_at(at), name: shorten(name, 40) };
        if r.is_char_ref() {
            return match r.resolve_char_ref() {
                Ok(Some(c)) => Ok(c.to_string()),
                _ => Err(bad()),
            };
        }
        quick_xml::escape::resolve_predefined_entity(name).map(str::to_string).ok_or_else(bad)
    }

    /// The next element token; whitespace is skipped, other text is an error.
    fn next_element(&mut self) -> Result<Tok, XmlRpcError> {
        loop {
            match self.token()? {
                Tok::Text(t) if t.trim().is_empty() => {}
                Tok::Text(t) => {
                    return Err(XmlRpcError::UnexpectedText {
                        position: self.pos(),
                        text: shorten(t.trim(), 60),
                    });
                }
                other => return Ok(other),
            }
        }
    }

    fn unexpected(&self, tok: Tok, expected: &str) -> XmlRpcError {
        let position = self.pos();
        let expected = expected.to_string();
        match tok {
            Tok::Start(found) => XmlRpcError::UnexpectedElement { position, found, expected },
            Tok::End(name) => {
                XmlRpcError::UnexpectedEnd { position, found: format!("</{name}>"), expected }
            }
            Tok::Eof => {
                XmlRpcError::UnexpectedEnd { position, found: "end of document".into(), expected }
            }
            Tok::Text(t) => XmlRpcError::UnexpectedText { position, text: shorten(&t, 60) },
        }
    }

    fn expect_start(&mut self, name: &str) -> Result<(), XmlRpcError> {
        match self.next_element()? {
            Tok::Start(n) if n == name => Ok(()),
            other => Err(self.unexpected(other, &format!("<{name}>"))),
        }
    }

    fn expect_end(&mut self, name: &str) -> Result<(), XmlRpcError> {
        match self.next_element()? {
            Tok::End(n) if n == name => Ok(()),
            other => Err(self.unexpected(other, &format!("</{name}>"))),
        }
    }

    /// Text content up to `</name>`; child elements are an error.
    fn text_until_end(&mut self, name: &str) -> Result<String, XmlRpcError> {
        let mut out = String::new();
        loop {
            match self.token()? {
                Tok::Text(t) => out.push_str(&t),
                Tok::End(n) if n == name => return Ok(out),
                other => return Err(self.unexpected(other, &format!("text or </{name}>"))),
            }
        }
    }

    /// Reads the root start tag and tells non-XML-RPC documents apart.
    fn root(&mut self, expected: &str) -> Result<(), XmlRpcError> {
        match self.next_element()? {
            Tok::Start(name) if name == expected => Ok(()),
            Tok::Start(name) if name.eq_ignore_ascii_case("html") => {
                Err(not_xmlrpc("HTML page", self.text.as_bytes()))
            }
            Tok::Start(name) if name == "methodCall" || name == "methodResponse" => {
                Err(self.unexpected(Tok::Start(name), &format!("<{expected}>")))
            }
            Tok::Start(name) => Err(not_xmlrpc(
                &format!("root element is <{}>", shorten(&name, 40)),
                self.text.as_bytes(),
            )),
            other => Err(self.unexpected(other, &format!("<{expected}>"))),
        }
    }

    /// After the root element: only whitespace, comments and PIs may follow.
    fn finish(&mut self) -> Result<(), XmlRpcError> {
        match self.next_element()? {
            Tok::Eof => Ok(()),
            other => Err(self.unexpected(other, "end of document")),
        }
    }

    /// Parses one value; the `<value>` start tag has been consumed, `</value>` is consumed.
    fn value(&mut self) -> Result<Value, XmlRpcError> {
        let mut stack: Vec<Frame> = Vec::new();
        'value: loop {
            // Just after a `<value>`: either a typed element or bare text.
            let mut bare = String::new();
            let mut done = loop {
                match self.token()? {
                    Tok::Text(t) => bare.push_str(&t),
                    Tok::End(n) if n == "value" => break Value::String(bare),
                    Tok::Start(tag) => {
                        if !bare.trim().is_empty() {
                            return Err(XmlRpcError::UnexpectedText {
                                position: self.pos(),
                                text: shorten(bare.trim(), 60),
                            });
                        }
                        match tag.as_str() {
                            "array" | "struct" => {
                                if stack.len() >= self.max_depth {
                                    return Err(XmlRpcError::TooDeep {
                                        position: self.pos(),
                                        limit: self.max_depth,
                                    });
                                }
                                if tag == "array" {
                                    self.expect_start("data")?;
                                    if self.array_next()? {
                                        stack.push(Frame::Array(Vec::new()));
                                        continue 'value;
                                    }
                                    self.expect_end("value")?;
                                    break Value::Array(Vec::new());
                                }
                                if let Some(name) = self.struct_next()? {
                                    stack.push(Frame::Struct(Struct::new(), name));
                                    continue 'value;
                                }
                                self.expect_end("value")?;
                                break Value::Struct(Struct::new());
                            }
                            _ => {
                                let v = self.scalar(&tag)?;
                                self.expect_end("value")?;
                                break v;
                            }
                        }
                    }
                    other => return Err(self.unexpected(other, "a typed value or </value>")),
                }
            };
            // `done` is complete (its `</value>` consumed); attach it to its parents.
            loop {
                match stack.last_mut() {
                    None => return Ok(done),
                    Some(Frame::Array(items)) => {
                        items.push(done);
                        if self.array_next()? {
                            continue 'value;
                        }
                    }
                    Some(Frame::Struct(members, name)) => {
                        members.insert(std::mem::take(name), done);
                        self.expect_end("member")?;
                        if let Some(next) = self.struct_next()? {
                            *name = next;
                            continue 'value;
                        }
                    }
                }
                // The container on top is closed (`</array>`/`</struct>` consumed).
                self.expect_end("value")?;
                done = match stack.pop() {
                    Some(Frame::Array(items)) => Value::Array(items),
                    Some(Frame::Struct(members, _)) => Value::Struct(members),
                    // Not reachable: the match above found a frame on top.
                    None => Value::Nil,
                };
            }
        }
    }

    /// Inside `<data>`: true after consuming a `<value>`, false after `</data></array>`.
    fn array_next(&mut self) -> Result<bool, XmlRpcError> {
        match self.next_element()? {
            Tok::Start(n) if n == "value" => Ok(true),
            Tok::End(n) if n == "data" => {
                self.expect_end("array")?;
                Ok(false)
            }
            other => Err(self.unexpected(other, "<value> or </data>")),
        }
    }

    /// Inside `<struct>`: `Some(name)` after consuming `<member><name>…</name><value>`,
    /// `None` after `</struct>`.
    fn struct_next(&mut self) -> Result<Option<String>, XmlRpcError> {
        match self.next_element()? {
            Tok::Start(n) if n == "member" => {
                self.expect_start("name")?;
                let name = self.text_until_end("name")?;
                self.expect_start("value")?;
                Ok(Some(name))
            }
            Tok::End(n) if n == "struct" => Ok(None),
            other => Err(self.unexpected(other, "<member> or </struct>")),
        }
    }

    /// A scalar element `<tag>…</tag>` whose start tag has been consumed.
    fn scalar(&mut self, tag: &str) -> Result<Value, XmlRpcError> {
        let known = matches!(
            tag,
            "nil"
                | "boolean"
                | "int"
                | "i1"
                | "i2"
                | "i4"
                | "i8"
                | "biginteger"
                | "double"
                | "string"
                | "dateTime.iso8601"
                | "base64"
        );
        if !known {
            return Err(XmlRpcError::UnexpectedElement {
                position: self.pos(),
                found: tag.to_string(),
                expected: "an XML-RPC type".to_string(),
            });
        }
        let text = self.text_until_end(tag)?;
        // Line/column are computed only when an error is reported (it costs a scan).
        let position = || self.pos();
        let short = || shorten(&text, 60);
        Ok(match tag {
            "nil" => {
                if !text.trim().is_empty() {
                    return Err(XmlRpcError::UnexpectedText {
                        position: position(),
                        text: short(),
                    });
                }
                Value::Nil
            }
            "boolean" => match text.trim() {
                "0" => Value::Bool(false),
                "1" => Value::Bool(true),
                _ => return Err(XmlRpcError::BadBool { position: position(), text: short() }),
            },
            "double" => match text.trim().parse::<f64>() {
                Ok(d) => Value::Double(d),
                Err(_) => {
                    return Err(XmlRpcError::BadDouble { position: position(), text: short() });
                }
            },
            "string" => Value::String(text),
            "dateTime.iso8601" => match DateTime::parse(&text) {
                Some(dt) => Value::DateTime(dt),
                None => {
                    return Err(XmlRpcError::BadDateTime { position: position(), text: short() });
                }
            },
            "base64" => {
                let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
                match BASE64.decode(&compact) {
                    Ok(bytes) => Value::Base64(bytes),
                    Err(e) => {
                        return Err(XmlRpcError::BadBase64 {
                            position: position(),
                            message: e.to_string(),
                        });
                    }
                }
            }
            // Every integer tag.
            _ => match parse_int(text.trim()) {
                Some(i) => Value::Int(i),
                None => return Err(XmlRpcError::BadInt { position: position(), text: short() }),
            },
        })
    }
}

/// Standard alphabet; padding optional on input (Python's decoder is lenient too).
const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// Decimal integer with optional sign, fitting in i64.
fn parse_int(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>().ok()
}
