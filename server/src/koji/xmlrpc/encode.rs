//! Serialisation of [`Value`]s into XML-RPC documents (`methodCall`, `methodResponse`,
//! fault responses), in the dialect Koji's hub writes.
//!
//! Pure string building: no IO. Encoding is infallible; see [`escape_into`] for how
//! characters that XML 1.0 cannot carry are written.

use std::fmt::Write as _;

use base64::Engine as _;

use super::value::{Fault, Struct, Value};

const XML_DECL: &str = "<?xml version=\"1.0\"?>\n";

/// A `<methodCall>` document for `method(params…)`.
pub fn encode_call(method: &str, params: &[Value]) -> String {
    let mut out = String::with_capacity(128);
    out.push_str(XML_DECL);
    out.push_str("<methodCall>\n<methodName>");
    escape_into(&mut out, method);
    out.push_str("</methodName>\n<params>\n");
    for param in params {
        out.push_str("<param>");
        encode_value_into(&mut out, param);
        out.push_str("</param>\n");
    }
    out.push_str("</params>\n</methodCall>\n");
    out
}

/// A successful `<methodResponse>` carrying `value`.
pub fn encode_response(value: &Value) -> String {
    let mut out = String::with_capacity(128);
    out.push_str(XML_DECL);
    out.push_str("<methodResponse>\n<params>\n<param>");
    encode_value_into(&mut out, value);
    out.push_str("</param>\n</params>\n</methodResponse>\n");
    out
}

/// A fault `<methodResponse>`: struct `faultCode`, `faultString` plus `extra` members
/// (extras named `faultCode`/`faultString` are ignored).
pub fn encode_fault(code: i64, string: &str, extra: &Struct) -> String {
    let fault = Fault { code, string: string.to_string(), extra: extra.clone() };
    encode_fault_value(&fault)
}

/// Same as [`encode_fault`], from a [`Fault`].
pub fn encode_fault_value(fault: &Fault) -> String {
    let mut out = String::with_capacity(256);
    out.push_str(XML_DECL);
    out.push_str("<methodResponse>\n<fault>\n");
    encode_value_into(&mut out, &fault.to_value());
    out.push_str("\n</fault>\n</methodResponse>\n");
    out
}

/// Appends `<value>…</value>` for `value`. Ints that fit in 32 bits are written as
/// `<int>`, larger ones as `<i8>` (as Koji's hub does); doubles use the shortest text
/// that reads back exactly (`nan`, `inf`, `-inf` for non-finite values, which Python reads).
/// Recursion depth equals the value's nesting depth.
pub fn encode_value_into(out: &mut String, value: &Value) {
    out.push_str("<value>");
    match value {
        Value::Nil => out.push_str("<nil/>"),
        Value::Bool(b) => {
            out.push_str(if *b { "<boolean>1</boolean>" } else { "<boolean>0</boolean>" });
        }
        Value::Int(i) => {
            let tag = if i32::try_from(*i).is_ok() { "int" } else { "i8" };
            let _ = write!(out, "<{tag}>{i}</{tag}>");
        }
        Value::Double(d) => {
            out.push_str("<double>");
            push_double(out, *d);
            out.push_str("</double>");
        }
        Value::String(s) => {
            out.push_str("<string>");
            escape_into(out, s);
            out.push_str("</string>");
        }
        Value::DateTime(dt) => {
            let _ = write!(out, "<dateTime.iso8601>{dt}</dateTime.iso8601>");
        }
        Value::Base64(bytes) => {
            out.push_str("<base64>");
            base64::engine::general_purpose::STANDARD.encode_string(bytes, out);
            out.push_str("</base64>");
        }
        Value::Array(items) => {
            out.push_str("<array><data>\n");
            for item in items {
                encode_value_into(out, item);
                out.push('\n');
            }
            out.push_str("</data></array>");
        }
        Value::Struct(members) => {
            out.push_str("<struct>\n");
            for (name, member) in members {
                out.push_str("<member>\n<name>");
                escape_into(out, name);
                out.push_str("</name>\n");
                encode_value_into(out, member);
                out.push_str("\n</member>\n");
            }
            out.push_str("</struct>");
        }
    }
    out.push_str("</value>");
}

fn push_double(out: &mut String, d: f64) {
    if d.is_nan() {
        out.push_str("nan");
    } else if d.is_infinite() {
        out.push_str(if d > 0.0 { "inf" } else { "-inf" });
    } else {
        let start = out.len();
        let _ = write!(out, "{d}");
        if !out[start..].contains('.') {
            out.push_str(".0");
        }
    }
}

/// Appends `text` with `&`, `<`, `>` escaped. `\r` and the other C0 control characters
/// except `\t` and `\n` are written as numeric character references (`&#13;`), so they
/// survive XML line-end normalisation; strict XML 1.0 parsers (expat) reject references to
/// control characters other than `\r`, and every parser rejects `&#0;`, so a NUL cannot
/// be transported (Koji strips such characters anyway).
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "&#{};", c as u32);
            }
            c => out.push(c),
        }
    }
}
