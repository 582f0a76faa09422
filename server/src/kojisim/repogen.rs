//! rpm-md metadata for the simulator's repos, in the layout `createrepo_c -g comps.xml`
//! writes: per arch `repodata/repomd.xml` plus checksum-named `primary.xml.gz`,
//! `filelists.xml.gz`, `other.xml.gz`, `comps.xml` and `comps.xml.gz`, with sha256
//! checksums, open-checksums and sizes; plus Koji's `repo.json`, `groups/comps.xml` and
//! per-arch `pkglist`.
//!
//! Pure: produces `(path, bytes)` pairs relative to topdir; the caller stores them. Package
//! checksums (`pkgid`) are synthetic (sha256 of the NEVRA and build id) because the
//! simulator has no RPM files.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

use sha2::{Digest, Sha256};

use crate::rpm::Dep;

use super::query::{group_packages, repo_rpms};
use super::state::{Repo, Rpm, State};

/// Hex sha256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    let mut out = String::with_capacity(64);
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Escapes text for XML element content and attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// Arches a repo of the tag is generated for: the tag's arches, `noarch` folded in; a tag
/// without arches gets none.
pub fn repo_arches(state: &State, tag_id: i64) -> Vec<String> {
    let arches = state.tags.get(&tag_id).and_then(|t| t.arches.clone()).unwrap_or_default();
    let mut out: Vec<String> =
        arches.split_whitespace().filter(|a| *a != "noarch").map(str::to_string).collect();
    out.dedup();
    out
}

/// Every file of a repo: `repos/{tag}/{id}/…`.
pub fn generate(state: &State, repo: &Repo) -> Vec<(String, Vec<u8>)> {
    let tag_name = state.tags.get(&repo.tag_id).map(|t| t.name.clone()).unwrap_or_default();
    let base = format!("repos/{tag_name}/{}", repo.id);
    let comps = comps_xml(state, repo.tag_id);
    let arches = repo_arches(state, repo.tag_id);
    let ts = repo.create_ts as i64;
    let mut files = vec![
        (format!("{base}/groups/comps.xml"), comps.clone().into_bytes()),
        (
            format!("{base}/repo.json"),
            format!(
                "{{\"id\": {}, \"tag\": \"{}\", \"tag_id\": {}, \"event_id\": {}, \"arches\": \"{}\"}}\n",
                repo.id,
                tag_name,
                repo.tag_id,
                repo.create_event,
                arches.join(" ")
            )
            .into_bytes(),
        ),
    ];
    for arch in &arches {
        let rpms = repo_rpms(state, repo.tag_id, repo.create_event, arch, repo.opts.src);
        let pkglist: String = rpms.iter().map(|r| format!("{}\n", location(state, r))).collect();
        files.push((format!("{base}/{arch}/pkglist"), pkglist.into_bytes()));
        for (name, data) in repodata(state, &rpms, &comps, ts) {
            files.push((format!("{base}/{arch}/repodata/{name}"), data));
        }
    }
    files
}

fn location(state: &State, rpm: &Rpm) -> String {
    let src_name = state.builds.get(&rpm.build_id).map_or(rpm.name.as_str(), |b| b.name.as_str());
    format!(
        "toplink/packages/{src_name}/{}/{}/{}/{}",
        rpm.version,
        rpm.release,
        rpm.arch,
        rpm.filename()
    )
}

fn pkgid(rpm: &Rpm) -> String {
    sha256_hex(
        format!(
            "kojisim:{}-{}:{}-{}.{}:{}",
            rpm.name,
            rpm.epoch.unwrap_or(0),
            rpm.version,
            rpm.release,
            rpm.arch,
            rpm.build_id
        )
        .as_bytes(),
    )
}

