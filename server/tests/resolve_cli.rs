//! `koschei resolve` over real RPM metadata: packages built with rpmbuild, repositories
//! made with createrepo_c (both installed by scripts/setup.sh).

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Writes a spec and builds it: binary RPMs into `bin/`, the SRPM into `src/`.
fn build(top: &Path, name: &str, version: &str, extra: &str) {
    let spec = format!(
        "Name: {name}\nVersion: {version}\nRelease: 1\nSummary: {name}\nLicense: MIT\nBuildArch: noarch\n{extra}\n\
         %description\n{name}\n%files\n"
    );
    let specs = top.join("SPECS");
    std::fs::create_dir_all(&specs).unwrap();
    let path = specs.join(format!("{name}.spec"));
    std::fs::write(&path, spec).unwrap();
    let out = Command::new("rpmbuild")
        .arg("--define")
        .arg(format!("_topdir {}", top.display()))
        .args(["--nodeps", "-ba"])
        .arg(&path)
        .output()
        .expect("rpmbuild runs (apt-get install rpm)");
    assert!(out.status.success(), "rpmbuild {name}: {}", String::from_utf8_lossy(&out.stderr));
}

fn createrepo(dir: &Path, comps: Option<&Path>) {
    let mut cmd = Command::new("createrepo_c");
    cmd.arg("--quiet");
    if let Some(c) = comps {
        cmd.arg("--groupfile").arg(c);
    }
    let out = cmd.arg(dir).output().expect("createrepo_c runs (apt-get install createrepo-c)");
    assert!(out.status.success(), "createrepo_c: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn resolve_reports_verdicts_problems_and_install_sets() {
    let tmp = tempfile::tempdir().unwrap();
    let top = tmp.path().join("rpmbuild");
    build(&top, "bash", "5.2", "Provides: /bin/sh");
    build(&top, "gcc", "13.1", "Requires: libc\nProvides: cc");
    build(&top, "libc", "2.38", "");
    build(&top, "make", "4.4", "");
    build(&top, "hello", "1.0", "BuildRequires: gcc >= 4\nBuildRequires: make");
    build(&top, "shell-user", "1.0", "BuildRequires: /bin/sh\nBuildRequires: (cc or clang)");
    build(&top, "broken", "1.0", "BuildRequires: gcc\nBuildRequires: nonexistent-devel");
    build(&top, "too-new", "1.0", "BuildRequires: gcc >= 99");
    build(&top, "needs-ghost", "1.0", "Requires: ghost");
    build(&top, "indirect", "1.0", "BuildRequires: needs-ghost");

    let binary = tmp.path().join("binary");
    let source = tmp.path().join("source");
    std::fs::create_dir_all(&binary).unwrap();
    std::fs::create_dir_all(&source).unwrap();
    for entry in walk(&top.join("RPMS")) {
        std::fs::copy(&entry, binary.join(entry.file_name().unwrap())).unwrap();
    }
    for entry in walk(&top.join("SRPMS")) {
        std::fs::copy(&entry, source.join(entry.file_name().unwrap())).unwrap();
    }
    let comps = tmp.path().join("comps.xml");
    std::fs::write(
        &comps,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<comps><group><id>build</id><name>build</name><description/><default>false</default><uservisible>false</uservisible>
<packagelist><packagereq type="mandatory">bash</packagereq><packagereq type="mandatory">not-in-repo</packagereq></packagelist>
</group></comps>"#,
    )
    .unwrap();
    createrepo(&binary, Some(&comps));
    createrepo(&source, None);

    let output = tmp.path().join("out.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_koschei"))
        .env("KOSCHEI_DATA_DIR", tmp.path().join("data"))
        .env("KOSCHEI_LOG", "warn")
        .arg("resolve")
        .arg("--binary")
        .arg(&binary)
        .arg("--source")
        .arg(&source)
        .args(["--jobs", "2", "--output"])
        .arg(&output)
        .output()
        .expect("koschei runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.contains("resolved 10 source packages (7 resolvable, 3 unresolvable)"),
        "{stdout}"
    );

    let lines: Vec<Value> = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let names: Vec<&str> = lines.iter().map(|l| l["package"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "bash",
            "broken",
            "gcc",
            "hello",
            "indirect",
            "libc",
            "make",
            "needs-ghost",
            "shell-user",
            "too-new"
        ]
    );
    let get = |name: &str| lines.iter().find(|l| l["package"] == name).unwrap();
    let install = |name: &str| -> Vec<String> {
        get(name)["install"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };

    let hello = get("hello");
    assert_eq!(hello["resolved"], true);
    assert_eq!(
        install("hello"),
        ["bash-5.2-1.noarch", "gcc-13.1-1.noarch", "libc-2.38-1.noarch", "make-4.4-1.noarch"],
        "the group member bash, the BuildRequires and gcc's own requirement; the missing group name is skipped"
    );
    assert_eq!(get("shell-user")["resolved"], true, "file and rich dependencies resolve");
    assert!(install("shell-user").contains(&"gcc-13.1-1.noarch".to_owned()));

    let broken = get("broken");
    assert_eq!(broken["resolved"], false);
    assert_eq!(broken["problems"], serde_json::json!(["No package found for: nonexistent-devel"]));
    assert_eq!(broken["install"], serde_json::json!([]));
    // A versioned BuildRequires no package satisfies is reported like a missing one.
    assert_eq!(get("too-new")["problems"], serde_json::json!(["No package found for: gcc >= 99"]));
    // A BuildRequires whose own requirements cannot be met is a solver problem.
    let indirect = get("indirect");
    assert_eq!(indirect["resolved"], false);
    let problem = indirect["problems"][0].as_str().unwrap();
    assert!(
        problem.starts_with("Problem: ")
            && problem.contains("nothing provides ghost needed by needs-ghost-1.0-1.noarch"),
        "{problem}"
    );
}

#[test]
fn resolve_names_a_missing_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_koschei"))
        .env("KOSCHEI_DATA_DIR", tmp.path())
        .args([
            "resolve",
            "--binary",
            "/nonexistent/binary",
            "--source",
            "/nonexistent/source",
            "--output",
        ])
        .arg(tmp.path().join("out.jsonl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("binary repository /nonexistent/binary"), "{err}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rpm") {
            out.push(path);
        }
    }
    out
}
