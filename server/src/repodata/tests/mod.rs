//! Tests of the repodata module: parsers on hand-written and conformance metadata,
//! compression and checksum handling, and the cache against a local HTTP server.
//! Fixture repositories are written with real compression and real sha256 sums.

mod cache;
mod load;
mod parsers;

use std::io::Write;
use std::path::{Path, PathBuf};

use super::checksum::{ChecksumKind, Hasher};
use super::compress::Compression;

/// Path of a file under /work/shared (works from the server crate and scratch crates).
pub(super) fn shared(rel: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")).join(rel)
}

pub(super) fn sha256_hex(data: &[u8]) -> String {
    let mut h = Hasher::new(ChecksumKind::Sha256);
    h.update(data);
    h.finish_hex()
}

pub(super) fn compress(data: &[u8], how: Compression) -> Vec<u8> {
    match how {
        Compression::None => data.to_vec(),
        Compression::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        Compression::Xz => {
            let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        Compression::Zstd => zstd::encode_all(data, 3).unwrap(),
    }
}

pub(super) fn ext(how: Compression) -> &'static str {
    match how {
        Compression::None => "",
        Compression::Gzip => ".gz",
        Compression::Xz => ".xz",
        Compression::Zstd => ".zst",
    }
}

/// One metadata file of a fixture repository.
pub(super) struct Meta<'a> {
    pub kind: &'a str,
    pub base_name: &'a str,
    pub xml: &'a [u8],
    pub how: Compression,
}

/// Writes `dir/repodata/{files}` and a `repomd.xml` with correct checksums and sizes.
/// Returns the repomd text.
pub(super) fn write_repo(dir: &Path, files: &[Meta<'_>]) -> String {
    let repodata = dir.join("repodata");
    std::fs::create_dir_all(&repodata).unwrap();
    let mut repomd = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<repomd xmlns=\"http://linux.duke.edu/metadata/repo\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\">\n  <revision>42</revision>\n",
    );
    for m in files {
        let stored = compress(m.xml, m.how);
        let sum = sha256_hex(&stored);
        let name = format!("{sum}-{}{}", m.base_name, ext(m.how));
        std::fs::write(repodata.join(&name), &stored).unwrap();
        repomd.push_str(&format!(
            "  <data type=\"{}\">\n    <checksum type=\"sha256\">{sum}</checksum>\n    <open-checksum type=\"sha256\">{}</open-checksum>\n    <location href=\"repodata/{name}\"/>\n    <timestamp>1</timestamp>\n    <size>{}</size>\n    <open-size>{}</open-size>\n  </data>\n",
            m.kind,
            sha256_hex(m.xml),
            stored.len(),
            m.xml.len()
        ));
    }
    repomd.push_str("</repomd>\n");
    std::fs::write(repodata.join("repomd.xml"), &repomd).unwrap();
    repomd
}

/// A small primary.xml exercising entities, rich deps, pre-requires and optional parts.
pub(super) const PRIMARY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="3">
<package type="rpm">
  <name>foo</name>
  <arch>x86_64</arch>
  <version epoch="2" ver="1.0" rel="3.fc40"/>
  <checksum type="sha256" pkgid="YES">AAAA</checksum>
  <summary>Tools &amp; &lt;things&gt; &#65;&#x42; <![CDATA[<raw>]]></summary>
  <description>Long text &amp; more</description>
  <location href="Packages/f/foo-1.0-3.fc40.x86_64.rpm"/>
  <format>
    <rpm:sourcerpm>foo-1.0-3.fc40.src.rpm</rpm:sourcerpm>
    <rpm:provides>
      <rpm:entry name="foo" flags="EQ" epoch="2" ver="1.0" rel="3.fc40"/>
      <rpm:entry name="foo(x86-64)" flags="EQ" epoch="2" ver="1.0" rel="3.fc40"/>
      <rpm:entry name="libfoo.so.1()(64bit)"/>
    </rpm:provides>
    <rpm:requires>
      <rpm:entry name="/bin/sh" pre="1"/>
      <rpm:entry name="(bar &gt;= 2 or baz)"/>
      <rpm:entry name="glibc" flags="GE" ver="2.34"/>
      <rpm:entry name="qux" flags="LT" epoch="1" ver="5" rel="1" pre="0"></rpm:entry>
    </rpm:requires>
    <rpm:conflicts>
      <rpm:entry name="oldfoo" flags="LE" epoch="0" ver="0.9"/>
    </rpm:conflicts>
    <rpm:obsoletes><rpm:entry name="foo-legacy"/></rpm:obsoletes>
    <rpm:recommends><rpm:entry name="(foo-doc if foo-devel)"/></rpm:recommends>
    <rpm:suggests><rpm:entry name="foo-extras"/></rpm:suggests>
    <rpm:supplements><rpm:entry name="(foo-l10n and langpacks-de)"/></rpm:supplements>
    <rpm:enhances><rpm:entry name="bar"/></rpm:enhances>
    <file>/usr/bin/foo</file>
    <file type="dir">/etc/foo</file>
  </format>
</package>
<package type="rpm">
  <name>bar</name>
  <arch>noarch</arch>
  <version ver="2.5" rel="1"/>
  <checksum type="sha256" pkgid="YES">bbbb</checksum>
  <location href="bar-2.5-1.noarch.rpm"/>
  <format>
    <rpm:provides><rpm:entry name="bar" flags="EQ" epoch="0" ver="2.5" rel="1"/></rpm:provides>
  </format>
</package>
<package type="rpm">
  <name>foo</name>
  <arch>src</arch>
  <version epoch="2" ver="1.0" rel="3.fc40"/>
  <checksum type="sha256" pkgid="YES">cccc</checksum>
  <summary/>
  <location href="foo-1.0-3.fc40.src.rpm"/>
  <format><rpm:sourcerpm/><rpm:requires><rpm:entry name="gcc"/></rpm:requires></format>
</package>
</metadata>
"#;

pub(super) const FILELISTS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="3">
<package pkgid="aaaa" name="foo" arch="x86_64">
  <version epoch="2" ver="1.0" rel="3.fc40"/>
  <file>/usr/bin/foo</file>
  <file type="dir">/etc/foo</file>
  <file>/usr/share/foo/a &amp; b</file>
  <file type="ghost">/var/log/foo.log</file>
</package>
<package pkgid="bbbb" name="bar" arch="noarch">
  <version epoch="0" ver="2.5" rel="1"/>
  <file>/usr/share/bar</file>
</package>
<package pkgid="ffff" name="unknown" arch="noarch"><version epoch="0" ver="1" rel="1"/><file>/x</file></package>
</filelists>
"#;

pub(super) const COMPS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps>
  <!-- a comment -->
  <group>
    <id>build</id>
    <name>Build &amp; Co</name>
    <name xml:lang="de">Bauen</name>
    <description>x</description>
    <packagelist>
      <packagereq type="mandatory">bash</packagereq>
      <packagereq>gcc</packagereq>
      <packagereq type="default">make</packagereq>
      <packagereq type="optional">ccache</packagereq>
      <packagereq type="conditional" requires="foo">foo-devel</packagereq>
    </packagelist>
  </group>
  <category>
    <id>cat</id>
    <name>Category</name>
    <grouplist><groupid>build</groupid></grouplist>
  </category>
  <group>
    <id>empty</id>
  </group>
</comps>
"#;
