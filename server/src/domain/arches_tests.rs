//! Conformance vectors A1–A11 (koschei-tests.md §2.12) and Koji load values (§2.11), partly
//! read from the original's recorded Koji traffic in `shared/conformance/koschei`.

use proptest::prelude::*;
use serde_json::Value;

use super::*;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/conformance/koschei");

fn s(list: &[&str]) -> Vec<String> {
    list.iter().map(|a| (*a).to_owned()).collect()
}

fn set(list: &[&str]) -> ArchDecision {
    ArchDecision::Arches(list.iter().copied().collect())
}

/// The tag arches of the original's SRPM-arch tests.
fn tag_arches() -> Vec<String> {
    s(&["aarch64", "armv7hl", "i686", "ppc64", "ppc64le", "s390x", "x86_64"])
}

fn build_arches() -> Vec<String> {
    s(&["i386", "x86_64", "armhfp"])
}

/// All recorded calls of one vcrpy cassette (decoded to `{method, args, kwargs, result}`).
fn cassette(name: &str) -> Vec<Value> {
    let path = format!("{SHARED}/derived/koji-calls-from-vcrpy-cassettes.json");
    let text = std::fs::read_to_string(&path).expect("derived cassette file");
    let all: Value = serde_json::from_str(&text).expect("json");
    all[name].as_array().expect("cassette").clone()
}

fn result_of<'a>(calls: &'a [Value], method: &str) -> &'a Value {
    &calls.iter().find(|c| c["method"] == method).expect("call recorded")["result"]
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn headers_of(v: &Value) -> Option<SrpmHeaders> {
    let obj = v.as_object().filter(|o| !o.is_empty())?;
    let get = |k: &str| obj.get(k).map(strings).unwrap_or_default();
    Some(SrpmHeaders {
        build_archs: get("BUILDARCHS"),
        exclusive_arch: get("EXCLUSIVEARCH"),
        exclude_arch: get("EXCLUDEARCH"),
    })
}

fn recorded_headers(cassette_name: &str) -> Option<SrpmHeaders> {
    headers_of(result_of(&cassette(cassette_name), "getRPMHeaders"))
}

fn hosts_of(v: &Value) -> Vec<HostSnapshot> {
    let hosts = v.as_array().expect("host list");
    hosts
        .iter()
        .map(|h| HostSnapshot {
            arches: h["arches"].as_str().expect("arches").to_owned(),
            capacity: h["capacity"].as_f64().expect("capacity"),
            task_load: h["task_load"].as_f64().expect("task_load"),
            ready: h["ready"].as_bool().expect("ready"),
        })
        .collect()
}

#[test]
fn canon_arch_table() {
    let cases = [
        ("i386", "i386"),
        ("i686", "i386"),
        ("athlon", "i386"),
        ("ia32e", "x86_64"),
        ("x86_64", "x86_64"),
        ("ppc64le", "ppc64le"),
        ("ppc64p7", "ppc64"),
        ("ppc64", "ppc64"),
        ("sparc64v", "sparc64"),
        ("sparcv9", "sparc"),
        ("alphaev6", "alpha"),
        ("armv7hl", "armhfp"),
        ("armv7hnl", "armhfp"),
        ("armhfp", "armhfp"),
        ("armv5tel", "arm"),
        ("aarch64", "aarch64"),
        ("noarch", "noarch"),
        ("i86", "i86"),
        ("i6866", "i6866"),
    ];
    for (arch, canon) in cases {
        assert_eq!(canon_arch(arch), canon, "{arch}");
    }
}

#[test]
fn a1_plain_srpm_from_recording() {
    let h = recorded_headers("get_srpm_arches.vcr.json");
    let got = srpm_arches(h.as_ref(), &tag_arches(), None, &build_arches());
    assert_eq!(got, set(&["i686", "x86_64", "armv7hl"]));
}

#[test]
fn a2_noarch_from_recording() {
    let h = recorded_headers("get_srpm_arches_noarch.vcr.json");
    assert_eq!(srpm_arches(h.as_ref(), &tag_arches(), None, &build_arches()), set(&["noarch"]));
}

#[test]
fn a3_exclusive_from_recording() {
    let h = recorded_headers("get_srpm_arches_exclusive.vcr.json");
    assert!(h.as_ref().is_some_and(|h| h.exclusive_arch.len() == 11));
    assert_eq!(srpm_arches(h.as_ref(), &tag_arches(), None, &build_arches()), set(&["armv7hl"]));
}

#[test]
fn a4_exclude_from_recording() {
    let h = recorded_headers("get_srpm_arches_exclude.vcr.json");
    let got = srpm_arches(h.as_ref(), &tag_arches(), None, &build_arches());
    assert_eq!(got, set(&["i686", "x86_64"]));
}

