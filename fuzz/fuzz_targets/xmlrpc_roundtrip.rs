//! Whatever decodes must survive encode → decode unchanged: a response value, a fault, or
//! a call (method name and parameters). Doubles compare by bits, any NaN equals any NaN
//! (see `koschei_fuzz::same_value`).
#![no_main]

use koschei_fuzz::same_value;
use koschei_fuzz::xmlrpc::{
    decode_call, decode_response, encode_call, encode_fault_value, encode_response,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match decode_response(data) {
        Ok(Ok(value)) => {
            let body = encode_response(&value);
            match decode_response(body.as_bytes()) {
                Ok(Ok(again)) => assert!(
                    same_value(&value, &again),
                    "response changed in a round trip:\n{value:?}\n{again:?}\n{body}"
                ),
                other => panic!("re-decoding {value:?} gave {other:?}\n{body}"),
            }
        }
        Ok(Err(fault)) => {
            let body = encode_fault_value(&fault);
            match decode_response(body.as_bytes()) {
                Ok(Err(again)) => assert!(
                    again.code == fault.code
                        && again.string == fault.string
                        && same_value(&again.to_value(), &fault.to_value()),
                    "fault changed in a round trip:\n{fault:?}\n{again:?}\n{body}"
                ),
                other => panic!("re-decoding {fault:?} gave {other:?}\n{body}"),
            }
        }
        Err(_) => {}
    }
    if let Ok((method, params)) = decode_call(data) {
        let body = encode_call(&method, &params);
        match decode_call(body.as_bytes()) {
            Ok((m, p)) => assert!(
                m == method
                    && p.len() == params.len()
                    && p.iter().zip(&params).all(|(a, b)| same_value(a, b)),
                "call changed in a round trip:\n{method:?} {params:?}\n{m:?} {p:?}\n{body}"
            ),
            Err(e) => panic!("re-decoding {method:?} {params:?} failed: {e}\n{body}"),
        }
    }
});
