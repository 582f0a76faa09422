//! Shared code of the cargo-fuzz targets for Koschei's XML-RPC codec.
//!
//! The codec is compiled in from its source files in the server crate (`#[path]`), so the
//! fuzzers exercise exactly the code `koschei::koji::xmlrpc` is built from, without
//! building (and instrumenting) the whole server crate with its database, HTTP and TLS
//! stack; the module is pure and has no references to the rest of the crate. This crate
//! must not contain codec logic of its own: only helpers that drive the codec and compare
//! its results.

#[path = "../../server/src/koji/xmlrpc/mod.rs"]
pub mod xmlrpc;

use xmlrpc::{DateTime, FromValue, Value};

/// Structural equality in which doubles compare by bit pattern, except that any two NaNs
/// are equal (the wire form `nan` does not carry a NaN's sign or payload). So `0.0` and
/// `-0.0` differ, as they should after a round trip.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => {
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q))
        }
        (Value::Struct(x), Value::Struct(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|((kp, p), (kq, q))| kp == kq && same_value(p, q))
        }
        _ => a == b,
    }
}

/// Runs the typed-conversion layer and the date-time parser over a decoded value (what
/// the typed Koji API does with hub answers). Results are ignored: only panics matter.
pub fn exercise(value: &Value) {
    let _ = xmlrpc::decode_multicall_result(value);
    let _ = Option::<Vec<std::collections::BTreeMap<String, Value>>>::from_value(value);
    let _ = Vec::<String>::from_value(value);
    let _ = xmlrpc::Fault::from_value(value);
    let mut stack = vec![value];
    let mut seen = 0usize;
    while let Some(v) = stack.pop() {
        seen += 1;
        if seen > 10_000 {
            break;
        }
        let _ = i32::from_value(v);
        let _ = u64::from_value(v);
        let _ = f64::from_value(v);
        let _ = DateTime::from_value(v);
        let _ = xmlrpc::Bytes::from_value(v);
        match v {
            Value::String(s) => {
                let _ = DateTime::parse(s);
            }
            Value::Array(items) => stack.extend(items),
            Value::Struct(members) => {
                if let Some(id) = members.keys().next() {
                    let _ = xmlrpc::field::<Option<i64>>(members, id);
                }
                stack.extend(members.values());
            }
            _ => {}
        }
    }
}