/// The comps document of a tag's groups (with inheritance of whole groups).
pub fn comps_xml(state: &State, tag_id: i64) -> String {
    let mut names: Vec<&str> = Vec::new();
    for t in super::query::inheritance(state, tag_id) {
        for g in state.groups.iter().filter(|g| g.tag_id == t) {
            if !names.contains(&g.name.as_str()) {
                names.push(&g.name);
            }
        }
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE comps PUBLIC \"-//Red Hat, Inc.//DTD Comps info//EN\" \"comps.dtd\">\n<comps>\n",
    );
    for name in names {
        let _ = write!(
            out,
            "  <group>\n    <id>{n}</id>\n    <name>{n}</name>\n    <description></description>\n    <default>false</default>\n    <uservisible>true</uservisible>\n    <packagelist>\n",
            n = xml_escape(name)
        );
        for pkg in group_packages(state, tag_id, name) {
            let _ = writeln!(
                out,
                "      <packagereq type=\"mandatory\">{}</packagereq>",
                xml_escape(&pkg)
            );
        }
        out.push_str("    </packagelist>\n  </group>\n");
    }
    out.push_str("</comps>\n");
    out
}

fn version_elem(rpm: &Rpm) -> String {
    format!(
        "<version epoch=\"{}\" ver=\"{}\" rel=\"{}\"/>",
        rpm.epoch.unwrap_or(0),
        xml_escape(&rpm.version),
        xml_escape(&rpm.release)
    )
}

/// One `<rpm:entry>` for a dependency text; rich or unparsable deps keep their text as name.
fn dep_entry(text: &str) -> String {
    match Dep::parse(text) {
        Ok(Dep::Simple { name, constraint: Some((op, evr)) }) => {
            let flags = match op.as_str() {
                "<" => "LT",
                "<=" => "LE",
                "=" => "EQ",
                ">=" => "GE",
                _ => "GT",
            };
            let rel = evr
                .release
                .as_ref()
                .map(|r| format!(" rel=\"{}\"", xml_escape(r)))
                .unwrap_or_default();
            format!(
                "<rpm:entry name=\"{}\" flags=\"{flags}\" epoch=\"{}\" ver=\"{}\"{rel}/>",
                xml_escape(&name),
                evr.epoch,
                xml_escape(&evr.version)
            )
        }
        Ok(Dep::Simple { name, constraint: None }) => {
            format!("<rpm:entry name=\"{}\"/>", xml_escape(&name))
        }
        _ => format!("<rpm:entry name=\"{}\"/>", xml_escape(text.trim())),
    }
}

fn self_provides(rpm: &Rpm) -> Vec<String> {
    if rpm.arch == "src" {
        return Vec::new();
    }
    let epoch = rpm.epoch.filter(|e| *e != 0).map(|e| format!("{e}:")).unwrap_or_default();
    let evr = format!("{epoch}{}-{}", rpm.version, rpm.release);
    let mut out = vec![format!("{} = {evr}", rpm.name)];
    if let Some(isa) = super::policy::isa_suffix(&rpm.arch) {
        out.push(format!("{}({isa}) = {evr}", rpm.name));
    }
    out
}

fn is_primary_file(path: &str) -> bool {
    path.starts_with("/etc/") || path.contains("bin/") || path == "/usr/lib/sendmail"
}

fn deps_block(out: &mut String, tag: &str, deps: &[String]) {
    if deps.is_empty() {
        return;
    }
    let _ = writeln!(out, "      <rpm:{tag}>");
    for d in deps {
        let _ = writeln!(out, "        {}", dep_entry(d));
    }
    let _ = writeln!(out, "      </rpm:{tag}>");
}

