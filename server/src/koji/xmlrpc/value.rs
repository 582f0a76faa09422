//! The XML-RPC data model: [`Value`], [`DateTime`] and [`Fault`].
//!
//! Pure data types with cheap constructors and accessors; no IO, no encoding logic here.

use std::collections::BTreeMap;
use std::fmt;

/// Members of an XML-RPC `<struct>`. Sorted by key (Koji does not rely on member order);
/// a repeated member name keeps the last value, like Python's unmarshaller.
pub type Struct = BTreeMap<String, Value>;

/// One XML-RPC value, including Koji's `<nil/>` and `<i8>` extensions.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `<nil/>` (Python `None`).
    Nil,
    /// `<boolean>`.
    Bool(bool),
    /// `<int>`, `<i4>`, `<i8>` (and `<i1>`, `<i2>`, `<biginteger>` on input).
    Int(i64),
    /// `<double>`.
    Double(f64),
    /// `<string>` or untyped text directly inside `<value>`.
    String(String),
    /// `<dateTime.iso8601>`.
    DateTime(DateTime),
    /// `<base64>`.
    Base64(Vec<u8>),
    /// `<array>`.
    Array(Vec<Value>),
    /// `<struct>`.
    Struct(Struct),
}

impl Value {
    /// Short name of the value's XML-RPC type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "int",
            Value::Double(_) => "double",
            Value::String(_) => "string",
            Value::DateTime(_) => "dateTime.iso8601",
            Value::Base64(_) => "base64",
            Value::Array(_) => "array",
            Value::Struct(_) => "struct",
        }
    }

    /// Member `key` of a struct value; `None` if absent or if this is not a struct.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Struct(members) => members.get(key),
            _ => None,
        }
    }

    /// True for [`Value::Nil`].
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// The integer, if this is an int.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The boolean, if this is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is a double or an int (ints convert to f64).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Double(d) => Some(*d),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    /// The text, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The items, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members, if this is a struct.
    pub fn as_struct(&self) -> Option<&Struct> {
        match self {
            Value::Struct(members) => Some(members),
            _ => None,
        }
    }

    /// Builds a struct value from `(name, value)` pairs.
    pub fn structure<K, V, I>(members: I) -> Value
    where
        K: Into<String>,
        V: Into<Value>,
        I: IntoIterator<Item = (K, V)>,
    {
        Value::Struct(members.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(i64::from(v))
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(i64::from(v))
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Double(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::String(v)
    }
}
impl From<DateTime> for Value {
    fn from(v: DateTime) -> Self {
        Value::DateTime(v)
    }
}
impl From<Struct> for Value {
    fn from(v: Struct) -> Self {
        Value::Struct(v)
    }
}
impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Self {
        Value::Array(v.into_iter().map(Into::into).collect())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Nil, Into::into)
    }
}

/// An XML-RPC `<dateTime.iso8601>`: a calendar date and wall-clock time, optionally with a
/// fraction of a second and a UTC offset.
///
/// XML-RPC dates carry no zone; Koji sends `YYYYMMDDTHH:MM:SS` and never a zone, so
/// `offset_minutes` is normally `None` and the value is a *naive* local time. Koji's own
/// timestamps mostly travel as **strings** (`'2026-11-24 22:18:53.301047+00:00'`);
/// [`DateTime::parse`] reads those too.
///
/// Accepted by [`DateTime::parse`]: `YYYYMMDD` or `YYYY-MM-DD`, then `T` or one space, then
/// `HH:MM:SS` or `HHMMSS`, optional `.fraction` (1–9 digits), optional `Z`, `±HH:MM`,
/// `±HHMM` or `±HH`. Encoded as `YYYYMMDDTHH:MM:SS` plus `.ffffff` (or 9 digits) when the
/// fraction is non-zero and `+HH:MM` when an offset is present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    /// Year, 0–9999.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of month, 1–31 (checked against the month).
    pub day: u8,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–59.
    pub second: u8,
    /// Fraction of the second in nanoseconds, 0–999,999,999.
    pub nanosecond: u32,
    /// Offset from UTC in minutes, if the text carried one (`Z` = `Some(0)`).
    pub offset_minutes: Option<i16>,
}

