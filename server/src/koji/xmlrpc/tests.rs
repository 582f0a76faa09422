//! Unit tests of the XML-RPC codec from hand-written documents: every type, Koji's
//! extensions, faults, kwargs, multicall, conversions and malformed input.

use super::*;

fn resp(value_xml: &str) -> String {
    format!(
        "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value>{value_xml}</value>\n\
         </param>\n</params>\n</methodResponse>\n"
    )
}

fn ok_value(value_xml: &str) -> Value {
    match decode_response(resp(value_xml).as_bytes()) {
        Ok(Ok(v)) => v,
        other => panic!("{value_xml}: {other:?}"),
    }
}

fn err_value(value_xml: &str) -> XmlRpcError {
    match decode_response(resp(value_xml).as_bytes()) {
        Err(e) => e,
        other => panic!("{value_xml}: expected an error, got {other:?}"),
    }
}

fn err_body(body: &str) -> XmlRpcError {
    match decode_response(body.as_bytes()) {
        Err(e) => e,
        other => panic!("{body}: expected an error, got {other:?}"),
    }
}

fn roundtrip(v: &Value) -> Value {
    let text = encode_response(v);
    match decode_response(text.as_bytes()) {
        Ok(Ok(back)) => back,
        other => panic!("{text}: {other:?}"),
    }
}

#[test]
fn scalars() {
    assert_eq!(ok_value("<nil/>"), Value::Nil);
    assert_eq!(ok_value("<nil></nil>"), Value::Nil);
    assert_eq!(
        ok_value("<ex:nil xmlns:ex='http://ws.apache.org/xmlrpc/namespaces/extensions'/>"),
        Value::Nil
    );
    assert_eq!(ok_value("<boolean>1</boolean>"), Value::Bool(true));
    assert_eq!(ok_value("<boolean>0</boolean>"), Value::Bool(false));
    assert_eq!(ok_value("<int>42</int>"), Value::Int(42));
    assert_eq!(ok_value("<i4>-7</i4>"), Value::Int(-7));
    assert_eq!(ok_value("<int> +5 </int>"), Value::Int(5));
    assert_eq!(ok_value("<i8>1099511627776</i8>"), Value::Int(1_099_511_627_776));
    assert_eq!(ok_value("<i8>9223372036854775807</i8>"), Value::Int(i64::MAX));
    assert_eq!(ok_value("<i8>-9223372036854775808</i8>"), Value::Int(i64::MIN));
    assert_eq!(ok_value("<i1>3</i1>"), Value::Int(3));
    assert_eq!(ok_value("<biginteger>12</biginteger>"), Value::Int(12));
    assert_eq!(ok_value("<double>1425217178.04183</double>"), Value::Double(1_425_217_178.041_83));
    assert_eq!(ok_value("<double>-0.5</double>"), Value::Double(-0.5));
    assert_eq!(ok_value("<double>1e+20</double>"), Value::Double(1e20));
    assert_eq!(ok_value("<string>hello</string>"), Value::String("hello".into()));
    assert_eq!(ok_value("<string></string>"), Value::String(String::new()));
    assert_eq!(ok_value("<string/>"), Value::String(String::new()));
    assert_eq!(ok_value("<string> padded\n</string>"), Value::String(" padded\n".into()));
    assert_eq!(ok_value("<base64>aGVsbG8=</base64>"), Value::Base64(b"hello".to_vec()));
    assert_eq!(ok_value("<base64>aGVs\nbG8=\n</base64>"), Value::Base64(b"hello".to_vec()));
    assert_eq!(ok_value("<base64>aGVsbG8</base64>"), Value::Base64(b"hello".to_vec()));
    assert_eq!(ok_value("<base64></base64>"), Value::Base64(Vec::new()));
}

#[test]
fn bare_text_is_a_string() {
    assert_eq!(ok_value("f29-build"), Value::String("f29-build".into()));
    assert_eq!(ok_value("  spaced  "), Value::String("  spaced  ".into()));
    assert_eq!(ok_value(""), Value::String(String::new()));
    // `<value/>` is an empty string too.
    let body = "<methodResponse><params><param><value/></param></params></methodResponse>";
    assert_eq!(decode_response(body.as_bytes()), Ok(Ok(Value::String(String::new()))));
    // Whitespace around a typed element is not part of the value.
    assert_eq!(ok_value("\n  <int>1</int>\n"), Value::Int(1));
}

