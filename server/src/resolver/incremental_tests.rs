//! Incremental mode (`--previous`): the pure rule on hand-built indices, and incremental ==
//! full on a synthetic repo pair (tiny rpm-md fixtures) and — `#[ignore]`d, minutes — on the
//! real bookworm → bookworm-plus-updates update.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::batch::{self, BatchOptions, PackageResult, Previous, SourcePackage};
use super::incremental::{Decision, Dep, JobDep, Pair, Pkg, Reason, RepoIndex};

// ---------------------------------------------------------------------------------------
// The pure rule.

/// Builds a [`RepoIndex`]: packages `(nevra, name.arch, requires)` where each requirement
/// is given as the list of providing NEVRAs; plus optional conflicts/recommends per package.
#[derive(Default)]
struct Builder {
    index: RepoIndex,
}

impl Builder {
    fn pkg(mut self, nevra: &str) -> Self {
        let name_arch = {
            let (rest, arch) = nevra.rsplit_once('.').expect("arch");
            let mut it = rest.rsplitn(3, '-');
            let (_r, _v, n) = (it.next(), it.next(), it.next().expect("name"));
            format!("{n}.{arch}")
        };
        self.index.pkgs.push(Pkg { name_arch, nevra: nevra.into(), deps: Default::default() });
        self
    }

    fn pos(&self, nevra: &str) -> u32 {
        self.index.pkgs.iter().position(|p| p.nevra == nevra).expect(nevra) as u32
    }

    /// Adds a dependency of `kind` to `who`, provided by `providers`.
    fn dep(mut self, who: &str, kind: usize, providers: &[&str], exact: bool) -> Self {
        let providers = providers.iter().map(|p| self.pos(p)).collect();
        self.index.deps.push(Dep { providers, exact });
        let d = self.index.deps.len() as u32 - 1;
        let w = self.pos(who) as usize;
        self.index.pkgs[w].deps[kind].push(d);
        self
    }

    fn req(self, who: &str, providers: &[&str]) -> Self {
        self.dep(who, super::incremental::REQUIRES, providers, true)
    }

    fn build(self) -> RepoIndex {
        self.index
    }
}

fn base_old() -> Builder {
    Builder::default()
        .pkg("app-1-1.x86_64")
        .pkg("libc-1-1.x86_64")
        .pkg("awk-a-1-1.x86_64")
        .pkg("awk-b-1-1.x86_64")
        .req("app-1-1.x86_64", &["libc-1-1.x86_64"])
        .req("app-1-1.x86_64", &["awk-a-1-1.x86_64", "awk-b-1-1.x86_64"])
}

fn job(pair: &mut Pair, old: &[u32], new: &[u32]) -> Option<super::incremental::PreparedJob> {
    pair.prepare_job(&JobDep { old: old.to_vec(), new: new.to_vec(), exact: true })
}

fn decide(pair: &mut Pair, prev: &[&str], jobs: &[(&[u32], &[u32])]) -> Decision {
    let Some(members) = pair.map_previous(prev.iter().copied()) else {
        return Decision::Solve(Reason::MemberRemoved);
    };
    let mut prepared = Vec::new();
    for (o, n) in jobs {
        match job(pair, o, n) {
            Some(j) => prepared.push(j),
            None => return Decision::Solve(Reason::JobProviders),
        }
    }
    match pair.check(&members, &prepared) {
        Ok(()) => Decision::Reuse(members),
        Err(r) => Decision::Solve(r),
    }
}

const PREV: [&str; 3] = ["app-1-1.x86_64", "awk-a-1-1.x86_64", "libc-1-1.x86_64"];

#[test]
fn version_bump_is_patched_and_sorted() {
    // libc 1 -> 10 (sorts before "libc-1" no longer: NEVRA order is recomputed).
    let new = Builder::default()
        .pkg("app-1-1.x86_64")
        .pkg("libc-10-1.x86_64")
        .pkg("awk-a-1-1.x86_64")
        .pkg("awk-b-1-1.x86_64")
        .req("app-1-1.x86_64", &["libc-10-1.x86_64"])
        .req("app-1-1.x86_64", &["awk-a-1-1.x86_64", "awk-b-1-1.x86_64"])
        .build();
    let mut pair = Pair::new(base_old().build(), new, true);
    let got = decide(&mut pair, &PREV, &[(&[0], &[0])]);
    let Decision::Reuse(members) = got else { panic!("{got:?}") };
    let names: Vec<&str> = members.iter().map(|&p| pair.nevra(p)).collect();
    assert_eq!(names, ["app-1-1.x86_64", "awk-a-1-1.x86_64", "libc-10-1.x86_64"]);
}

