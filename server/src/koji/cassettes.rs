//! Test-only loaders of the original Koschei's recorded Koji traffic (koschei-tests.md
//! §3): KojiVCR YAML cassettes (parsed Python values, one entry per call) and vcrpy HTTP
//! cassettes (raw XML-RPC bodies) with their independently decoded JSON form.
//!
//! Shared by the codec's replay tests and the typed-API replay tests; nothing here is
//! compiled outside `cfg(test)`. Panics on malformed data (it is fixed test input).

use std::path::{Path, PathBuf};

use super::xmlrpc::{Fault, Struct, Value, decode_response};

pub const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/conformance/koschei");

pub fn data_path(rel: &str) -> PathBuf {
    Path::new(DATA).join(rel)
}

pub fn yaml_to_value(y: &serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match y {
        Y::Null => Value::Nil,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(f)) if n.is_f64() => Value::Double(f),
            _ => panic!("integer out of i64 range in cassette: {n}"),
        },
        Y::String(s) => Value::String(s.clone()),
        Y::Sequence(items) => Value::Array(items.iter().map(yaml_to_value).collect()),
        Y::Mapping(m) => Value::Struct(
            m.iter()
                .map(|(k, v)| {
                    let key = k.as_str().unwrap_or_else(|| panic!("non-string key {k:?}"));
                    (key.to_string(), yaml_to_value(v))
                })
                .collect(),
        ),
        Y::Tagged(t) => panic!("unexpected YAML tag {:?}", t.tag),
    }
}

pub fn json_to_value(j: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match j {
        J::Null => Value::Nil,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(f)) if n.is_f64() => Value::Double(f),
            _ => panic!("integer out of i64 range: {n}"),
        },
        J::String(s) => Value::String(s.clone()),
        J::Array(items) => Value::Array(items.iter().map(json_to_value).collect()),
        J::Object(m) => {
            Value::Struct(m.iter().map(|(k, v)| (k.clone(), json_to_value(v))).collect())
        }
    }
}

/// The fault Koji would send for a recorded exception (koschei-tests.md §0.3, §3.1).
pub fn exception_to_fault(exc: &Value) -> Fault {
    let class: String = exc.field::<Value>("type").unwrap().field("class").unwrap();
    let module: String = exc.field::<Value>("type").unwrap().field("module").unwrap();
    let args: Vec<Value> = exc.field("args").unwrap();
    if module == "xmlrpc.client" && class == "Fault" {
        return Fault::new(args[0].to::<i64>().unwrap(), args[1].to::<String>().unwrap());
    }
    assert_eq!(module, "koji", "unknown exception module");
    let code = match class.as_str() {
        "GenericError" => 1000,
        "LockError" => 1001,
        "AuthError" => 1002,
        "TagError" => 1003,
        "ActionNotAllowed" => 1004,
        "BuildError" => 1005,
        "AuthLockError" => 1006,
        "AuthExpired" => 1007,
        "SequenceError" => 1008,
        "RetryError" => 1009,
        "PreBuildError" => 1010,
        "PostBuildError" => 1011,
        "BuildrootError" => 1012,
        "FunctionDeprecated" => 1013,
        "ServerOffline" => 1014,
        other => panic!("unknown koji exception class {other}"),
    };
    Fault::new(code, args[0].to::<String>().unwrap())
}

pub fn decode_ok(body: &str) -> Result<Value, Fault> {
    decode_response(body.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{body}"))
}

/// Recorded Koji call in KojiVCR form.
pub struct Entry {
    /// Method name.
    pub method: String,
    /// Positional arguments.
    pub args: Vec<Value>,
    /// Keyword arguments.
    pub kwargs: Struct,
    /// Result or fault.
    pub outcome: Result<Value, Fault>,
}

pub fn yaml_entries(path: &Path) -> Vec<Entry> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let list = yaml_to_value(&doc);
    let items = list.as_array().unwrap_or_else(|| panic!("{path:?} is not a list"));
    items
        .iter()
        .map(|item| {
            let outcome = match (item.get("result"), item.get("exception")) {
                (_, Some(exc)) => Err(exception_to_fault(exc)),
                (Some(result), None) => Ok(result.clone()),
                (None, None) => panic!("entry without result or exception in {path:?}"),
            };
            Entry {
                method: item.field("method").unwrap(),
                args: item.field::<Option<Vec<Value>>>("args").unwrap().unwrap_or_default(),
                kwargs: item.field::<Option<Struct>>("kwargs").unwrap().unwrap_or_default(),
                outcome,
            }
        })
        .collect()
}

pub fn yaml_cassettes() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(data_path("test/data")).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            for f in std::fs::read_dir(&dir).unwrap() {
                let f = f.unwrap().path();
                if f.extension().is_some_and(|e| e == "yml") {
                    out.push(f);
                }
            }
        }
    }
    out.sort();
    out
}

/// One decoded vcrpy interaction with the Koji hub.
pub struct HttpEntry {
    /// Cassette file name.
    pub cassette: String,
    /// Raw request body.
    pub request_body: String,
    /// Raw response body.
    pub response_body: String,
}

/// The vcrpy cassette files (`test/data/*.vcr.json`), sorted.
pub fn vcr_cassettes() -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(data_path("test/data"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".vcr.json"))
        .collect();
    files.sort();
    files
}

/// The Koji interactions (URI ending in `/kojihub`) of all vcrpy cassettes, in order.
pub fn vcr_koji_entries() -> Vec<HttpEntry> {
    let mut out = Vec::new();
    for path in vcr_cassettes() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let cassette: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for inter in cassette["interactions"].as_array().unwrap() {
            if !inter["request"]["uri"].as_str().unwrap().ends_with("/kojihub") {
                continue;
            }
            out.push(HttpEntry {
                cassette: name.clone(),
                request_body: inter["request"]["body"].as_str().unwrap().to_string(),
                response_body: inter["response"]["body"]["string"].as_str().unwrap().to_string(),
            });
        }
    }
    out
}
