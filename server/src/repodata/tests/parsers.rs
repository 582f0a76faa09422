//! Parser tests on hand-written XML: entities, rich deps, pre-requires, optional parts,
//! malformed and truncated documents.

use super::{COMPS, FILELISTS, PRIMARY};
use crate::repodata::comps::read_comps;
use crate::repodata::error::RepodataError;
use crate::repodata::filelists::{FilelistsReader, merge_filelists};
use crate::repodata::model::{DepKind, GroupPackageType};
use crate::repodata::primary::{PrimaryReader, parse_primary, read_primary};
use crate::repodata::repomd::Repomd;
use crate::rpm::{Dep, Op, RichDep};

#[test]
fn primary_fields_entities_and_deps() {
    let pkgs = read_primary(PRIMARY.as_bytes(), "primary.xml").unwrap();
    assert_eq!(pkgs.len(), 3);
    let foo = &pkgs[0];
    assert_eq!(
        (&*foo.name, foo.epoch, &*foo.version, &*foo.release, &*foo.arch),
        ("foo", 2, "1.0", "3.fc40", "x86_64")
    );
    assert_eq!(&*foo.summary, "Tools & <things> AB <raw>");
    assert_eq!(foo.pkgid(), "aaaa");
    assert_eq!(&*foo.checksum.kind, "sha256");
    assert_eq!(foo.sourcerpm.as_deref(), Some("foo-1.0-3.fc40.src.rpm"));
    assert_eq!(&*foo.location_href, "Packages/f/foo-1.0-3.fc40.x86_64.rpm");
    assert_eq!(foo.nevra_string(), "foo-2:1.0-3.fc40.x86_64");
    assert_eq!(foo.files.iter().map(|f| &**f).collect::<Vec<_>>(), ["/usr/bin/foo", "/etc/foo"]);

    assert_eq!(foo.provides.len(), 3);
    assert_eq!(foo.provides[0].to_string(), "foo = 2:1.0-3.fc40");
    assert_eq!(foo.provides[2].to_string(), "libfoo.so.1()(64bit)");
    assert_eq!(foo.provides[2].evr(), None);

    let req = &foo.requires;
    assert_eq!(req.len(), 4);
    assert!(req[0].is_pre() && req[0].is_file() && !req[0].is_rich());
    assert!(req[1].is_rich());
    assert_eq!(req[1].name(), "(bar >= 2 or baz)");
    match req[1].dep().unwrap() {
        Dep::Rich(RichDep::Or(ops)) => assert_eq!(ops.len(), 2),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        (req[2].op(), req[2].epoch(), req[2].version(), req[2].release()),
        (Some(Op::Ge), 0, Some("2.34"), None)
    );
    assert_eq!(req[2].evr_string().as_deref(), Some("2.34"));
    assert!(!req[3].is_pre());
    assert_eq!(req[3].to_string(), "qux < 1:5-1");
    assert_eq!(req[3].dep().unwrap().to_string(), "qux < 1:5-1");

    assert_eq!(foo.deps(DepKind::Conflicts)[0].to_string(), "oldfoo <= 0.9");
    assert_eq!(foo.obsoletes[0].name(), "foo-legacy");
    assert_eq!(foo.recommends[0].name(), "(foo-doc if foo-devel)");
    assert_eq!(foo.suggests[0].name(), "foo-extras");
    assert_eq!(foo.supplements[0].name(), "(foo-l10n and langpacks-de)");
    assert_eq!(foo.enhances[0].name(), "bar");

    let bar = &pkgs[1];
    assert_eq!((bar.epoch, &*bar.summary, bar.sourcerpm.is_none()), (0, "", true));
    assert!(bar.requires.is_empty() && bar.files.is_empty());
    let src = &pkgs[2];
    assert_eq!((&*src.arch, src.sourcerpm.as_deref(), src.requires.len()), ("src", None, 1));
}

#[test]
fn primary_iterator_and_callback_agree() {
    let mut reader = PrimaryReader::new(PRIMARY.as_bytes(), "primary.xml");
    let names: Vec<String> = (&mut reader).map(|p| p.unwrap().name.to_string()).collect();
    assert_eq!(names, ["foo", "bar", "foo"]);
    assert_eq!(reader.declared_count(), Some(3));
    let mut seen = Vec::new();
    let n = parse_primary(PRIMARY.as_bytes(), "primary.xml", |p| seen.push(p.arch.to_string()))
        .unwrap();
    assert_eq!((n, seen), (3, vec!["x86_64".to_owned(), "noarch".to_owned(), "src".to_owned()]));
}

#[test]
fn primary_empty_metadata() {
    let doc = r#"<?xml version="1.0"?><metadata packages="0"/>"#;
    assert!(read_primary(doc.as_bytes(), "p").unwrap().is_empty());
    let doc = r#"<metadata packages="0">
</metadata>"#;
    assert!(read_primary(doc.as_bytes(), "p").unwrap().is_empty());
}

