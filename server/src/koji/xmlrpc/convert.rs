//! Typed reading of decoded [`Value`]s: the [`FromValue`] trait and struct-field helpers
//! whose errors name the offending field (`tasks[3].request: expected array, found nil`).
//!
//! Conversions only; no Koji-specific types live here (the typed Koji API builds on this).

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use super::error::ConversionError;
use super::value::{DateTime, Struct, Value};

/// Conversion from a decoded XML-RPC value.
pub trait FromValue: Sized {
    /// Converts `value`, or says what was expected.
    fn from_value(value: &Value) -> Result<Self, ConversionError>;

    /// The result for an absent struct member: an error, except for `Option` (→ `None`).
    fn from_missing() -> Result<Self, ConversionError> {
        Err(ConversionError::new("a value", "missing"))
    }
}

fn mismatch(expected: &str, value: &Value) -> ConversionError {
    ConversionError::new(expected, value.type_name())
}

impl FromValue for Value {
    fn from_value(value: &Value) -> Result<Self, ConversionError> {
        Ok(value.clone())
    }
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Result<Self, ConversionError> {
        value.as_i64().ok_or_else(|| mismatch("int", value))
    }
}

impl FromValue for i32 {
    fn from_value(value: &Value) -> Result<Self, ConversionError> {
        let wide = i64::from_value(value)?;
        i32::try_from(wide).map_err(|_| ConversionError::new("32-bit int", wide.to_string()))
    }
}

impl FromValue for u64 {
    fn from_value(value: &Value) -> Result<Self, ConversionError> {
        let wide = i64::from_value(value)?;
        u64::try_from(wide).map_err(|_| ConversionError::new("non-negative int", wide.to_string()))
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Result<Self, ConversionError> {
        value.as_bool().ok_or_else(|| mismatch("boolean", value))
    }
}

impl FromValue for f64 {
    /// Accepts a double, and an int (Python sends `4` where a float is `4.0` at times).
    fn from_value(value: &Value) -> Result<Self, ConversionError> {
        value.as_f64().ok_or_else(|| mismatch("double", value))
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Result<Self, ConversionError> {
        value.as_str().map(str::to_string).ok_or_else(|| mismatch("string", value))
    }
}

impl FromValue for DateTime {
    fn from_value(value: &Value) -> Result<Self, ConversionError> {
        match value {
            Value::DateTime(dt) => Ok(*dt),
            _ => Err(mismatch("dateTime.iso8601", value)),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    /// `<nil/>` → `None`, anything else → `Some(T)`.
    fn from_value(value: &Value) -> Result<Self, ConversionError> {
        match value {
            Value::Nil => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }

    fn from_missing() -> Result<Self, ConversionError> {
        Ok(None)
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: &Value) -> Result<Self, ConversionError> {
        let items = value.as_array().ok_or_else(|| mismatch("array", value))?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| T::from_value(item).map_err(|e| e.in_index(i)))
            .collect()
    }
}

impl<T: FromValue, S: BuildHasher + Default> FromValue for HashMap<String, T, S> {
    fn from_value(value: &Value) -> Result<Self, ConversionError> {
        let members = value.as_struct().ok_or_else(|| mismatch("struct", value))?;
        members
            .iter()
            .map(|(k, v)| T::from_value(v).map(|t| (k.clone(), t)).map_err(|e| e.in_field(k)))
            .collect()
    }
}

impl<T: FromValue> FromValue for BTreeMap<String, T> {
    fn from_value(value: &Value) -> Result<Self, ConversionError> {
        let members = value.as_struct().ok_or_else(|| mismatch("struct", value))?;
        members
            .iter()
            .map(|(k, v)| T::from_value(v).map(|t| (k.clone(), t)).map_err(|e| e.in_field(k)))
            .collect()
    }
}

/// Raw bytes come from `<base64>`; a string is accepted too (its UTF-8 bytes).
pub struct Bytes(pub Vec<u8>);

impl FromValue for Bytes {
    fn from_value(value: &Value) -> Result<Self, ConversionError> {
        match value {
            Value::Base64(b) => Ok(Bytes(b.clone())),
            Value::String(s) => Ok(Bytes(s.as_bytes().to_vec())),
            _ => Err(mismatch("base64", value)),
        }
    }
}

impl Value {
    /// Converts the whole value to `T`.
    pub fn to<T: FromValue>(&self) -> Result<T, ConversionError> {
        T::from_value(self)
    }

    /// Converts struct member `name` to `T`; errors name the field. An absent member is
    /// an error unless `T` is an `Option` (→ `None`); a non-struct value is an error.
    pub fn field<T: FromValue>(&self, name: &str) -> Result<T, ConversionError> {
        let members = self.as_struct().ok_or_else(|| mismatch("struct", self))?;
        field(members, name)
    }
}

/// Converts member `name` of `members` to `T` (see [`Value::field`]).
pub fn field<T: FromValue>(members: &Struct, name: &str) -> Result<T, ConversionError> {
    match members.get(name) {
        Some(v) => T::from_value(v),
        None => T::from_missing(),
    }
    .map_err(|e| e.in_field(name))
}
