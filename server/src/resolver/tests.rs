//! Conformance tests of the resolver over the original's test repository
//! (koschei-tests.md §2.2–2.3) and a small-sample check against the libsolv baseline.

use std::collections::BTreeMap;
use std::path::Path;

use super::batch::{self, BatchOptions};
use super::diff::{ChangeKind, ResolvedDep, create_dependency_changes, dependency_priority};
use super::distances::{dependency_distances, nevra_name};
use super::solve::{Resolution, Sack};
use crate::rpm::Nevra;

const REPO123: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/conformance/koschei/test/repos/primary-f25-build-123"
);
const BOOKWORM: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/bench/debian-rpmmd/bookworm");

const FOO_DEPS: [&str; 7] = [
    "A-1-1.fc22.x86_64",
    "B-4.1-2.fc22.noarch",
    "C-1:3-1.fc22.x86_64",
    "D-2:8.b-1.rc1.fc22.x86_64",
    "E-0.1-1.fc22.1.noarch",
    "F-1-1.fc22.noarch",
    "R-3.3-2.fc22.x86_64",
];

fn sack() -> Sack {
    Sack::load(Path::new(REPO123), "x86_64", false).expect("load test repo")
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

fn run(sack: &mut Sack, brs: &[&str], group: &[&str]) -> Resolution {
    sack.resolve(&strings(group), &strings(brs)).expect("resolve")
}

fn names(r: &Resolution) -> Vec<&str> {
    r.install.iter().map(|n| nevra_name(n)).collect()
}

#[test]
fn r1_foo_deps_exact() {
    let mut s = sack();
    let r = run(&mut s, &["A", "F"], &["R"]);
    assert!(r.resolved, "{:?}", r.problems);
    assert!(r.problems.is_empty());
    assert_eq!(r.install, FOO_DEPS);
}

#[test]
fn r2_file_provides() {
    let mut s = sack();
    let r = run(&mut s, &["/bin/csh"], &["R"]);
    assert!(r.resolved && r.problems.is_empty());
    assert_eq!(names(&r), ["B", "C", "R"]);
}

#[test]
fn file_fallback_to_filelists() {
    // Nothing provides this path; only filelists.xml lists it (A's doc file).
    let mut s = sack();
    let r = run(&mut s, &["/usr/share/doc/A/bla"], &["R"]);
    assert!(r.resolved, "{:?}", r.problems);
    assert!(names(&r).contains(&"A"));
    let r = run(&mut s, &["/no/such/file"], &["R"]);
    assert_eq!(r.problems, ["No package found for: /no/such/file"]);
}

#[test]
fn r3_r4_r5_rich_deps() {
    let mut s = sack();
    let r = run(&mut s, &["qt-x11"], &["R"]);
    assert!(r.resolved);
    assert_eq!(names(&r), ["R", "qt-x11"]);
    let r = run(&mut s, &["qt-x11", "plasma-workspace"], &["R"]);
    assert!(r.resolved);
    assert_eq!(names(&r), ["R", "plasma-workspace", "qt-x11", "sni-qt"]);
    let r = run(&mut s, &["(sni-qt(x86-64) if plasma-workspace)", "plasma-workspace"], &["R"]);
    assert!(r.resolved);
    assert_eq!(names(&r), ["R", "plasma-workspace", "sni-qt"]);
}

#[test]
fn unmatched_rich_dep_is_ignored() {
    let mut s = sack();
    let r = run(&mut s, &["(nonexistent or alsonot)", "A"], &["R"]);
    assert!(r.resolved, "{:?}", r.problems);
}

#[test]
fn r6_r7_group_entries() {
    let mut s = sack();
    // Group entries are selected by name (as dnf/mock install a group): `virtual` is only a
    // provide of R, so it is skipped and R is not pulled in.
    let r = run(&mut s, &["A", "F"], &["virtual"]);
    assert!(r.resolved);
    assert_eq!(r.install, FOO_DEPS[..6]);
    let r = run(&mut s, &["A", "F"], &["R", "nonexistent"]);
    assert!(r.resolved);
    assert_eq!(r.install, FOO_DEPS);
}

#[test]
fn r8_r9_r12_r13_missing_build_requires() {
    let mut s = sack();
    let r = run(&mut s, &["nonexistent", "A"], &["R"]);
    assert!(!r.resolved);
    assert!(r.problems.contains(&"No package found for: nonexistent".to_owned()));
    assert!(r.install.is_empty());
    let r = run(&mut s, &["nonexistent"], &["R"]);
    assert!(!r.resolved);
    assert_eq!(
        run(&mut s, &["F", "nonexistent"], &["R"]).problems,
        ["No package found for: nonexistent"]
    );
    assert_eq!(run(&mut s, &["F", "getrekt"], &["R"]).problems, ["No package found for: getrekt"]);
}

#[test]
fn r10_r11_base_buildroot() {
    let mut s = sack();
    let r = run(&mut s, &[], &["bar"]);
    assert!(!r.resolved);
    assert_eq!(r.problems, ["Problem: nothing provides nonexistent needed by bar-1-1.fc22.x86_64"]);
    let r = run(&mut s, &[], &["R"]);
    assert!(r.resolved);
    assert_eq!(r.install, ["R-3.3-2.fc22.x86_64"]);
}

#[test]
fn versioned_build_requires() {
    let mut s = sack();
    assert!(run(&mut s, &["C >= 1:3"], &["R"]).resolved);
    let r = run(&mut s, &["C > 1:3"], &["R"]);
    assert_eq!(r.problems, ["No package found for: C > 1:3"]);
    // Not a recognised operator: the whole string is one (unknown) name, as in hawkey.
    assert_eq!(run(&mut s, &["C => 1"], &["R"]).problems, ["No package found for: C => 1"]);
}

#[test]
fn fresh_and_reused_solver_agree() {
    let cases: [(&[&str], &[&str]); 6] = [
        (&["A", "F"], &["R"]),
        (&["nonexistent"], &["R"]),
        (&[], &["bar"]),
        (&["qt-x11", "plasma-workspace"], &["R"]),
        (&["/bin/csh"], &["R"]),
        (&["qt-x11"], &["R"]),
    ];
    let mut fresh = sack();
    fresh.set_reuse_solver(false);
    let mut reused = sack();
    for (brs, group) in cases {
        assert_eq!(run(&mut fresh, brs, group), run(&mut reused, brs, group), "{brs:?}");
    }
}

#[test]
fn distances_r1_r2() {
    let mut s = sack();
    let r = run(&mut s, &["A", "F"], &["R"]);
    let d = dependency_distances(&mut s, &strings(&["A", "F"]), &r.install).expect("distances");
    let want: BTreeMap<String, Option<u8>> = [
        ("A", Some(1)),
        ("B", Some(2)),
        ("C", Some(2)),
        ("D", Some(3)),
        ("E", Some(2)),
        ("F", Some(1)),
        ("R", None),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(d, want);
    let r = run(&mut s, &["/bin/csh"], &["R"]);
    let d = dependency_distances(&mut s, &strings(&["/bin/csh"]), &r.install).expect("distances");
    assert_eq!(d.get("B"), Some(&Some(1)));
    assert_eq!(d.get("C"), Some(&Some(2)));
    assert_eq!(d.get("R"), Some(&None));
}

/// Writes a minimal rpm-md repo: `(name, arch, requires)` packages, version 1-1 each.
fn mini_repo(tag: &str, pkgs: &[(&str, &str, &[&str])]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("resolver-mini-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("repodata")).expect("mkdir");
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm">"#,
    );
    for (i, (name, arch, reqs)) in pkgs.iter().enumerate() {
        let reqs: String = reqs.iter().map(|r| format!(r#"<rpm:entry name="{r}"/>"#)).collect();
        xml.push_str(&format!(
            r#"<package type="rpm"><name>{name}</name><arch>{arch}</arch><version epoch="0" ver="1" rel="1"/>
<checksum type="sha256" pkgid="YES">{i:064x}</checksum><location href="{name}.rpm"/>
<format><rpm:requires>{reqs}</rpm:requires></format></package>"#
        ));
    }
    xml.push_str("</metadata>");
    std::fs::write(dir.join("repodata/primary.xml"), xml).expect("write primary");
    std::fs::write(
        dir.join("repodata/repomd.xml"),
        r#"<repomd xmlns="http://linux.duke.edu/metadata/repo"><data type="primary"><location href="repodata/primary.xml"/></data></repomd>"#,
    )
    .expect("write repomd");
    dir
}

#[test]
fn distances_stop_after_level_four() {
    let dir = mini_repo(
        "chain",
        &[
            ("p1", "noarch", &["p2"]),
            ("p2", "noarch", &["p3"]),
            ("p3", "x86_64", &["p4", "side"]),
            ("p4", "noarch", &["p5"]),
            ("p5", "noarch", &["p6"]),
            ("p6", "noarch", &[]),
            ("side", "noarch", &["p1"]),
            ("base", "noarch", &["p6"]),
        ],
    );
    let mut s = Sack::load(&dir, "x86_64", false).expect("load");
    let r = s.resolve(&strings(&["base"]), &strings(&["p1"])).expect("resolve");
    assert_eq!(r.install.len(), 8, "{:?}", r.install);
    let d = dependency_distances(&mut s, &strings(&["p1"]), &r.install).expect("distances");
    let got: Vec<(&str, Option<u8>)> = d.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        got,
        [
            ("base", None), // build group only: never a seed
            ("p1", Some(1)),
            ("p2", Some(2)),
            ("p3", Some(3)),
            ("p4", Some(4)),
            ("p5", None), // deeper than 4
            ("p6", None),
            ("side", Some(4)),
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn d1_changes_from_resolution() {
    let mut s = sack();
    let r = run(&mut s, &["A", "F"], &["R"]);
    let dist = dependency_distances(&mut s, &strings(&["A", "F"]), &r.install).expect("distances");
    let curr: Vec<ResolvedDep> = r
        .install
        .iter()
        .map(|n| ResolvedDep {
            nevra: Nevra::parse(n).expect("nevra"),
            distance: dist[nevra_name(n)],
        })
        .collect();
    let prev: Vec<ResolvedDep> = FOO_DEPS
        .iter()
        .filter(|n| !n.starts_with("E-"))
        .map(|n| if n.starts_with("C-") { "C-1:2-1.fc22.x86_64" } else { n })
        .map(|n| ResolvedDep { nevra: Nevra::parse(n).expect("nevra"), distance: None })
        .collect();
    let changes = create_dependency_changes(&prev, &curr);
    type Row = (String, Option<String>, Option<String>, Option<u8>, ChangeKind);
    let got: Vec<Row> = changes
        .iter()
        .map(|c| {
            let evr = |n: &Option<Nevra>| n.as_ref().map(|n| n.evr().to_string());
            (c.name.clone(), evr(&c.prev), evr(&c.curr), c.distance, c.kind())
        })
        .collect();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].0, "C");
    assert_eq!((got[0].3, got[0].4), (Some(2), ChangeKind::Upgraded));
    assert_eq!(got[1].0, "E");
    assert_eq!((got[1].1.as_deref(), got[1].3, got[1].4), (None, Some(2), ChangeKind::Added));
    assert_eq!(dependency_priority(&changes, 20.0), 20);
}

/// `install_sha256_16` of digest_results.py.
fn digest(install: &[String]) -> String {
    use sha2::{Digest, Sha256};
    if install.is_empty() {
        return "-".into();
    }
    let mut h = Sha256::new();
    for n in install {
        h.update(n.as_bytes());
        h.update(b"\n");
    }
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Baseline rows `name → (evr, resolved, count, digest, problems)`.
fn baseline(file: &str) -> BTreeMap<String, (String, bool, usize, String, String)> {
    let path = Path::new(BOOKWORM).join("../baseline").join(file);
    let out =
        std::process::Command::new("zstd").arg("-dc").arg(&path).output().expect("run zstd -dc");
    assert!(out.status.success(), "zstd failed on {}", path.display());
    let text = String::from_utf8(out.stdout).expect("utf8");
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.splitn(6, '\t').collect();
            let v = (
                f[1].to_owned(),
                f[2] == "1",
                f[3].parse().expect("count"),
                f[4].to_owned(),
                f[5].to_owned(),
            );
            (f[0].to_owned(), v)
        })
        .collect()
}

#[test]
fn bookworm_sample_matches_baseline() {
    let sources = batch::load_sources(&Path::new(BOOKWORM).join("source")).expect("sources");
    assert_eq!(sources.len(), 34_288);
    // The first 300 (as `--limit 300`) plus some the baseline found unresolvable.
    let unresolvable = ["cmucl", "figtree", "ppc64-diag", "qt6-webview", "rustc", "snapd"];
    let sample: Vec<_> = sources
        .iter()
        .enumerate()
        .filter(|(i, s)| *i < 300 || unresolvable.contains(&s.name.as_str()))
        .map(|(_, s)| s.clone())
        .collect();
    let out =
        batch::resolve_all(&Path::new(BOOKWORM).join("binary"), &sample, &BatchOptions::default())
            .expect("batch");
    assert_eq!(out.results.len(), 306);
    assert_eq!(out.summary.unresolved, 6);
    assert!(out.summary.base.resolved);
    assert_eq!(out.summary.base.install_count, 261);
    let want = baseline("bookworm-weak.tsv.zst");
    let mut mismatches = Vec::new();
    for r in &out.results {
        let Some(w) = want.get(&r.package) else { panic!("{} not in baseline", r.package) };
        let problems = r
            .resolution
            .problems
            .iter()
            .map(|p| p.replace('\n', "\\n"))
            .collect::<Vec<_>>()
            .join(" || ");
        let got = (
            r.evr.clone(),
            r.resolution.resolved,
            r.resolution.install.len(),
            digest(&r.resolution.install),
            problems,
        );
        if &got != w {
            mismatches.push((r.package.clone(), got, w.clone()));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches, first: {:?}",
        mismatches.len(),
        mismatches.first()
    );
    let mut buf = Vec::new();
    batch::write_jsonl(&mut buf, &out.results[..2]).expect("jsonl");
    let first: serde_json::Value =
        serde_json::from_slice(buf.split(|&b| b == b'\n').next().expect("line")).expect("json");
    assert_eq!(first["package"], out.results[0].package.as_str());
    assert_eq!(
        first["install"].as_array().map(Vec::len),
        Some(out.results[0].resolution.install.len())
    );
}
