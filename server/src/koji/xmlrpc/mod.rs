//! Koji's XML-RPC dialect as a pure codec: values, documents, faults, keyword arguments
//! (`__starstar`) and multicall, plus a small typed-conversion layer ([`FromValue`]).
//!
//! Supported beyond plain XML-RPC (koji-api.md §3): `<nil/>` (also `<ex:nil/>`: element
//! namespace prefixes are ignored), `<i8>` (and `<i1>`, `<i2>`, `<biginteger>` on input),
//! untyped text in `<value>` as a string, CDATA, faults with extra members (`traceback`).
//!
//! This module must stay pure: no IO, no async, no HTTP client, no references to other
//! modules of the crate. Transport, sessions and the typed Koji API live elsewhere and
//! build on it. Decoding never panics on any input; its resource use is bounded by
//! [`Limits`] (body size; nesting depth is tracked on the heap, not the stack).
//!
//! Date-times: [`DateTime`] is a plain, validated (naive unless the text has an offset)
//! date-time of its own — see its docs for the accepted forms.

mod convert;
mod decode;
mod encode;
mod error;
mod value;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod replay_tests;
#[cfg(test)]
mod tests;

pub use convert::{Bytes, FromValue, field};
pub use decode::{decode_call_with, decode_response_with};
pub use encode::{
    encode_call, encode_fault, encode_fault_value, encode_response, encode_value_into, escape_into,
};
pub use error::{ConversionError, Position, XmlRpcError};
pub use value::{DateTime, Fault, Struct, Value};

/// Resource limits for decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted body in bytes (default 64 MiB; Koji's hub accepts 4 MiB requests).
    pub max_body_bytes: usize,
    /// Deepest accepted nesting of arrays/structs (default 64): `[[1]]` has depth 2.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_body_bytes: 64 * 1024 * 1024, max_depth: 64 }
    }
}

/// [`decode_call_with`] under the default [`Limits`].
pub fn decode_call(body: &[u8]) -> Result<(String, Vec<Value>), XmlRpcError> {
    decode_call_with(body, &Limits::default())
}

/// [`decode_response_with`] under the default [`Limits`]: `Ok(Ok(value))` for a result,
/// `Ok(Err(fault))` for a fault response, `Err` if the body is not a valid XML-RPC
/// response. Never panics.
pub fn decode_response(body: &[u8]) -> Result<Result<Value, Fault>, XmlRpcError> {
    decode_response_with(body, &Limits::default())
}

/// Name of the struct member that marks Koji's keyword-argument struct.
pub const STARSTAR: &str = "__starstar";

/// Koji's own multicall method name (what `koji.ClientSession.multiCall` sends).
pub const MULTICALL: &str = "multiCall";

/// The standard alias of [`MULTICALL`], accepted by the hub with the same semantics.
pub const SYSTEM_MULTICALL: &str = "system.multicall";

/// Builds Koji's keyword-argument struct (`{"__starstar": true, …kwargs}`), to be passed as
/// the last parameter. Prefer [`push_kwargs`], which omits it when there are none.
pub fn kwargs_struct<K, V, I>(kwargs: I) -> Value
where
    K: Into<String>,
    V: Into<Value>,
    I: IntoIterator<Item = (K, V)>,
{
    let mut members: Struct = kwargs.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    members.insert(STARSTAR.to_string(), Value::Bool(true));
    Value::Struct(members)
}

/// Appends the keyword-argument struct to `params` when `kwargs` is not empty (as
/// `koji.encode_args` does).
pub fn push_kwargs(params: &mut Vec<Value>, kwargs: Struct) {
    if !kwargs.is_empty() {
        params.push(kwargs_struct(kwargs));
    }
}

