//! Arbitrary bytes as an XML-RPC `methodCall` body (what the hub simulator reads from a
//! client): decoding, keyword-argument splitting and multicall unpacking must never panic.
#![no_main]

use koschei_fuzz::xmlrpc::{
    Limits, decode_call, decode_call_with, decode_multicall_params, split_kwargs,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match decode_call(data) {
        Ok((_method, params)) => {
            let _ = decode_multicall_params(&params);
            for p in &params {
                koschei_fuzz::exercise(p);
            }
            let _ = split_kwargs(params);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    let tight = Limits { max_body_bytes: 2048, max_depth: 3 };
    let _ = decode_call_with(data, &tight);
});