#[test]
fn entities_cdata_and_char_refs() {
    assert_eq!(
        ok_value("<string>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;</string>"),
        Value::String("a & b <c> \"d\" 'e'".into())
    );
    assert_eq!(ok_value("<string>&#233;t&#xE9;</string>"), Value::String("été".into()));
    assert_eq!(
        ok_value("<string><![CDATA[<raw> & stuff]]></string>"),
        Value::String("<raw> & stuff".into())
    );
    assert_eq!(ok_value("<string>x<![CDATA[&]]>y&amp;z</string>"), Value::String("x&y&z".into()));
    assert_eq!(ok_value("tom &amp; jerry"), Value::String("tom & jerry".into()));
    assert_eq!(ok_value("<string>a<!-- comment -->b</string>"), Value::String("ab".into()));
    assert_eq!(ok_value("<string>line\r\nend</string>"), Value::String("line\nend".into()));
    assert_eq!(ok_value("<string>cr&#13;lf</string>"), Value::String("cr\rlf".into()));
    assert_eq!(ok_value("<string>ünïcödé ✓</string>"), Value::String("ünïcödé ✓".into()));
    assert!(
        matches!(err_value("<string>&nbsp;</string>"), XmlRpcError::BadEntity { name, .. } if name == "nbsp")
    );
    assert!(matches!(err_value("<string>&#0;</string>"), XmlRpcError::BadEntity { .. }));
    assert!(matches!(err_value("<string>a & b</string>"), XmlRpcError::MalformedXml { .. }));
}

#[test]
fn date_times() {
    let dt = DateTime::new(2024, 1, 1, 10, 20, 30).unwrap();
    assert_eq!(
        ok_value("<dateTime.iso8601>20240101T10:20:30</dateTime.iso8601>"),
        Value::DateTime(dt)
    );
    assert_eq!(
        ok_value("<dateTime.iso8601>2024-01-01T10:20:30</dateTime.iso8601>"),
        Value::DateTime(dt)
    );
    assert_eq!(
        ok_value("<dateTime.iso8601>20240101T102030</dateTime.iso8601>"),
        Value::DateTime(dt)
    );
    assert_eq!(
        ok_value("<dateTime.iso8601> 20240101T10:20:30 </dateTime.iso8601>"),
        Value::DateTime(dt)
    );
    let Value::DateTime(z) = ok_value("<dateTime.iso8601>20240101T10:20:30.25Z</dateTime.iso8601>")
    else {
        panic!()
    };
    assert_eq!((z.nanosecond, z.offset_minutes), (250_000_000, Some(0)));
    // Koji's string timestamps (isoformat(' ')) parse with the same function.
    let k = DateTime::parse("2026-11-24 22:18:53.301047+00:00").unwrap();
    assert_eq!((k.year, k.month, k.day, k.hour, k.minute, k.second), (2026, 11, 24, 22, 18, 53));
    assert_eq!((k.nanosecond, k.offset_minutes), (301_047_000, Some(0)));
    let k = DateTime::parse("2026-11-24 22:18:53-05:30").unwrap();
    assert_eq!((k.nanosecond, k.offset_minutes), (0, Some(-330)));
    assert_eq!(DateTime::parse("2015-03-01 13:39:38.041833").unwrap().offset_minutes, None);
    assert_eq!(k.to_string(), "20261124T22:18:53-05:30");
    assert_eq!(dt.to_string(), "20240101T10:20:30");
    assert_eq!(DateTime::parse("2024-02-29T00:00:00").map(|d| d.day), Some(29));
    for bad in [
        "2023-02-29T00:00:00",
        "20241301T00:00:00",
        "20240101T24:00:00",
        "20240101T10:20",
        "20240101 T10:20:30",
        "2024-0101T10:20:30",
        "20240101T10:20:30+99:00",
        "20240101T10:20:30.",
        "20240101T10:20:30.1234567890",
        "yesterday",
        "",
    ] {
        assert_eq!(DateTime::parse(bad), None, "{bad}");
    }
    assert!(
        matches!(err_value("<dateTime.iso8601>nope</dateTime.iso8601>"), XmlRpcError::BadDateTime { text, .. } if text == "nope")
    );
}