/// Splits decoded parameters into positional arguments and keyword arguments (as
/// `koji.decode_args` does): if the last parameter is a struct whose `__starstar` is true
/// (or a non-zero int), it is removed and returned without that member.
pub fn split_kwargs(mut params: Vec<Value>) -> (Vec<Value>, Struct) {
    let is_kwargs = matches!(
        params.last().and_then(|v| v.get(STARSTAR)),
        Some(Value::Bool(true) | Value::Int(1.. | ..=-1))
    );
    if is_kwargs && let Some(Value::Struct(mut kwargs)) = params.pop() {
        kwargs.remove(STARSTAR);
        return (params, kwargs);
    }
    (params, Struct::new())
}

/// One call inside a multicall: method name and its encoded parameters (keyword arguments
/// already appended with [`push_kwargs`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Method name.
    pub method: String,
    /// Parameters, possibly ending in a kwargs struct.
    pub params: Vec<Value>,
}

impl Call {
    /// A call with the given parameters.
    pub fn new(method: impl Into<String>, params: Vec<Value>) -> Self {
        Call { method: method.into(), params }
    }
}

/// The parameter list of a multicall: one array of `{methodName, params}` structs.
/// Send it with `encode_call(MULTICALL, &multicall_params(&calls))`.
pub fn multicall_params(calls: &[Call]) -> Vec<Value> {
    let entries = calls
        .iter()
        .map(|c| {
            let mut members = Struct::new();
            members.insert("methodName".to_string(), Value::String(c.method.clone()));
            members.insert("params".to_string(), Value::Array(c.params.clone()));
            Value::Struct(members)
        })
        .collect();
    vec![Value::Array(entries)]
}

/// Reads the parameters of a decoded multicall request back into calls (for the hub
/// simulator).
pub fn decode_multicall_params(params: &[Value]) -> Result<Vec<Call>, XmlRpcError> {
    let bad = |index, reason: String| XmlRpcError::MalformedMulticall { index, reason };
    let [Value::Array(entries)] = params else {
        return Err(bad(0, "multicall takes exactly one array parameter".to_string()));
    };
    entries
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let Some(members) = entry.as_struct() else {
                return Err(bad(i, format!("entry is {}, not a struct", entry.type_name())));
            };
            let method = match members.get("methodName") {
                Some(Value::String(m)) => m.clone(),
                _ => return Err(bad(i, "methodName missing or not a string".to_string())),
            };
            let params = match members.get("params") {
                Some(Value::Array(p)) => p.clone(),
                None => Vec::new(),
                Some(other) => return Err(bad(i, format!("params is {}", other.type_name()))),
            };
            Ok(Call { method, params })
        })
        .collect()
}

/// Splits a multicall result into per-call outcomes: a one-element array is a success,
/// a fault struct (`faultCode`, `faultString`, maybe `traceback`) a failure.
pub fn decode_multicall_result(result: &Value) -> Result<Vec<Result<Value, Fault>>, XmlRpcError> {
    let Value::Array(items) = result else {
        return Err(XmlRpcError::MalformedMulticall {
            index: 0,
            reason: format!("result is {}, not an array", result.type_name()),
        });
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| match item {
            Value::Array(one) if one.len() == 1 => Ok(Ok(one[0].clone())),
            Value::Struct(_) => {
                Fault::from_value(item).map(Err).ok_or_else(|| XmlRpcError::MalformedMulticall {
                    index,
                    reason: "struct without int faultCode and string faultString".to_string(),
                })
            }
            other => Err(XmlRpcError::MalformedMulticall {
                index,
                reason: match other {
                    Value::Array(a) => format!("array of {} elements, expected 1", a.len()),
                    v => format!("{}, expected a one-element array or a fault", v.type_name()),
                },
            }),
        })
        .collect()
}

/// Builds a multicall result value from per-call outcomes (for the hub simulator).
pub fn encode_multicall_result(outcomes: &[Result<Value, Fault>]) -> Value {
    Value::Array(
        outcomes
            .iter()
            .map(|o| match o {
                Ok(v) => Value::Array(vec![v.clone()]),
                Err(f) => f.to_value(),
            })
            .collect(),
    )
}