#[test]
fn new_provider_of_a_used_capability_forces_a_solve() {
    let new = base_old().pkg("awk-c-1-1.x86_64").pkg("libc2-1-1.x86_64").build();
    // Same requires, but libc2 now also provides what app needs from libc.
    let mut new = new;
    new.deps[0].providers.push(5);
    let mut pair = Pair::new(base_old().build(), new, true);
    assert_eq!(decide(&mut pair, &PREV, &[(&[0], &[0])]), Decision::Solve(Reason::MemberChanged));
}

#[test]
fn removed_member_and_changed_job_force_a_solve() {
    let new = Builder::default()
        .pkg("app-1-1.x86_64")
        .pkg("awk-a-1-1.x86_64")
        .pkg("awk-b-1-1.x86_64")
        .build();
    let mut pair = Pair::new(base_old().build(), new, true);
    assert_eq!(decide(&mut pair, &PREV, &[]), Decision::Solve(Reason::MemberRemoved));
    // A job whose providers changed by name (app -> awk-a).
    let mut pair = Pair::new(base_old().build(), base_old().build(), true);
    assert_eq!(decide(&mut pair, &PREV, &[(&[0], &[2])]), Decision::Solve(Reason::JobProviders));
    // Unchanged repo, unchanged job: reused as is.
    let got = decide(&mut pair, &PREV, &[(&[0], &[0])]);
    assert!(matches!(got, Decision::Reuse(_)), "{got:?}");
}

#[test]
fn changed_choice_candidate_forces_a_solve() {
    // awk-b (not installed, but a candidate of app's choice) gets a new requirement.
    let new = base_old().req("awk-b-1-1.x86_64", &["libc-1-1.x86_64"]).build();
    let mut pair = Pair::new(base_old().build(), new, true);
    assert_eq!(decide(&mut pair, &PREV, &[(&[0], &[0])]), Decision::Solve(Reason::ChoiceChanged));
}

#[test]
fn weak_deps_unmet_recommends_and_supplements() {
    use super::incremental::{RECOMMENDS, SUPPLEMENTS};
    // app recommends doc, which exists but was not installed: it might be installable now.
    let with_doc = || {
        base_old().pkg("doc-1-1.noarch").dep(
            "app-1-1.x86_64",
            RECOMMENDS,
            &["doc-1-1.noarch"],
            true,
        )
    };
    let mut pair = Pair::new(with_doc().build(), with_doc().build(), true);
    assert_eq!(decide(&mut pair, &PREV, &[]), Decision::Solve(Reason::Unsatisfied));
    // Weak deps ignored: recommends do not count.
    let mut pair = Pair::new(with_doc().build(), with_doc().build(), false);
    assert!(matches!(decide(&mut pair, &PREV, &[]), Decision::Reuse(_)));
    // A package outside the set supplements a member.
    let sup = || {
        base_old().pkg("plugin-1-1.x86_64").dep(
            "plugin-1-1.x86_64",
            SUPPLEMENTS,
            &["app-1-1.x86_64"],
            true,
        )
    };
    let mut pair = Pair::new(sup().build(), sup().build(), true);
    assert_eq!(decide(&mut pair, &PREV, &[]), Decision::Solve(Reason::Interaction));
}

#[test]
fn unmet_requirement_and_inexact_dependency() {
    // libc's new version requires something nothing provides (same in both: still unmet).
    let broken = || base_old().req("libc-1-1.x86_64", &[]);
    let mut pair = Pair::new(broken().build(), broken().build(), true);
    assert_eq!(decide(&mut pair, &PREV, &[]), Decision::Solve(Reason::Unsatisfied));
    let rich = || base_old().dep("app-1-1.x86_64", 0, &["libc-1-1.x86_64"], false);
    let mut pair = Pair::new(rich().build(), rich().build(), true);
    assert_eq!(decide(&mut pair, &PREV, &[]), Decision::Solve(Reason::Inexact));
}

// ---------------------------------------------------------------------------------------
// Incremental == full on tiny rpm-md repos.

/// A binary package of a fixture: `(name, version, arch, deps)` with deps as
/// `"requires:foo >= 2"`, `"provides:bar"`, `"conflicts:baz"`, `"recommends:doc"`.
type Bin<'a> = (&'a str, &'a str, &'a str, &'a [&'a str]);

