//! Conformance tests replaying the original Koschei's recorded Koji traffic
//! (koschei-tests.md §3) through the codec:
//! * vcrpy cassettes (`test/data/*.vcr.json`) hold raw XML-RPC bodies: every recorded request
//!   and response is decoded, compared with the independently decoded
//!   `derived/koji-calls-from-vcrpy-cassettes.json`, re-encoded and decoded again;
//! * KojiVCR YAML cassettes (`test/data/<Class>/<test>.yml`) hold parsed Python values: every
//!   entry is encoded as the call (kwargs as the `__starstar` struct) and the response or fault
//!   the hub would send, decoded back and compared; each cassette is also replayed as one
//!   `multiCall` and unrolled into per-call results.

use std::collections::BTreeSet;

use super::*;
use crate::koji::cassettes::{
    data_path, decode_ok, json_to_value, vcr_cassettes, yaml_cassettes, yaml_entries,
};

fn check_outcome_round_trip(outcome: &Result<Value, Fault>, context: &str) {
    let body = match outcome {
        Ok(v) => encode_response(v),
        Err(f) => encode_fault_value(f),
    };
    assert_eq!(&decode_ok(&body), outcome, "{context}");
}

#[test]
#[allow(clippy::print_stdout)] // the replay counts are part of the report
fn replay_kojivcr_yaml_cassettes() {
    let cassettes = yaml_cassettes();
    assert_eq!(cassettes.len(), 29, "KojiVCR cassettes found");
    let (mut calls, mut faults, mut multicall_items) = (0, 0, 0);
    let mut methods = BTreeSet::new();
    for path in &cassettes {
        let entries = yaml_entries(path);
        for (i, e) in entries.iter().enumerate() {
            let context = format!("{}[{i}] {}", path.display(), e.method);
            // The request as Koji's client encodes it.
            let mut params = e.args.clone();
            push_kwargs(&mut params, e.kwargs.clone());
            let body = encode_call(&e.method, &params);
            let (method, decoded) = decode_call(body.as_bytes()).unwrap();
            assert_eq!(method, e.method, "{context}");
            assert_eq!(decoded, params, "{context}");
            let (args, kwargs) = split_kwargs(decoded);
            assert_eq!(args, e.args, "{context}");
            assert_eq!(kwargs, e.kwargs, "{context}");
            // The response (value or fault).
            check_outcome_round_trip(&e.outcome, &context);
            calls += 1;
            faults += usize::from(e.outcome.is_err());
            methods.insert(e.method.clone());
        }
        if entries.is_empty() {
            continue;
        }
        // The whole cassette as one multiCall, unrolled again.
        let batch: Vec<Call> = entries
            .iter()
            .map(|e| {
                let mut params = e.args.clone();
                push_kwargs(&mut params, e.kwargs.clone());
                Call::new(e.method.clone(), params)
            })
            .collect();
        let body = encode_call(MULTICALL, &multicall_params(&batch));
        let (method, params) = decode_call(body.as_bytes()).unwrap();
        assert_eq!(method, MULTICALL);
        assert_eq!(decode_multicall_params(&params).unwrap(), batch, "{}", path.display());
        let outcomes: Vec<_> = entries.iter().map(|e| e.outcome.clone()).collect();
        let body = encode_response(&encode_multicall_result(&outcomes));
        let result = decode_ok(&body).unwrap();
        let unrolled = decode_multicall_result(&result).unwrap();
        assert_eq!(unrolled, outcomes, "{}", path.display());
        multicall_items += unrolled.len();
    }
    println!(
        "KojiVCR: {} cassettes, {calls} calls ({faults} faults), {} methods {methods:?}, \
         {multicall_items} multicall items",
        cassettes.len(),
        methods.len()
    );
    assert_eq!(calls, multicall_items);
    // Counted independently with PyYAML: 84 entries, 10 of them exceptions, 15 methods.
    assert_eq!((calls, faults), (84, 10));
    assert_eq!(methods.len(), 15, "{methods:?}");
}