#[test]
fn nested_values() {
    let v = ok_value(
        "<struct>\n<member>\n<name>request</name>\n<value><array><data>\n\
         <value><string>x.src.rpm</string></value>\n<value><int>299</int></value>\n\
         <value><struct><member><name>repo_id</name><value><int>460889</int></value></member></struct></value>\n\
         <value><array><data>\n</data></array></value>\n<value><struct></struct></value>\n\
         </data></array></value>\n</member>\n<member><name>label</name><value><nil/></value></member>\n\
         <member><name>weight</name><value><double>0.2</double></value></member>\n</struct>",
    );
    let expected = Value::structure([
        (
            "request",
            Value::Array(vec![
                "x.src.rpm".into(),
                Value::Int(299),
                Value::structure([("repo_id", 460_889)]),
                Value::Array(vec![]),
                Value::Struct(Struct::new()),
            ]),
        ),
        ("label", Value::Nil),
        ("weight", Value::Double(0.2)),
    ]);
    assert_eq!(v, expected);
    assert_eq!(roundtrip(&v), v);
    // Repeated member names: the last one wins (as in Python).
    let v = ok_value(
        "<struct><member><name>a</name><value>1</value></member><member><name>a</name><value>2</value></member></struct>",
    );
    assert_eq!(v, Value::structure([("a", "2")]));
    // Member names are text, entities resolved.
    let v = ok_value(
        "<struct><member><name>mock.package_manager &amp; co</name><value>dnf</value></member></struct>",
    );
    assert_eq!(v.get("mock.package_manager & co"), Some(&Value::String("dnf".into())));
}

#[test]
fn encoder_output_shape() {
    let text =
        encode_call("listTagged", &[Value::from("f29-build"), kwargs_struct([("latest", true)])]);
    assert!(
        text.starts_with(
            "<?xml version=\"1.0\"?>\n<methodCall>\n<methodName>listTagged</methodName>"
        )
    );
    assert!(text.contains("<name>__starstar</name>\n<value><boolean>1</boolean></value>"));
    let big = encode_response(&Value::Int(1 << 40));
    assert!(big.contains("<i8>1099511627776</i8>"), "{big}");
    let small = encode_response(&Value::Int(i64::from(i32::MIN)));
    assert!(small.contains("<int>-2147483648</int>"), "{small}");
    let edge = encode_response(&Value::Int(i64::from(i32::MAX) + 1));
    assert!(edge.contains("<i8>2147483648</i8>"), "{edge}");
    let d = encode_response(&Value::Double(4.0));
    assert!(d.contains("<double>4.0</double>"), "{d}");
    let s = encode_response(&Value::from("a<b>&c\r"));
    assert!(s.contains("<string>a&lt;b&gt;&amp;c&#13;</string>"), "{s}");
    assert!(encode_response(&Value::Nil).contains("<value><nil/></value>"));
    let dt = DateTime::new(2024, 1, 1, 10, 20, 30).unwrap();
    assert!(
        encode_response(&Value::DateTime(dt))
            .contains("<dateTime.iso8601>20240101T10:20:30</dateTime.iso8601>")
    );
    assert!(
        encode_response(&Value::Base64(b"hello".to_vec())).contains("<base64>aGVsbG8=</base64>")
    );
}

#[test]
fn every_type_round_trips() {
    let mut dt = DateTime::new(1999, 12, 31, 23, 59, 59).unwrap();
    dt.nanosecond = 123_456_789;
    dt.offset_minutes = Some(-90);
    let values = vec![
        Value::Nil,
        Value::Bool(true),
        Value::Bool(false),
        Value::Int(0),
        Value::Int(i64::MAX),
        Value::Int(i64::MIN),
        Value::Int(-(1 << 35)),
        Value::Double(0.1),
        Value::Double(-1.5e-300),
        Value::Double(1.7976931348623157e308),
        Value::Double(f64::INFINITY),
        Value::Double(f64::NEG_INFINITY),
        Value::String("tab\tnewline\ncr\rctl\u{1}amp&lt<gt>]]>".into()),
        Value::String("  ".into()),
        Value::DateTime(dt),
        Value::Base64((0..=255).collect()),
        Value::Array(vec![Value::Nil, Value::Array(vec![])]),
    ];
    for v in &values {
        assert_eq!(&roundtrip(v), v);
    }
    let Value::Double(nan) = roundtrip(&Value::Double(f64::NAN)) else { panic!() };
    assert!(nan.is_nan());
}

