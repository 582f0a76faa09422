//! Property tests: random values survive encode → decode unchanged, and arbitrary or
//! mutated bytes never make the decoders panic (a cheap stand-in for a cargo-fuzz target).

use proptest::prelude::*;

use super::*;

/// Strings the wire can carry: anything but NUL (see `escape_into`); half of them drawn
/// from characters that need escaping or are subject to XML line-end normalisation.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>().prop_map(|s| s.replace('\0', "")),
        "[\\r\\n\\t &<>;#\\]\\x01-\\x08a-c\u{e9}\u{1F600}]{0,12}",
    ]
}

fn datetime() -> impl Strategy<Value = DateTime> {
    (
        0u16..=9999,
        1u8..=12,
        1u8..=28,
        0u8..=23,
        0u8..=59,
        0u8..=59,
        prop_oneof![Just(0u32), 0u32..1_000_000_000, (0u32..1_000_000).prop_map(|u| u * 1000)],
        prop::option::of(-1439i16..=1439),
    )
        .prop_map(|(year, month, day, hour, minute, second, nanosecond, offset_minutes)| {
            DateTime { year, month, day, hour, minute, second, nanosecond, offset_minutes }
        })
}

fn double() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("NaN is not equal to itself", |d| !d.is_nan()),
        prop::num::f64::NORMAL,
        Just(f64::INFINITY),
        Just(-0.0),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Nil),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        any::<i32>().prop_map(|i| Value::Int(i.into())),
        double().prop_map(Value::Double),
        text().prop_map(Value::String),
        datetime().prop_map(Value::DateTime),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(Value::Base64),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..8).prop_map(Value::Struct),
        ]
    })
}

/// Fragments of XML-RPC syntax, to build documents that are wrong in interesting ways.
const FRAGMENTS: &[&str] = &[
    "<value>",
    "</value>",
    "<array>",
    "</array>",
    "<data>",
    "</data>",
    "<struct>",
    "</struct>",
    "<member>",
    "</member>",
    "<name>",
    "</name>",
    "<int>",
    "</int>",
    "<i8>",
    "</i8>",
    "<boolean>",
    "</boolean>",
    "<double>",
    "</double>",
    "<string>",
    "</string>",
    "<base64>",
    "</base64>",
    "<dateTime.iso8601>",
    "</dateTime.iso8601>",
    "<nil/>",
    "<params>",
    "</params>",
    "<param>",
    "</param>",
    "<fault>",
    "</fault>",
    "1",
    "0",
    "-9",
    "1.5",
    "x",
    " ",
    "\n",
    "&amp;",
    "&bogus;",
    "&#0;",
    "&#x41;",
    "<![CDATA[c]]>",
    "<!-- c -->",
    "<?pi x?>",
    "<",
    ">",
    "&",
    "\"",
    "<ex:nil/>",
    "20240101T10:20:30",
    "aGk=",
    "faultCode",
    "faultString",
];

fn mutated_document() -> impl Strategy<Value = Vec<u8>> {
    (value(), prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<u8>()), 1..6))
        .prop_map(|(v, edits)| {
            let mut bytes = encode_response(&v).into_bytes();
            for (at, kind, byte) in edits {
                if bytes.is_empty() {
                    break;
                }
                let i = at.index(bytes.len());
                match kind {
                    0 => {
                        bytes.remove(i);
                    }
                    1 => bytes.insert(i, byte),
                    2 => bytes[i] = byte,
                    _ => bytes.truncate(i),
                }
            }
            bytes
        })
}

proptest! {
    // 256 cases each by default; set PROPTEST_CASES to run more.
    #[test]
    fn values_round_trip(v in value()) {
        let body = encode_response(&v);
        prop_assert_eq!(decode_response(body.as_bytes()), Ok(Ok(v)));
    }

    #[test]
    fn calls_round_trip(method in "[A-Za-z_.]{1,20}", params in prop::collection::vec(value(), 0..4)) {
        let body = encode_call(&method, &params);
        prop_assert_eq!(decode_call(body.as_bytes()), Ok((method, params)));
    }

    #[test]
    fn faults_round_trip(code in any::<i64>(), string in text(), extra in prop::collection::btree_map(text(), value(), 0..3)) {
        let body = encode_fault(code, &string, &extra);
        let mut expected = Fault::new(code, string);
        expected.extra = extra;
        expected.extra.remove("faultCode");
        expected.extra.remove("faultString");
        prop_assert_eq!(decode_response(body.as_bytes()), Ok(Err(expected)));
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_response(&bytes);
        let _ = decode_call(&bytes);
    }

    #[test]
    fn mutated_documents_never_panic(bytes in mutated_document()) {
        let _ = decode_response(&bytes);
        let _ = decode_call(&bytes);
    }

    #[test]
    fn fragment_soup_never_panics(
        parts in prop::collection::vec(prop::sample::select(FRAGMENTS), 0..60),
        call in any::<bool>(),
    ) {
        let inner: String = parts.concat();
        let body = if call {
            format!("<methodCall><methodName>m</methodName><params><param>{inner}</param></params></methodCall>")
        } else {
            format!("<methodResponse>{inner}</methodResponse>")
        };
        let tight = Limits { max_body_bytes: 1 << 16, max_depth: 3 };
        let _ = decode_response_with(body.as_bytes(), &tight);
        let _ = decode_call_with(body.as_bytes(), &tight);
        if let Ok(Ok(v)) = decode_response(body.as_bytes()) {
            // Whatever decodes must survive a round trip too.
            prop_assert_eq!(decode_response(encode_response(&v).as_bytes()), Ok(Ok(v)));
        }
    }
}