fn malformed(doc: &str) -> String {
    match read_primary(doc.as_bytes(), "p.xml") {
        Err(RepodataError::Malformed { file, message, .. }) => {
            assert_eq!(file, "p.xml");
            message
        }
        other => panic!("expected Malformed for {doc:?}, got {other:?}"),
    }
}

#[test]
fn primary_malformed_inputs() {
    let pkg = |inner: &str| {
        format!(
            "<metadata><package><name>a</name><arch>x</arch><version ver=\"1\" rel=\"1\"/>{inner}</package></metadata>"
        )
    };
    assert!(malformed(&pkg("<format><rpm:requires><rpm:entry name=\"b\" flags=\"XX\" ver=\"1\"/></rpm:requires></format>")).contains("flags"));
    assert!(malformed(&pkg("<format><rpm:requires><rpm:entry name=\"b\" flags=\"EQ\" epoch=\"x\" ver=\"1\"/></rpm:requires></format>")).contains("epoch"));
    assert!(
        malformed(&pkg(
            "<format><rpm:requires><rpm:entry flags=\"EQ\" ver=\"1\"/></rpm:requires></format>"
        ))
        .contains("name")
    );
    assert!(malformed(&pkg("<summary>&nosuch;</summary>")).contains("entity"));
    malformed(&pkg("<summary>x</name>"));
    malformed("<metadata><package><arch>x</arch><version ver=\"1\"/></package></metadata>");
    malformed("<metadatum/>");
    malformed("just text, no element");
    malformed(&pkg("<version epoch=\"99999999999\" ver=\"1\"/>"));
}

#[test]
fn primary_every_truncation_is_an_error() {
    let doc = PRIMARY.as_bytes();
    let mut truncated = 0;
    for cut in 0..doc.len() - 1 {
        // Cutting only trailing whitespace after </metadata> leaves a complete document.
        if doc[..cut].ends_with(b"</metadata>") || doc[..cut].ends_with(b"</metadata>\n") {
            continue;
        }
        match read_primary(&doc[..cut], "p") {
            Err(RepodataError::Truncated { .. }) => truncated += 1,
            Err(RepodataError::Malformed { .. }) => {}
            other => panic!("cut at {cut}: expected an error, got {other:?}"),
        }
    }
    // Malformed is only acceptable where the cut splits a reference like `&am`.
    assert!(truncated > doc.len() * 9 / 10, "{truncated} of {}", doc.len());
}

#[test]
fn filelists_reader_and_merge() {
    let entries: Vec<_> =
        FilelistsReader::new(FILELISTS.as_bytes(), "f").map(|e| e.unwrap()).collect();
    assert_eq!(entries.len(), 3);
    assert_eq!((&*entries[0].pkgid, entries[0].epoch, &*entries[0].version), ("aaaa", 2, "1.0"));
    assert_eq!(&*entries[0].files[2], "/usr/share/foo/a & b");

    let mut pkgs = read_primary(PRIMARY.as_bytes(), "p").unwrap();
    let merged = merge_filelists(&mut pkgs, FILELISTS.as_bytes(), "f").unwrap();
    assert_eq!(merged, 2);
    let files: Vec<&str> = pkgs[0].files.iter().map(|f| &**f).collect();
    assert_eq!(files, ["/usr/bin/foo", "/etc/foo", "/usr/share/foo/a & b", "/var/log/foo.log"]);
    assert_eq!(pkgs[1].files.iter().map(|f| &**f).collect::<Vec<_>>(), ["/usr/share/bar"]);
    assert!(pkgs[2].files.is_empty());
}

#[test]
fn filelists_shared_pkgid_matched_by_name() {
    let primary = "<metadata><package><name>A</name><arch>x</arch><version ver=\"1\" rel=\"1\"/><checksum>id</checksum></package>\
        <package><name>bar</name><arch>x</arch><version ver=\"1\" rel=\"1\"/><checksum>id</checksum></package></metadata>";
    let filelists = "<filelists><package pkgid=\"id\" name=\"bar\" arch=\"x\"><file>/bar</file></package></filelists>";
    let mut pkgs = read_primary(primary.as_bytes(), "p").unwrap();
    merge_filelists(&mut pkgs, filelists.as_bytes(), "f").unwrap();
    assert!(pkgs[0].files.is_empty());
    assert_eq!(&*pkgs[1].files[0], "/bar");
}

#[test]
fn filelists_truncated_and_malformed() {
    let doc = FILELISTS.as_bytes();
    let cut = &doc[..doc.len() / 2];
    let err = FilelistsReader::new(cut, "f").find_map(Result::err).unwrap();
    assert!(matches!(err, RepodataError::Truncated { .. }), "{err:?}");
    let bad = "<filelists><package name=\"x\"><file>/a</file></package></filelists>";
    let err = FilelistsReader::new(bad.as_bytes(), "f").find_map(Result::err).unwrap();
    assert!(matches!(err, RepodataError::Malformed { .. }), "{err:?}");
}