#[test]
fn calls_and_kwargs() {
    let mut params = vec![Value::from("f29-build")];
    let mut kwargs = Struct::new();
    kwargs.insert("latest".into(), true.into());
    kwargs.insert("package".into(), "rnv".into());
    push_kwargs(&mut params, kwargs.clone());
    let text = encode_call("listTagged", &params);
    let (method, decoded) = decode_call(text.as_bytes()).unwrap();
    assert_eq!(method, "listTagged");
    assert_eq!(decoded, params);
    let (args, kw) = split_kwargs(decoded);
    assert_eq!(args, vec![Value::from("f29-build")]);
    assert_eq!(kw, kwargs);

    // No kwargs → nothing appended, nothing split off.
    let mut plain = vec![Value::Int(1)];
    push_kwargs(&mut plain, Struct::new());
    assert_eq!(plain.len(), 1);
    let (args, kw) = split_kwargs(vec![Value::Int(1), Value::structure([("a", 1)])]);
    assert_eq!((args.len(), kw.len()), (2, 0));
    let (args, kw) = split_kwargs(vec![Value::structure([("__starstar", false), ("a", true)])]);
    assert_eq!((args.len(), kw.len()), (1, 0));
    let (args, kw) = split_kwargs(vec![Value::structure([("__starstar", 1)])]);
    assert_eq!((args.len(), kw.len()), (0, 0));

    // A call without <params>, and one with empty <params/>.
    let (m, p) =
        decode_call(b"<methodCall><methodName>getAPIVersion</methodName></methodCall>").unwrap();
    assert_eq!((m.as_str(), p.len()), ("getAPIVersion", 0));
    let (m, p) =
        decode_call(b"<methodCall><methodName> echo </methodName><params/></methodCall>").unwrap();
    assert_eq!((m.as_str(), p.len()), ("echo", 0));
    // Recorded Koji request (vcrpy), verbatim.
    let rec = "<?xml version='1.0'?>\n<methodCall>\n<methodName>getChannel</methodName>\n<params>\n<param>\n<value><string>default</string></value>\n</param>\n<param>\n<value><struct>\n<member>\n<name>__starstar</name>\n<value><boolean>1</boolean></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodCall>\n";
    let (m, p) = decode_call(rec.as_bytes()).unwrap();
    assert_eq!(m, "getChannel");
    let (args, kw) = split_kwargs(p);
    assert_eq!((args, kw.len()), (vec![Value::from("default")], 0));
}

#[test]
fn faults() {
    let body = "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>1000</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>No such task</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n";
    let fault = decode_response(body.as_bytes()).unwrap().unwrap_err();
    assert_eq!(fault, Fault::new(1000, "No such task"));
    assert_eq!(fault.to_string(), "fault 1000: No such task");

    let mut extra = Struct::new();
    extra.insert("traceback".into(), Value::from(vec!["Traceback", "  File x"]));
    extra.insert("faultCode".into(), Value::from("ignored"));
    let text = encode_fault(1014, "database outage", &extra);
    let back = decode_response(text.as_bytes()).unwrap().unwrap_err();
    assert_eq!(back.code, 1014);
    assert_eq!(back.string, "database outage");
    assert_eq!(back.extra.len(), 1);
    assert_eq!(back.extra["traceback"], Value::from(vec!["Traceback", "  File x"]));
    let f = Fault::new(1, "<class 'X'>: boom").with_extra("x", 1);
    assert_eq!(decode_response(encode_fault_value(&f).as_bytes()), Ok(Err(f)));

    for (value, needle) in [
        ("<string>oops</string>", "not a struct"),
        (
            "<struct><member><name>faultString</name><value>x</value></member></struct>",
            "no faultCode",
        ),
        (
            "<struct><member><name>faultCode</name><value>x</value></member></struct>",
            "faultCode is string",
        ),
        (
            "<struct><member><name>faultCode</name><value><int>1</int></value></member></struct>",
            "no faultString",
        ),
    ] {
        let body =
            format!("<methodResponse><fault><value>{value}</value></fault></methodResponse>");
        match decode_response(body.as_bytes()) {
            Err(XmlRpcError::MalformedFault { reason }) => {
                assert!(reason.contains(needle), "{reason}")
            }
            other => panic!("{value}: {other:?}"),
        }
    }
}