#[test]
fn a5_to_a8_overrides() {
    let h = SrpmHeaders::default();
    let run = |o: &str| srpm_arches(Some(&h), &tag_arches(), Some(o), &build_arches());
    assert_eq!(run("x86_64 i386"), set(&["i386", "x86_64"]), "A5");
    assert_eq!(run("i686"), set(&["i686"]), "A6");
    assert_eq!(run("^armhfp"), set(&["i686", "x86_64"]), "A7");
    assert_eq!(run("^armv7hl"), set(&["i686", "x86_64"]), "A8");
}

#[test]
fn a9_non_canonical_build_arches() {
    let h = SrpmHeaders::default();
    let got = srpm_arches(Some(&h), &tag_arches(), None, &tag_arches());
    let want: ArchSet = tag_arches().into_iter().collect();
    assert_eq!(got, ArchDecision::Arches(want));
}

#[test]
fn a10_admin_submit_tag_order() {
    let all = s(&["armv7hl", "i686", "x86_64", "aarch64", "ppc64", "ppc64le", "s390x"]);
    let got = srpm_arches(Some(&SrpmHeaders::default()), &all, None, &build_arches());
    assert_eq!(got, set(&["x86_64", "armv7hl", "i686"]));
    let ArchDecision::Arches(arches) = got else { panic!("arches expected") };
    assert_eq!(arches.koji_arch_override().as_deref(), Some("armv7hl i686 x86_64"));
}

#[test]
fn a11_noarch_integration_sends_no_override() {
    let all = s(&["armv7hl", "i686", "x86_64", "aarch64", "ppc64", "ppc64le", "s390x"]);
    let h = SrpmHeaders { build_archs: s(&["noarch", "noarch"]), ..SrpmHeaders::default() };
    let got = srpm_arches(Some(&h), &all, None, &build_arches());
    assert_eq!(got, set(&["noarch"]));
    let ArchDecision::Arches(arches) = got else { panic!("arches expected") };
    assert_eq!(arches.koji_arch_override(), None);
    assert_eq!(arches.load_query_arches(&all), all);
}

#[test]
fn missing_srpm_and_no_arch() {
    assert_eq!(srpm_arches(None, &tag_arches(), None, &build_arches()), ArchDecision::NoSrpm);
    let h = SrpmHeaders { exclusive_arch: s(&["s390x"]), ..SrpmHeaders::default() };
    assert_eq!(srpm_arches(Some(&h), &tag_arches(), None, &build_arches()), ArchDecision::NoArch);
    let h = SrpmHeaders { build_archs: s(&["noarch"]), exclude_arch: s(&["noarch"]), ..h };
    assert_eq!(srpm_arches(Some(&h), &tag_arches(), None, &build_arches()), ArchDecision::NoArch);
}

/// Spec §12.16, fixed: every `^` item is an exclusion. The original would have excluded only
/// `armhfp` here (and the literal `^i386`), giving {i686, x86_64}.
#[test]
fn exclusion_strips_caret_from_every_item() {
    let h = SrpmHeaders::default();
    let got = srpm_arches(Some(&h), &tag_arches(), Some("^armhfp ^i386"), &build_arches());
    assert_eq!(got, set(&["x86_64"]));
    let got = srpm_arches(Some(&h), &tag_arches(), Some("^armv7hl i686"), &build_arches());
    assert_eq!(got, set(&["x86_64"]), "items after the first need no ^ either");
}

#[test]
fn override_parsing() {
    assert_eq!(ArchOverride::parse(None), ArchOverride::None);
    assert_eq!(ArchOverride::parse(Some("  ")), ArchOverride::None);
    assert_eq!(
        ArchOverride::parse(Some("x86_64 i386")),
        ArchOverride::Only(vec!["x86_64", "i386"])
    );
    assert_eq!(ArchOverride::parse(Some("x86_64 ^i386")), ArchOverride::Only(vec!["x86_64"]));
    assert_eq!(ArchOverride::parse(Some("^a ^^b c")), ArchOverride::Exclude(vec!["a", "b", "c"]));
    assert_eq!(ArchOverride::parse(Some("^")), ArchOverride::Exclude(vec![]));
    let h = SrpmHeaders::default();
    let got = srpm_arches(Some(&h), &tag_arches(), Some("^"), &build_arches());
    assert_eq!(got, set(&["i686", "x86_64", "armv7hl"]), "empty exclusion keeps all");
    let got = srpm_arches(Some(&h), &tag_arches(), Some("noarch"), &build_arches());
    assert_eq!(got, set(&["noarch"]), "override may force noarch");
}

fn load_vector(cassette_name: &str, hosts_recorded: usize, arches: &[&str]) -> f64 {
    let hosts = hosts_of(result_of(&cassette(cassette_name), "listHosts"));
    assert_eq!(hosts.len(), hosts_recorded);
    let set: ArchSet = arches.iter().copied().collect();
    koji_load(&hosts, &build_arches(), &set)
}