impl DateTime {
    /// A naive date-time without fraction or offset; `None` if a field is out of range.
    pub fn new(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        let dt = DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanosecond: 0,
            offset_minutes: None,
        };
        dt.is_valid().then_some(dt)
    }

    /// True when every field is in range (see the field docs).
    pub fn is_valid(&self) -> bool {
        self.year <= 9999
            && (1..=12).contains(&self.month)
            && self.day >= 1
            && self.day <= days_in_month(self.year, self.month)
            && self.hour <= 23
            && self.minute <= 59
            && self.second <= 59
            && self.nanosecond <= 999_999_999
            && self.offset_minutes.is_none_or(|o| (-1439..=1439).contains(&o))
    }

    /// Parses the forms listed on the type; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.trim().as_bytes();
        let mut p = Cursor { b, i: 0 };
        let year = p.digits(4)? as u16;
        let dashed = p.eat(b'-');
        let month = p.digits(2)? as u8;
        if dashed && !p.eat(b'-') {
            return None;
        }
        let day = p.digits(2)? as u8;
        if !(p.eat(b'T') || p.eat(b' ')) {
            return None;
        }
        let hour = p.digits(2)? as u8;
        let colons = p.eat(b':');
        let minute = p.digits(2)? as u8;
        if colons && !p.eat(b':') {
            return None;
        }
        let second = p.digits(2)? as u8;
        let mut nanosecond = 0u32;
        if p.eat(b'.') || p.eat(b',') {
            let start = p.i;
            while p.i < b.len() && b[p.i].is_ascii_digit() {
                p.i += 1;
            }
            let frac = &b[start..p.i];
            if frac.is_empty() || frac.len() > 9 {
                return None;
            }
            for k in 0..9 {
                let digit = frac.get(k).map_or(0, |d| u32::from(d - b'0'));
                nanosecond = nanosecond * 10 + digit;
            }
        }
        let offset_minutes = if p.eat(b'Z') {
            Some(0)
        } else if p.i < b.len() && (b[p.i] == b'+' || b[p.i] == b'-') {
            let negative = b[p.i] == b'-';
            p.i += 1;
            let hours = p.digits(2)? as i16;
            let minutes = if p.i == b.len() {
                0
            } else {
                p.eat(b':');
                p.digits(2)? as i16
            };
            if minutes > 59 {
                return None;
            }
            let total = hours * 60 + minutes;
            Some(if negative { -total } else { total })
        } else {
            None
        };
        if p.i != b.len() {
            return None;
        }
        let dt = DateTime { year, month, day, hour, minute, second, nanosecond, offset_minutes };
        dt.is_valid().then_some(dt)
    }
}

impl fmt::Display for DateTime {
    /// The XML-RPC form: `YYYYMMDDTHH:MM:SS[.ffffff][+HH:MM]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}{:02}{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )?;
        if self.nanosecond != 0 {
            if self.nanosecond.is_multiple_of(1000) {
                write!(f, ".{:06}", self.nanosecond / 1000)?;
            } else {
                write!(f, ".{:09}", self.nanosecond)?;
            }
        }
        if let Some(offset) = self.offset_minutes {
            let sign = if offset < 0 { '-' } else { '+' };
            let abs = offset.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", abs / 60, abs % 60)?;
        }
        Ok(())
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn digits(&mut self, n: usize) -> Option<u32> {
        let chunk = self.b.get(self.i..self.i + n)?;
        let mut out = 0u32;
        for &d in chunk {
            if !d.is_ascii_digit() {
                return None;
            }
            out = out * 10 + u32::from(d - b'0');
        }
        self.i += n;
        Some(out)
    }
}

/// An XML-RPC fault: a failed call. Koji puts its exception class into `code` (1000
/// `GenericError`, 1005 `BuildError`, …, 1 for an unexpected exception).
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// `faultCode`.
    pub code: i64,
    /// `faultString`.
    pub string: String,
    /// Any other struct members, e.g. `traceback` (array of strings) on faults inside a
    /// multicall result.
    pub extra: Struct,
}

impl Fault {
    /// A fault without extra members.
    pub fn new(code: i64, string: impl Into<String>) -> Self {
        Fault { code, string: string.into(), extra: Struct::new() }
    }

    /// Adds an extra member (builder style).
    pub fn with_extra(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(name.into(), value.into());
        self
    }

    /// The fault as the struct that goes on the wire (`faultCode`, `faultString`, extras).
    /// Extra members named `faultCode`/`faultString` are overridden by the real ones.
    pub fn to_value(&self) -> Value {
        let mut members = self.extra.clone();
        members.insert("faultCode".to_string(), Value::Int(self.code));
        members.insert("faultString".to_string(), Value::String(self.string.clone()));
        Value::Struct(members)
    }

    /// Reads a fault struct; `None` unless it is a struct with an int `faultCode` and a
    /// string `faultString`.
    pub fn from_value(value: &Value) -> Option<Self> {
        let members = value.as_struct()?;
        let code = members.get("faultCode")?.as_i64()?;
        let string = members.get("faultString")?.as_str()?.to_string();
        let extra = members
            .iter()
            .filter(|(k, _)| *k != "faultCode" && *k != "faultString")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Some(Fault { code, string, extra })
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fault {}: {}", self.code, self.string)
    }
}

impl std::error::Error for Fault {}