#[test]
fn multicall() {
    let calls = vec![
        Call::new("getTaskInfo", vec![Value::Int(9_107_738)]),
        Call::new(
            "getTaskChildren",
            vec![Value::Int(9_107_738), kwargs_struct([("request", true)])],
        ),
        Call::new("getAPIVersion", vec![]),
    ];
    let text = encode_call(MULTICALL, &multicall_params(&calls));
    let (method, params) = decode_call(text.as_bytes()).unwrap();
    assert_eq!(method, "multiCall");
    assert_eq!(decode_multicall_params(&params).unwrap(), calls);

    let outcomes = vec![
        Ok(Value::structure([("id", 9_107_738)])),
        Err(Fault::new(1000, "No such task").with_extra("traceback", vec!["line"])),
        Ok(Value::Nil),
    ];
    let body = encode_response(&encode_multicall_result(&outcomes));
    let result = decode_response(body.as_bytes()).unwrap().unwrap();
    assert_eq!(decode_multicall_result(&result).unwrap(), outcomes);

    // Shapes that are not multicall results.
    let bad = [
        (Value::Int(1), 0),
        (Value::Array(vec![Value::Array(vec![1.into()]), Value::Array(vec![])]), 1),
        (Value::Array(vec![Value::Array(vec![1.into(), 2.into()])]), 0),
        (Value::Array(vec![Value::structure([("faultCode", "x")])]), 0),
        (Value::Array(vec![Value::Nil]), 0),
    ];
    for (v, index) in bad {
        match decode_multicall_result(&v) {
            Err(XmlRpcError::MalformedMulticall { index: i, .. }) => assert_eq!(i, index, "{v:?}"),
            other => panic!("{v:?}: {other:?}"),
        }
    }
    assert!(decode_multicall_params(&[]).is_err());
    assert!(decode_multicall_params(&[Value::Array(vec![Value::Int(1)])]).is_err());
    let no_name = Value::Array(vec![Value::structure([("params", Value::Array(vec![]))])]);
    assert!(decode_multicall_params(&[no_name]).is_err());
}

#[test]
fn not_xmlrpc_documents() {
    let html = "<!DOCTYPE html>\n<html><head><title>502 Proxy Error</title></head><body><h1>Proxy Error</h1><br></body></html>";
    match err_body(html) {
        XmlRpcError::NotXmlRpc { reason, snippet } => {
            assert_eq!(reason, "HTML page");
            assert!(snippet.contains("502 Proxy Error"), "{snippet}");
        }
        other => panic!("{other:?}"),
    }
    let html2 = "  <HTML><body>Service Unavailable</body></HTML>";
    assert!(
        matches!(err_body(html2), XmlRpcError::NotXmlRpc { reason, .. } if reason == "HTML page")
    );
    let html3 = "<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'><body/></html>";
    assert!(
        matches!(err_body(html3), XmlRpcError::NotXmlRpc { reason, .. } if reason == "HTML page")
    );
    assert!(
        matches!(err_body("Invalid request: empty body"), XmlRpcError::NotXmlRpc { reason, snippet } if reason == "not XML" && snippet == "Invalid request: empty body")
    );
    assert!(
        matches!(err_body(""), XmlRpcError::NotXmlRpc { reason, .. } if reason == "empty body")
    );
    assert!(
        matches!(err_body(" \n\t"), XmlRpcError::NotXmlRpc { reason, .. } if reason == "empty body")
    );
    assert!(
        matches!(err_body("<rss><channel/></rss>"), XmlRpcError::NotXmlRpc { reason, .. } if reason == "root element is <rss>")
    );
    let long = format!("not xml {}", "x".repeat(5000));
    let XmlRpcError::NotXmlRpc { snippet, .. } = err_body(&long) else { panic!() };
    assert!(snippet.chars().count() <= 201);
    // A call is not a response and vice versa.
    let call = encode_call("x", &[]);
    assert!(
        matches!(err_body(&call), XmlRpcError::UnexpectedElement { found, .. } if found == "methodCall")
    );
    let response = encode_response(&Value::Nil);
    assert!(
        matches!(decode_call(response.as_bytes()), Err(XmlRpcError::UnexpectedElement { found, .. }) if found == "methodResponse")
    );
    // DTDs are refused (defusedxml on the hub does the same).
    let dtd = "<?xml version='1.0'?><!DOCTYPE methodResponse [<!ENTITY a 'b'>]><methodResponse/>";
    assert!(matches!(err_body(dtd), XmlRpcError::Forbidden { .. }));
    assert!(matches!(
        decode_response(b"<methodResponse>\xff</methodResponse>"),
        Err(XmlRpcError::NotUtf8 { offset: 16 })
    ));
}