#[test]
fn koji_load_vectors() {
    let close = |got: f64, want: f64| assert!((got - want).abs() < 5e-5, "{got} vs {want}");
    let all = load_vector("koji_load_all.vcr.json", 9, &["i386", "x86_64", "armhfp"]);
    close(all, 3.58313 / 4.0);
    close(load_vector("koji_load_noarch.vcr.json", 9, &["noarch"]), 5.16626 / 12.0);
    close(load_vector("koji_load_intel.vcr.json", 7, &["i686", "x86_64"]), 7.16626 / 14.0);
    close(load_vector("koji_load_arm.vcr.json", 2, &["armv7hl"]), 0.8958);
    close(load_vector("koji_load_all.vcr.json", 9, &["i386"]), 0.43052);
}

/// S17: noarch over seven production arches, 108 recorded hosts → min = s390x 0.0720.
#[test]
fn koji_load_integration_noarch_min() {
    let path = format!("{SHARED}/test/data/SchedulerTest/test_submit_integration.yml");
    let text = std::fs::read_to_string(path).expect("cassette");
    let calls: Value = serde_yaml::from_str(&text).expect("yaml");
    let calls = calls.as_array().expect("list");
    let hosts = hosts_of(result_of(calls, "listHosts"));
    assert_eq!(hosts.len(), 108);
    let all = s(&["armv7hl", "i686", "x86_64", "aarch64", "ppc64", "ppc64le", "s390x"]);
    let noarch: ArchSet = ["noarch"].into_iter().collect();
    let load = koji_load(&hosts, &all, &noarch);
    assert!((load - 3.45566 / 48.0).abs() < 5e-5, "{load}");
    let one = |a: &str| koji_load(&hosts, &all, &[a].into_iter().collect());
    assert!((one("armv7hl") - 1.0).abs() < 1e-12, "no armhfp hosts → 1.0");
    assert!((one("ppc64") - 0.7820).abs() < 5e-5);
    assert!((one("aarch64") - 0.6150).abs() < 5e-5);
    let everything: ArchSet = all.iter().map(String::as_str).collect();
    assert!((koji_load(&hosts, &all, &everything) - 1.0).abs() < 1e-12, "max includes armhfp");
}

#[test]
fn koji_load_edges() {
    let none: ArchSet = std::iter::empty::<&str>().collect();
    assert_eq!(koji_load(&[], &[], &none), 0.0);
    let noarch: ArchSet = ["noarch"].into_iter().collect();
    assert_eq!(koji_load(&[], &[], &noarch), 1.0);
    let host = |arches: &str, capacity, task_load, ready| HostSnapshot {
        arches: arches.to_owned(),
        capacity,
        task_load,
        ready,
    };
    let hosts = [host("x86_64", 2.0, 5.0, true), host("x86_64", 2.0, 0.5, true)];
    let x86: ArchSet = ["x86_64"].into_iter().collect();
    assert_eq!(koji_load(&hosts, &[], &x86), 2.5 / 4.0, "task_load capped at capacity");
    let zero = [host("x86_64", 0.0, 0.0, true)];
    assert_eq!(koji_load(&zero, &[], &x86), 1.0, "no capacity counts as full");
}

proptest! {
    #[test]
    fn result_is_allowed(
        hdr in proptest::sample::subsequence(vec!["i686", "x86_64", "noarch", "s390x", "armv7hl"], 0..4),
        excl in proptest::sample::subsequence(vec!["i686", "noarch", "armv7hl", "ppc64"], 0..3),
        over in proptest::option::of("[\\^]?(x86_64|i386|armhfp|noarch|ppc64)( \\^?(i686|x86_64))?"),
    ) {
        let h = SrpmHeaders { build_archs: s(&hdr), exclude_arch: s(&excl), ..SrpmHeaders::default() };
        let tag = tag_arches();
        match srpm_arches(Some(&h), &tag, over.as_deref(), &build_arches()) {
            ArchDecision::NoSrpm => prop_assert!(false, "headers were given"),
            ArchDecision::NoArch => {}
            ArchDecision::Arches(set) => {
                prop_assert!(!set.is_empty());
                for a in set.iter() {
                    let c = canon_arch(a);
                    prop_assert!(a == "noarch" || ["i386", "x86_64", "armhfp"].contains(&c));
                    if over.is_none() {
                        prop_assert!(!excl.contains(&a), "excluded arch {a} kept");
                    }
                }
            }
        }
    }

    #[test]
    fn load_is_a_fraction(
        loads in proptest::collection::vec((0.0f64..8.0, 0.0f64..8.0, any::<bool>(), 0usize..3), 0..12),
        noarch in any::<bool>(),
    ) {
        let names = ["i386 x86_64", "x86_64", "armhfp"];
        let hosts: Vec<HostSnapshot> = loads.iter().map(|(c, l, r, a)| HostSnapshot {
            arches: names[*a].to_owned(), capacity: *c, task_load: *l, ready: *r,
        }).collect();
        let arches: ArchSet = if noarch { vec!["noarch"] } else { vec!["i686", "x86_64"] }
            .into_iter().collect();
        let load = koji_load(&hosts, &build_arches(), &arches);
        prop_assert!((0.0..=1.0).contains(&load), "{load}");
    }
}
