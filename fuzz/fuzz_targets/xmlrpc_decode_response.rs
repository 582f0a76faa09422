//! Arbitrary bytes as an XML-RPC `methodResponse` body (what the client reads from a hub):
//! decoding must return a value, a fault or an error, never panic, under the default
//! limits and under tight ones; decoded values then go through the conversion layer.
#![no_main]

use koschei_fuzz::xmlrpc::{Limits, decode_response, decode_response_with};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(outcome) = decode_response(data) {
        match outcome {
            Ok(value) => koschei_fuzz::exercise(&value),
            Err(fault) => {
                let _ = fault.to_string();
                koschei_fuzz::exercise(&fault.to_value());
            }
        }
    }
    let tight = Limits { max_body_bytes: 2048, max_depth: 3 };
    if let Err(e) = decode_response_with(data, &tight) {
        let _ = e.to_string();
    }
});