#[test]
fn malformed_documents() {
    let good = encode_response(&Value::structure([("a", Value::from(vec![1, 2]))]));
    // Every truncation of a valid document (before its closing tag ends) is an error.
    for cut in 0..good.trim_end().len() {
        assert!(decode_response(&good.as_bytes()[..cut]).is_err(), "cut at {cut}");
    }
    let e = err_body("<methodResponse><params><param><value><int>1</int></value></param></params>");
    assert!(
        matches!(e, XmlRpcError::UnexpectedEnd { ref found, .. } if found == "end of document"),
        "{e}"
    );
    let e = err_body(
        "<methodResponse><params><param><value><int>1</i4></value></param></params></methodResponse>",
    );
    let XmlRpcError::MalformedXml { position, .. } = e else { panic!("{e:?}") };
    assert_eq!((position.line, position.column, position.offset), (1, 45, 44)); // at `</i4>`
    let e = err_body(
        "<methodResponse>\n<params>\n<param>\n<value><foo>1</foo></value></param></params></methodResponse>",
    );
    assert!(
        matches!(e, XmlRpcError::UnexpectedElement { ref found, position, .. } if found == "foo" && position.line == 4),
        "{e:?}"
    );
    let e = err_body("<methodResponse><params></params></methodResponse>");
    assert!(
        matches!(e, XmlRpcError::UnexpectedEnd { ref found, .. } if found == "</params>"),
        "{e:?}"
    );
    let e = err_body(
        "<methodResponse><params><param><value>1</value></param><param><value>2</value></param></params></methodResponse>",
    );
    assert!(
        matches!(e, XmlRpcError::UnexpectedElement { ref found, .. } if found == "param"),
        "{e:?}"
    );
    let e = err_body("<methodResponse>junk<params/></methodResponse>");
    assert!(matches!(e, XmlRpcError::UnexpectedText { ref text, .. } if text == "junk"), "{e:?}");
    let e = err_body(&format!("{}<trailing/>", encode_response(&Value::Nil)));
    assert!(
        matches!(e, XmlRpcError::UnexpectedElement { ref found, .. } if found == "trailing"),
        "{e:?}"
    );
    let e = err_body(&format!("{}trailing", encode_response(&Value::Nil)));
    assert!(matches!(e, XmlRpcError::UnexpectedText { .. }), "{e:?}");
    assert!(matches!(err_value("text<int>1</int>"), XmlRpcError::UnexpectedText { .. }));
    assert!(matches!(err_value("<int>1</int>text"), XmlRpcError::UnexpectedText { .. }));
    assert!(matches!(err_value("<int>1</int><int>2</int>"), XmlRpcError::UnexpectedElement { .. }));
    assert!(matches!(err_value("<int><b>1</b></int>"), XmlRpcError::UnexpectedElement { .. }));
    assert!(matches!(err_value("<nil>x</nil>"), XmlRpcError::UnexpectedText { .. }));
    assert!(
        matches!(err_value("<array><value>1</value></array>"), XmlRpcError::UnexpectedElement { found, .. } if found == "value")
    );
    assert!(matches!(
        err_value("<array><data><int>1</int></data></array>"),
        XmlRpcError::UnexpectedElement { .. }
    ));
    assert!(matches!(
        err_value("<struct><member><value>1</value></member></struct>"),
        XmlRpcError::UnexpectedElement { .. }
    ));
    assert!(matches!(
        err_value("<struct><member><name>a</name></member></struct>"),
        XmlRpcError::UnexpectedEnd { .. }
    ));
    assert!(matches!(
        err_value(
            "<struct><member><name>a</name><value>1</value><value>2</value></member></struct>"
        ),
        XmlRpcError::UnexpectedElement { .. }
    ));
    let e = err_body("<methodCall><methodName>x</methodName></methodCall>");
    assert!(matches!(e, XmlRpcError::UnexpectedElement { .. }), "{e:?}");
}