#[test]
fn comps_groups() {
    let groups = read_comps(COMPS.as_bytes(), "comps.xml").unwrap();
    assert_eq!(groups.len(), 2);
    let g = &groups[0];
    assert_eq!((g.id.as_str(), g.name.as_str()), ("build", "Build & Co"));
    let kinds: Vec<_> = g.packages.iter().map(|p| (p.name.as_str(), p.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("bash", GroupPackageType::Mandatory),
            ("gcc", GroupPackageType::Mandatory),
            ("make", GroupPackageType::Default),
            ("ccache", GroupPackageType::Optional),
            ("foo-devel", GroupPackageType::Conditional),
        ]
    );
    assert_eq!(g.packages[4].requires.as_deref(), Some("foo"));
    assert_eq!(g.install_names(), ["bash", "gcc", "make"]);
    assert_eq!((groups[1].id.as_str(), groups[1].packages.len()), ("empty", 0));
}

#[test]
fn comps_errors() {
    let bad_type = "<comps><group><id>g</id><packagelist><packagereq type=\"weird\">a</packagereq></packagelist></group></comps>";
    assert!(matches!(read_comps(bad_type.as_bytes(), "c"), Err(RepodataError::Malformed { .. })));
    let no_id = "<comps><group><name>g</name></group></comps>";
    assert!(matches!(read_comps(no_id.as_bytes(), "c"), Err(RepodataError::Malformed { .. })));
    let cut = &COMPS.as_bytes()[..COMPS.len() / 2];
    assert!(matches!(read_comps(cut, "c"), Err(RepodataError::Truncated { .. })));
    assert!(matches!(read_comps(&b""[..], "c"), Err(RepodataError::Truncated { .. })));
}

const REPOMD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1783764997</revision>
  <tags><content>binary-x86_64</content></tags>
  <data type="primary">
    <checksum type="sha256">EB3D</checksum>
    <open-checksum type="sha256">0f08</open-checksum>
    <location href="repodata/eb3d-primary.xml.zst"/>
    <timestamp>1783764997</timestamp>
    <size>7758969</size>
    <open-size>100163296</open-size>
  </data>
  <data type="group">
    <checksum type="sha">c308</checksum>
    <location href="repodata/comps.xml"/>
  </data>
  <data type="group_gz">
    <checksum type="sha512">91d7</checksum>
    <location href="repodata/comps.xml.gz"/>
  </data>
</repomd>
"#;

#[test]
fn repomd_entries() {
    let md = Repomd::parse(REPOMD.as_bytes(), "repomd.xml").unwrap();
    assert_eq!(md.revision.as_deref(), Some("1783764997"));
    assert_eq!(md.data.len(), 3);
    let p = md.primary().unwrap();
    assert_eq!(p.location_href, "repodata/eb3d-primary.xml.zst");
    let c = p.checksum.as_ref().unwrap();
    assert_eq!((c.kind.as_str(), c.value.as_str()), ("sha256", "eb3d"));
    assert_eq!(p.open_checksum.as_ref().unwrap().value, "0f08");
    assert_eq!(
        (p.size, p.open_size, p.timestamp),
        (Some(7_758_969), Some(100_163_296), Some(1_783_764_997))
    );
    assert!(md.filelists().is_none());
    assert_eq!(md.group().unwrap().kind, "group_gz");
    assert_eq!(md.get("group").unwrap().checksum.as_ref().unwrap().kind, "sha");
    assert_eq!(p.relative_path().unwrap(), std::path::Path::new("repodata/eb3d-primary.xml.zst"));
}

#[test]
fn repomd_errors() {
    let no_primary = "<repomd><data type=\"filelists\"><location href=\"f.xml\"/></data></repomd>";
    let md = Repomd::parse(no_primary.as_bytes(), "r").unwrap();
    assert!(matches!(md.primary(), Err(RepodataError::Missing { .. })));
    let no_location = "<repomd><data type=\"primary\"><size>1</size></data></repomd>";
    assert!(matches!(
        Repomd::parse(no_location.as_bytes(), "r"),
        Err(RepodataError::Malformed { .. })
    ));
    let bad_size =
        "<repomd><data type=\"primary\"><location href=\"p\"/><size>big</size></data></repomd>";
    assert!(matches!(
        Repomd::parse(bad_size.as_bytes(), "r"),
        Err(RepodataError::Malformed { .. })
    ));
    let cut = &REPOMD.as_bytes()[..REPOMD.len() - 20];
    assert!(matches!(Repomd::parse(cut, "r"), Err(RepodataError::Truncated { .. })));
    for href in ["../../etc/passwd", "/etc/passwd", "http://evil/x", "repodata/../../x", ""] {
        let doc =
            format!("<repomd><data type=\"primary\"><location href=\"{href}\"/></data></repomd>");
        let parsed = Repomd::parse(doc.as_bytes(), "r");
        let ok = parsed.as_ref().ok().and_then(|m| m.primary().ok()).map(|d| d.relative_path());
        assert!(!matches!(ok, Some(Ok(_))), "{href:?} accepted");
    }
}