/// primary.xml for the packages.
pub fn primary_xml(state: &State, rpms: &[&Rpm]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata xmlns=\"http://linux.duke.edu/metadata/common\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"{}\">\n",
        rpms.len()
    );
    for r in rpms {
        let sourcerpm = if r.arch == "src" {
            String::new()
        } else {
            state
                .build_srpm(r.build_id)
                .map(Rpm::filename)
                .unwrap_or_else(|| format!("{}-{}-{}.src.rpm", r.name, r.version, r.release))
        };
        let own = self_provides(r);
        let mut provides = own.clone();
        provides.extend(r.provides.iter().filter(|p| !own.contains(p)).cloned());
        let _ = write!(
            out,
            "<package type=\"rpm\">\n  <name>{name}</name>\n  <arch>{arch}</arch>\n  {ver}\n  <checksum type=\"sha256\" pkgid=\"YES\">{id}</checksum>\n  <summary>{summary}</summary>\n  <description>{summary}</description>\n  <packager>Koji simulator</packager>\n  <url></url>\n  <time file=\"{t}\" build=\"{t}\"/>\n  <size package=\"{size}\" installed=\"{size}\" archive=\"{size}\"/>\n  <location href=\"{loc}\"/>\n  <format>\n      <rpm:license>MIT</rpm:license>\n      <rpm:vendor>Koji simulator</rpm:vendor>\n      <rpm:group>Unspecified</rpm:group>\n      <rpm:buildhost>kojisim</rpm:buildhost>\n      <rpm:sourcerpm>{src}</rpm:sourcerpm>\n      <rpm:header-range start=\"4504\" end=\"8192\"/>\n",
            name = xml_escape(&r.name),
            arch = xml_escape(&r.arch),
            ver = version_elem(r),
            id = pkgid(r),
            summary = xml_escape(&r.summary),
            t = r.buildtime,
            size = r.size,
            loc = xml_escape(&location(state, r)),
            src = xml_escape(&sourcerpm),
        );
        deps_block(&mut out, "provides", &provides);
        deps_block(&mut out, "requires", &r.requires);
        for f in r.files.iter().filter(|f| is_primary_file(f)) {
            let _ = writeln!(out, "      <file>{}</file>", xml_escape(f));
        }
        out.push_str("  </format>\n</package>\n");
    }
    out.push_str("</metadata>\n");
    out
}

fn filelists_xml(rpms: &[&Rpm]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<filelists xmlns=\"http://linux.duke.edu/metadata/filelists\" packages=\"{}\">\n",
        rpms.len()
    );
    for r in rpms {
        let _ = writeln!(
            out,
            "<package pkgid=\"{}\" name=\"{}\" arch=\"{}\">\n  {}",
            pkgid(r),
            xml_escape(&r.name),
            xml_escape(&r.arch),
            version_elem(r)
        );
        for f in &r.files {
            let _ = writeln!(out, "  <file>{}</file>", xml_escape(f));
        }
        out.push_str("</package>\n");
    }
    out.push_str("</filelists>\n");
    out
}

fn other_xml(rpms: &[&Rpm]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<otherdata xmlns=\"http://linux.duke.edu/metadata/other\" packages=\"{}\">\n",
        rpms.len()
    );
    for r in rpms {
        let _ = writeln!(
            out,
            "<package pkgid=\"{}\" name=\"{}\" arch=\"{}\">\n  {}\n</package>",
            pkgid(r),
            xml_escape(&r.name),
            xml_escape(&r.arch),
            version_elem(r)
        );
    }
    out.push_str("</otherdata>\n");
    out
}

/// The `repodata/` directory for the packages: file name → bytes, including `repomd.xml`.
pub fn repodata(state: &State, rpms: &[&Rpm], comps: &str, ts: i64) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut repomd = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<repomd xmlns=\"http://linux.duke.edu/metadata/repo\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\">\n  <revision>{ts}</revision>\n"
    );
    let docs = [
        ("primary", "primary.xml.gz", primary_xml(state, rpms), true),
        ("filelists", "filelists.xml.gz", filelists_xml(rpms), true),
        ("other", "other.xml.gz", other_xml(rpms), true),
        ("group", "comps.xml", comps.to_string(), false),
        ("group_gz", "comps.xml.gz", comps.to_string(), true),
    ];
    for (kind, suffix, text, compress) in docs {
        let open = text.into_bytes();
        let data = if compress { gzip(&open) } else { open.clone() };
        let sum = sha256_hex(&data);
        let name = format!("{sum}-{suffix}");
        let _ = write!(
            repomd,
            "  <data type=\"{kind}\">\n    <checksum type=\"sha256\">{sum}</checksum>\n"
        );
        if compress {
            let _ = writeln!(
                repomd,
                "    <open-checksum type=\"sha256\">{}</open-checksum>",
                sha256_hex(&open)
            );
        }
        let _ = write!(
            repomd,
            "    <location href=\"repodata/{name}\"/>\n    <timestamp>{ts}</timestamp>\n    <size>{}</size>\n",
            data.len()
        );
        if compress {
            let _ = writeln!(repomd, "    <open-size>{}</open-size>", open.len());
        }
        repomd.push_str("  </data>\n");
        files.insert(name, data);
    }
    repomd.push_str("</repomd>\n");
    files.insert("repomd.xml".to_string(), repomd.into_bytes());
    files
}