#[test]
fn wrong_scalar_text() {
    for (xml, kind) in [
        ("<int>12a</int>", "int"),
        ("<int></int>", "int"),
        ("<int>1.5</int>", "int"),
        ("<i4>0x10</i4>", "int"),
        ("<i8>9223372036854775808</i8>", "int"),
        ("<int>-</int>", "int"),
        ("<boolean>true</boolean>", "bool"),
        ("<boolean>2</boolean>", "bool"),
        ("<boolean></boolean>", "bool"),
        ("<double>fast</double>", "double"),
        ("<double></double>", "double"),
        ("<base64>!!!!</base64>", "base64"),
        ("<base64>aGVsbG8===</base64>", "base64"),
        ("<dateTime.iso8601>2024</dateTime.iso8601>", "date"),
    ] {
        let e = err_value(xml);
        let ok = match kind {
            "int" => matches!(e, XmlRpcError::BadInt { .. }),
            "bool" => matches!(e, XmlRpcError::BadBool { .. }),
            "double" => matches!(e, XmlRpcError::BadDouble { .. }),
            "base64" => matches!(e, XmlRpcError::BadBase64 { .. }),
            _ => matches!(e, XmlRpcError::BadDateTime { .. }),
        };
        assert!(ok, "{xml}: {e:?}");
    }
}

#[test]
fn limits() {
    fn nested(depth: usize) -> String {
        format!(
            "{}<int>1</int>{}",
            "<array><data><value>".repeat(depth),
            "</value></data></array>".repeat(depth)
        )
    }
    let strict = Limits { max_body_bytes: 1 << 20, max_depth: 8 };
    let at_limit = resp(&nested(8));
    assert!(matches!(decode_response_with(at_limit.as_bytes(), &strict), Ok(Ok(_))));
    let over = resp(&nested(9));
    assert!(matches!(
        decode_response_with(over.as_bytes(), &strict),
        Err(XmlRpcError::TooDeep { limit: 8, .. })
    ));
    // Structs count too, and so do empty containers.
    let structs = resp(&format!(
        "{}<array><data></data></array>{}",
        "<struct><member><name>k</name><value>".repeat(8),
        "</value></member></struct>".repeat(8)
    ));
    assert!(matches!(
        decode_response_with(structs.as_bytes(), &strict),
        Err(XmlRpcError::TooDeep { .. })
    ));
    // The default limit; a hostile 200,000-level document fails fast without overflowing the stack.
    assert!(matches!(decode_response(resp(&nested(64)).as_bytes()), Ok(Ok(_))));
    assert!(matches!(
        decode_response(resp(&nested(65)).as_bytes()),
        Err(XmlRpcError::TooDeep { limit: 64, .. })
    ));
    assert!(matches!(
        decode_response(resp(&nested(200_000)).as_bytes()),
        Err(XmlRpcError::TooDeep { .. })
    ));
    // A generous configured depth is handled iteratively as well.
    let deep = Limits { max_body_bytes: 64 << 20, max_depth: 100_000 };
    let Ok(Ok(v)) = decode_response_with(resp(&nested(20_000)).as_bytes(), &deep) else { panic!() };
    let mut depth = 0;
    let mut cur = &v;
    while let Value::Array(items) = cur {
        depth += 1;
        cur = &items[0];
    }
    assert_eq!(depth, 20_000);
    std::mem::forget(v); // dropping 20,000 nested Vecs recursively is fine, but skip it in tests
    let tiny = Limits { max_body_bytes: 10, max_depth: 64 };
    let body = encode_response(&Value::Nil);
    assert_eq!(
        decode_response_with(body.as_bytes(), &tiny),
        Err(XmlRpcError::TooBig { size: body.len(), limit: 10 })
    );
    assert!(decode_call_with(encode_call("x", &[]).as_bytes(), &tiny).is_err());
}