#[test]
#[allow(clippy::print_stdout)] // the replay counts are part of the report
fn replay_vcrpy_http_cassettes() {
    let derived_text =
        std::fs::read_to_string(data_path("derived/koji-calls-from-vcrpy-cassettes.json")).unwrap();
    let derived: serde_json::Value = serde_json::from_str(&derived_text).unwrap();
    let derived = derived.as_object().unwrap();
    let files = vcr_cassettes();
    let (mut calls, mut others) = (0, 0);
    let mut methods = BTreeSet::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let cassette: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let interactions = cassette["interactions"].as_array().unwrap();
        let mut koji_index = 0;
        for (i, inter) in interactions.iter().enumerate() {
            let context = format!("{name}[{i}]");
            let uri = inter["request"]["uri"].as_str().unwrap();
            let response_body = inter["response"]["body"]["string"].as_str().unwrap();
            if !uri.ends_with("/kojihub") {
                // Copr/Pagure JSON: must be rejected as "not XML-RPC", not crash.
                let err = decode_response(response_body.as_bytes()).unwrap_err();
                assert!(matches!(err, XmlRpcError::NotXmlRpc { .. }), "{context}: {err}");
                others += 1;
                continue;
            }
            let expected = &derived[&name][koji_index];
            koji_index += 1;
            let request_body = inter["request"]["body"].as_str().unwrap();
            // Request: decode, compare with the derived decoding, round trip.
            let (method, params) = decode_call(request_body.as_bytes()).unwrap();
            assert_eq!(method, expected["method"].as_str().unwrap(), "{context}");
            let (args, kwargs) = split_kwargs(params.clone());
            let want_args = expected.get("args").map(json_to_value).unwrap_or(Value::Array(vec![]));
            let want_kwargs =
                expected.get("kwargs").map(json_to_value).unwrap_or(Value::Struct(Struct::new()));
            assert_eq!(Value::Array(args), want_args, "{context}");
            assert_eq!(Value::Struct(kwargs), want_kwargs, "{context}");
            let again = encode_call(&method, &params);
            assert_eq!(
                decode_call(again.as_bytes()).unwrap(),
                (method.clone(), params),
                "{context}"
            );
            // Response: decode, compare, round trip.
            let outcome = decode_ok(response_body);
            let want = match expected.get("fault") {
                Some(f) => Err(Fault::from_value(&json_to_value(f)).unwrap()),
                None => Ok(json_to_value(&expected["result"])),
            };
            assert_eq!(outcome, want, "{context}");
            check_outcome_round_trip(&outcome, &context);
            calls += 1;
            methods.insert(method);
        }
        if let Some(list) = derived.get(&name) {
            assert_eq!(koji_index, list.as_array().unwrap().len(), "{name}: derived entries");
        }
    }
    println!(
        "vcrpy: {} cassettes, {calls} Koji calls, {} methods {methods:?}, {others} non-Koji bodies rejected",
        files.len(),
        methods.len()
    );
    assert_eq!(calls, 14);
    assert_eq!(others, 4);
    let derived_calls: usize = derived.values().map(|v| v.as_array().unwrap().len()).sum();
    assert_eq!(calls, derived_calls);
}

#[test]
fn recorded_methods_cover_the_spec_inventory() {
    // koschei-tests.md §3.3: 15 distinct Koji methods in the recordings (YAML + vcrpy).
    let mut methods = BTreeSet::new();
    for path in yaml_cassettes() {
        methods.extend(yaml_entries(&path).into_iter().map(|e| e.method));
    }
    let derived: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data_path("derived/koji-calls-from-vcrpy-cassettes.json"))
            .unwrap(),
    )
    .unwrap();
    for calls in derived.as_object().unwrap().values() {
        for c in calls.as_array().unwrap() {
            methods.insert(c["method"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(methods.len(), 15, "{methods:?}");
}