fn entry(dep: &str) -> String {
    let parts: Vec<&str> = dep.split_whitespace().collect();
    match parts[..] {
        [name, op, ver] => {
            let flags = match op {
                "<" => "LT",
                "<=" => "LE",
                "=" => "EQ",
                ">=" => "GE",
                ">" => "GT",
                _ => panic!("op {op}"),
            };
            format!(r#"<rpm:entry name="{name}" flags="{flags}" epoch="0" ver="{ver}"/>"#)
        }
        _ => format!(r#"<rpm:entry name="{dep}"/>"#),
    }
}

fn write_repo(dir: &Path, pkgs: &[Bin<'_>], group: Option<&[&str]>) {
    std::fs::create_dir_all(dir.join("repodata")).expect("mkdir");
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm">"#,
    );
    for (i, (name, ver, arch, deps)) in pkgs.iter().enumerate() {
        let mut format = String::new();
        for kind in ["provides", "requires", "conflicts", "recommends"] {
            let entries: String = deps
                .iter()
                .filter_map(|d| d.strip_prefix(kind).and_then(|d| d.strip_prefix(':')))
                .map(entry)
                .collect();
            if kind == "provides" {
                format.push_str(&format!(
                    r#"<rpm:provides><rpm:entry name="{name}" flags="EQ" epoch="0" ver="{ver}" rel="1"/>{entries}</rpm:provides>"#
                ));
            } else if !entries.is_empty() {
                format.push_str(&format!("<rpm:{kind}>{entries}</rpm:{kind}>"));
            }
        }
        xml.push_str(&format!(
            r#"<package type="rpm"><name>{name}</name><arch>{arch}</arch><version epoch="0" ver="{ver}" rel="1"/>
<checksum type="sha256" pkgid="YES">{i:064x}</checksum><location href="{name}.rpm"/>
<format>{format}</format></package>"#
        ));
    }
    xml.push_str("</metadata>");
    std::fs::write(dir.join("repodata/primary.xml"), xml).expect("write primary");
    let mut repomd = String::from(
        r#"<repomd xmlns="http://linux.duke.edu/metadata/repo"><data type="primary"><location href="repodata/primary.xml"/></data>"#,
    );
    if let Some(group) = group {
        let reqs: String = group
            .iter()
            .map(|n| format!("<packagereq type=\"mandatory\">{n}</packagereq>"))
            .collect();
        std::fs::write(
            dir.join("repodata/comps.xml"),
            format!(
                "<comps><group><id>build</id><packagelist>{reqs}</packagelist></group></comps>"
            ),
        )
        .expect("write comps");
        repomd.push_str(r#"<data type="group"><location href="repodata/comps.xml"/></data>"#);
    }
    repomd.push_str("</repomd>");
    std::fs::write(dir.join("repodata/repomd.xml"), repomd).expect("write repomd");
}

fn sources(list: &[(&str, &[&str])]) -> Vec<SourcePackage> {
    let mut v: Vec<SourcePackage> = list
        .iter()
        .map(|(name, brs)| SourcePackage {
            name: (*name).into(),
            evr: "1-1".into(),
            build_requires: brs.iter().map(|s| (*s).to_owned()).collect(),
        })
        .collect();
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
}

fn full(binary: &Path, srcs: &[SourcePackage], opts: &BatchOptions) -> Vec<PackageResult> {
    batch::resolve_all(binary, srcs, opts).expect("full pass").results
}

fn jsonl(results: &[PackageResult]) -> Vec<u8> {
    let mut buf = Vec::new();
    batch::write_jsonl(&mut buf, results).expect("jsonl");
    buf
}

/// Runs incremental mode: previous = (old binary, old sources, old results).
fn incremental(
    old_binary: &Path,
    old_sources: &[SourcePackage],
    old_results: &[PackageResult],
    binary: &Path,
    srcs: &[SourcePackage],
    opts: &BatchOptions,
    group: &[String],
) -> (Vec<PackageResult>, batch::IncrementalSummary) {
    let digests: BTreeMap<String, String> = old_sources
        .iter()
        .map(|s| (s.name.clone(), batch::build_requires_digest(&s.build_requires)))
        .collect();
    let prev_jsonl = jsonl(old_results);
    let mut reader = &prev_jsonl[..];
    let previous =
        Previous { binary_dir: old_binary, group, build_requires: &digests, results: &mut reader };
    let mut out = Vec::new();
    let (summary, inc) =
        batch::resolve_incremental_stream(binary, srcs, opts, previous, &mut |r| {
            out.push(r.clone());
            Ok(())
        })
        .expect("incremental");
    assert_eq!(summary.packages, srcs.len());
    assert_eq!(inc.reused + inc.solved, srcs.len());
    (out, inc)
}

fn tmp(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("resolver-incr-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn synthetic_pair_incremental_equals_full() {
    let root = tmp("pair");
    let (old_dir, new_dir) = (root.join("old"), root.join("new"));
    let group: &[&str] = &["bash", "gcc"];
    let common = |libc: &'static str| -> Vec<Bin<'static>> {
        vec![
            ("bash", "5", "x86_64", &["requires:libc"]),
            ("gcc", "12", "x86_64", &["requires:libc", "requires:binutils >= 2", "provides:cc"]),
            ("binutils", "2.40", "x86_64", &["requires:libc", "recommends:cc"]),
            ("libc", libc, "x86_64", &["provides:libc.so.6", "recommends:locales"]),
            ("locales", libc, "noarch", &[]),
            ("tool", "1", "x86_64", &["requires:libx", "recommends:tool-doc"]),
            ("tool-doc", "1", "noarch", &[]),
            ("libx", "1", "x86_64", &["provides:libx.so.1"]),
            ("webkit", "2", "x86_64", &["requires:jsengine"]),
            ("js-a", "1", "x86_64", &["provides:jsengine"]),
            ("liba", "1", "x86_64", &[]),
        ]
    };
    let mut old = common("2.36");
    old.extend([
        ("gone", "1", "noarch", &[][..]),
        ("libz", "1", "x86_64", &[][..]),
        ("libb", "1", "x86_64", &[][..]),
    ]);
    let mut new = common("2.37"); // the build group's closure changes, as in a point update
    new.extend([
        ("js-b", "1", "x86_64", &["provides:jsengine"][..]), // new provider of a used capability
        ("libz", "2", "x86_64", &["requires:libq"][..]),     // broken requirement
        ("libb", "2", "x86_64", &["conflicts:liba"][..]),    // new conflict
        ("newlib", "1", "x86_64", &[][..]),
        // A new provider of what a build-group member recommends, met by the group's gcc:
        // libsolv never chooses there, so it must not prevent reuse.
        ("clang", "19", "x86_64", &["provides:cc"][..]),
    ]);
    // "gone" is removed.
    write_repo(&old_dir, &old, Some(group));
    write_repo(&new_dir, &new, Some(group));
    let old_src = sources(&[
        ("plain", &["tool"]),
        ("versioned", &["libx.so.1", "binutils >= 2"]),
        ("browser", &["webkit"]),
        ("uses-gone", &["gone"]),
        ("uses-libz", &["libz"]),
        ("ab", &["liba", "libb"]),
        ("changed-br", &["tool"]),
        ("never", &["nonexistent"]),
    ]);
    let mut new_src = sources(&[
        ("plain", &["tool"]),
        ("versioned", &["libx.so.1", "binutils >= 2"]),
        ("browser", &["webkit"]),
        ("uses-gone", &["gone"]),
        ("uses-libz", &["libz"]),
        ("ab", &["liba", "libb"]),
        ("changed-br", &["tool", "newlib"]),
        ("never", &["nonexistent"]),
        ("fresh", &["tool"]),
    ]);
    new_src.sort_by(|a, b| a.name.cmp(&b.name));
    let group: Vec<String> = group.iter().map(|s| (*s).to_owned()).collect();
    for weak in [true, false] {
        let opts = BatchOptions { workers: 2, ignore_weak_deps: !weak, ..BatchOptions::default() };
        let old_results = full(&old_dir, &old_src, &opts);
        assert!(old_results.iter().filter(|r| r.package != "never").all(|r| r.resolution.resolved));
        let want = full(&new_dir, &new_src, &opts);
        let (got, inc) =
            incremental(&old_dir, &old_src, &old_results, &new_dir, &new_src, &opts, &group);
        assert_eq!(jsonl(&got), jsonl(&want), "weak={weak}: incremental differs from full");
        // The update really changed the outcomes that the test is about.
        let by_name: BTreeMap<&str, &PackageResult> =
            want.iter().map(|r| (r.package.as_str(), r)).collect();
        for broken in ["uses-gone", "uses-libz", "ab"] {
            assert!(!by_name[broken].resolution.resolved, "{broken} should break");
        }
        assert!(by_name["plain"].resolution.install.iter().any(|n| n.starts_with("libc-2.37")));
        // plain and versioned are patched; everything else is solved.
        assert_eq!((inc.reused, inc.solved), (2, 7), "weak={weak}: {inc:?}");
        let reasons: BTreeMap<&str, usize> =
            inc.reasons.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(reasons.get("NotResolvedBefore"), Some(&2), "{reasons:?}"); // never, fresh
        assert_eq!(reasons.get("JobsChanged"), Some(&1), "{reasons:?}"); // changed-br
        assert_eq!(reasons.get("MemberRemoved"), Some(&1), "{reasons:?}"); // uses-gone
        // browser (new jsengine provider), uses-libz (new requirement), ab (new conflict).
        assert_eq!(reasons.get("MemberChanged"), Some(&3), "{reasons:?}");
    }
    // The build group itself changed: nothing can be reused, results still equal.
    let opts = BatchOptions { workers: 1, ..BatchOptions::default() };
    let old_results = full(&old_dir, &old_src, &opts);
    let other_group = vec!["bash".to_owned()];
    let (got, inc) =
        incremental(&old_dir, &old_src, &old_results, &new_dir, &new_src, &opts, &other_group);
    assert_eq!(jsonl(&got), jsonl(&full(&new_dir, &new_src, &opts)));
    assert_eq!(inc.reused, 0);
    let _ = std::fs::remove_dir_all(&root);
}

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/bench/debian-rpmmd");

/// Incremental == full (byte-identical JSONL: verdicts, problems, install sets) on the real
/// point update bookworm → bookworm-plus-updates. Takes minutes (three passes over 34,000
/// packages): `cargo test -p koschei --release --lib bookworm_point_update -- --ignored`
/// (scripts/bench.sh runs the same comparison on the release binary).
#[test]
#[ignore = "minutes: three full passes over the bookworm benchmark data"]
fn bookworm_point_update_incremental_equals_full() {
    let opts = BatchOptions::default();
    let (old_bin, old_src) =
        (Path::new(DATA).join("bookworm/binary"), Path::new(DATA).join("bookworm/source"));
    let (new_bin, new_src) = (
        Path::new(DATA).join("bookworm-plus-updates/binary"),
        Path::new(DATA).join("bookworm-plus-updates/source"),
    );
    let old_sources = batch::load_sources(&old_src).expect("old sources");
    let new_sources = batch::load_sources(&new_src).expect("new sources");
    let root = tmp("bookworm");
    std::fs::create_dir_all(&root).expect("tmp");
    let stream_to = |path: &Path, binary: &Path, srcs: &[SourcePackage]| {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
        batch::resolve_stream(binary, srcs, &opts, &mut |r| {
            use std::io::Write;
            serde_json::to_writer(&mut out, &batch::JsonLine::of(r))?;
            out.write_all(b"\n")
        })
        .expect("full pass");
        use std::io::Write;
        out.flush().expect("flush");
    };
    let prev_path = root.join("bookworm.jsonl");
    stream_to(&prev_path, &old_bin, &old_sources);
    let full_path = root.join("plus-updates-full.jsonl");
    stream_to(&full_path, &new_bin, &new_sources);
    let group = super::repodata::read_comps_group(
        super::repodata::read_repomd(&old_bin).expect("repomd").group().expect("comps"),
        "build",
    )
    .expect("comps")
    .expect("group");
    let digests: BTreeMap<String, String> = old_sources
        .iter()
        .map(|s| (s.name.clone(), batch::build_requires_digest(&s.build_requires)))
        .collect();
    let mut reader =
        std::io::BufReader::new(std::fs::File::open(&prev_path).expect("open previous"));
    let previous = Previous {
        binary_dir: &old_bin,
        group: &group,
        build_requires: &digests,
        results: &mut reader,
    };
    let mut got = Vec::new();
    let (_, inc) =
        batch::resolve_incremental_stream(&new_bin, &new_sources, &opts, previous, &mut |r| {
            serde_json::to_writer(&mut got, &batch::JsonLine::of(r))?;
            got.push(b'\n');
            Ok(())
        })
        .expect("incremental");
    let want = std::fs::read(&full_path).expect("read full");
    let (got_lines, want_lines): (Vec<&[u8]>, Vec<&[u8]>) =
        (got.split(|&b| b == b'\n').collect(), want.split(|&b| b == b'\n').collect());
    let differing = got_lines.iter().zip(&want_lines).filter(|(a, b)| a != b).count();
    assert_eq!(got_lines.len(), want_lines.len());
    assert_eq!(differing, 0, "{differing} packages differ from the full pass; {inc:?}");
    assert!(inc.reused > inc.solved, "incremental mode should reuse most packages: {inc:?}");
    eprintln!("bookworm -> bookworm-plus-updates: {inc:?}");
    let _ = std::fs::remove_dir_all(&root);
}