#[test]
fn conversions() {
    let task = Value::structure([
        ("id", Value::Int(9_107_739)),
        ("label", Value::Nil),
        ("weight", Value::Double(0.2)),
        ("capacity", Value::Int(4)),
        ("waiting", Value::Bool(false)),
        ("arches", Value::from(vec!["x86_64", "i386"])),
        ("extra", Value::structure([("mock.package_manager", "dnf")])),
        (
            "request",
            Value::Array(vec![
                "a.src.rpm".into(),
                Value::Int(299),
                Value::structure([("repo_id", Value::Nil)]),
            ]),
        ),
    ]);
    assert_eq!(task.field::<i64>("id"), Ok(9_107_739));
    assert_eq!(task.field::<i32>("id"), Ok(9_107_739));
    assert_eq!(task.field::<Option<String>>("label"), Ok(None));
    assert_eq!(task.field::<Option<String>>("absent"), Ok(None));
    assert_eq!(task.field::<f64>("weight"), Ok(0.2));
    assert_eq!(task.field::<f64>("capacity"), Ok(4.0));
    assert_eq!(task.field::<bool>("waiting"), Ok(false));
    assert_eq!(
        task.field::<Vec<String>>("arches"),
        Ok(vec!["x86_64".to_string(), "i386".to_string()])
    );
    let extra: std::collections::HashMap<String, String> = task.field("extra").unwrap();
    assert_eq!(extra["mock.package_manager"], "dnf");
    let e = task.field::<i64>("absent").unwrap_err();
    assert_eq!(e.to_string(), "absent: expected a value, found missing");
    let e = task.field::<String>("id").unwrap_err();
    assert_eq!(e.to_string(), "id: expected string, found int");
    let e = task.field::<Vec<i64>>("arches").unwrap_err();
    assert_eq!(e.to_string(), "arches[0]: expected int, found string");
    let e = task.field::<std::collections::BTreeMap<String, i64>>("extra").unwrap_err();
    assert_eq!(e.path, "extra.mock.package_manager");
    let request: Vec<Value> = task.field("request").unwrap();
    let e = request[2]
        .field::<i64>("repo_id")
        .map_err(|e| e.in_index(2).in_field("request"))
        .unwrap_err();
    assert_eq!(e.to_string(), "request[2].repo_id: expected int, found nil");
    assert_eq!(
        Value::Int(5).field::<i64>("x").unwrap_err().to_string(),
        "value: expected struct, found int"
    );
    assert!(Value::Int(1 << 40).to::<i32>().is_err());
    assert!(Value::Int(-1).to::<u64>().is_err());
    assert_eq!(Value::Base64(vec![1, 2]).to::<Bytes>().map(|b| b.0), Ok(vec![1, 2]));
    assert_eq!(Value::from(Some(3)).to::<Option<i64>>(), Ok(Some(3)));
    assert_eq!(Value::from(None::<i64>), Value::Nil);
}

// ---- regressions found by the fuzzers (fuzz/README.md) ----------------------------------

/// xmlrpc_roundtrip: a raw NUL inside a string decoded, but the encoder can only write it
/// as `&#0;`, which no XML parser (ours included) accepts, so the value could not travel
/// back. A NUL anywhere in a document is now a typed error, raw or as a reference.
#[test]
fn fuzz_nul_characters_are_rejected_anywhere() {
    for body in [
        resp("<string>arm01-builder22\0.org</string>"),
        resp("bare\0text"),
        resp("<string><![CDATA[a\0b]]></string>"),
        format!("<!-- \0 -->{}", resp("<int>1</int>")),
        "<?xml version='1.0'?>\n<methodCall><methodName>get\0Tag</methodName></methodCall>"
            .to_string(),
    ] {
        let e = decode_response(body.as_bytes()).expect_err("NUL in a response");
        let c = decode_call(body.as_bytes()).expect_err("NUL in a call");
        for e in [e, c] {
            assert!(
                matches!(&e, XmlRpcError::Forbidden { what, .. } if what.contains("NUL")),
                "{body:?}: {e}"
            );
        }
    }
    let e = err_value("<string>line one\nnul here:\0</string>");
    let XmlRpcError::Forbidden { position, .. } = e else { panic!("{e}") };
    assert_eq!((position.line, position.column), (6, 10), "points at the NUL");
    assert!(matches!(err_value("<string>a&#0;b</string>"), XmlRpcError::BadEntity { .. }));
    // Other control characters still travel, as character references.
    let v = Value::from("a\u{1}b\rc");
    assert_eq!(roundtrip(&v), v);
}
