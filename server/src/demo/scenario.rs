//! The demo's Koji world, generated: a Fedora-like collection of 100–300 source packages
//! (the build group, a layered set of C libraries with `-devel` subpackages, a Python
//! stack and applications using them) with real dependency structure, and a script of
//! updates — a new repo every round: routine version bumps, one update that breaks its
//! dependents' builds, one that makes packages unresolvable, and one that fixes both.
//!
//! Pure and deterministic: the same options give the same scenario TOML (the format of
//! `kojisim/SCENARIO.md`), so `koschei demo --print-scenario > s.toml` and
//! `koschei kojisim --data s.toml` reproduce the demo's hub.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoScenarioOptions {
    /// Source packages in the collection (clamped to 100..=300).
    pub packages: usize,
    /// Seconds from the start to the first scripted update.
    pub first_update: f64,
    /// Seconds between scripted updates (each one ends with a new repo).
    pub round: f64,
    /// Scripted updates in all (the first four are the story, the rest routine bumps).
    pub rounds: usize,
}

impl Default for DemoScenarioOptions {
    fn default() -> Self {
        DemoScenarioOptions { packages: 200, first_update: 20.0, round: 30.0, rounds: 240 }
    }
}

/// The package whose update breaks every build against it, and the versions involved.
pub const BREAKING: (&str, &str, &str) = ("libyaml", "0.3.0", "0.3.1");
/// The package whose update needs a dependency that does not exist yet.
pub const UNRESOLVABLE: &str = "python-docutils";
/// The dependency the unresolvable update needs (provided by the fix).
pub const MISSING_DEP: &str = "python3-roman >= 4.0";

/// The new package whose first build provides [`MISSING_DEP`]: in Koji's package list from
/// the start, not among [`DemoScenario::packages`] (Koschei does not track it).
pub const FIX_PACKAGE: &str = "python-roman";

/// One scripted update, for the demo's own description of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptedUpdate {
    /// Seconds after the start.
    pub at: f64,
    /// What it does, in words.
    pub summary: String,
}

/// The generated scenario: TOML text and the timeline of its updates.
#[derive(Debug, Clone)]
pub struct DemoScenario {
    /// Scenario TOML (kojisim/SCENARIO.md).
    pub toml: String,
    /// Names of the source packages with builds (the ones the demo tracks).
    pub packages: Vec<String>,
    /// The scripted updates, in order.
    pub timeline: Vec<ScriptedUpdate>,
}

// ---- the package universe --------------------------------------------------------------

/// A library: name, version, soname, libraries it links against.
type Lib = (&'static str, &'static str, &'static str, &'static [&'static str]);
/// A Python module: name (without `python-`), version, arch-specific, Requires (module
/// names), extra BuildRequires.
type PyModule =
    (&'static str, &'static str, bool, &'static [&'static str], &'static [&'static str]);

/// The libraries.
const LIBS: &[Lib] = &[
    ("zlib", "1.3.1", "libz.so.1", &[]),
    ("bzip2", "1.0.8", "libbz2.so.1", &[]),
    ("xz", "5.6.2", "liblzma.so.5", &[]),
    ("lz4", "1.9.4", "liblz4.so.1", &[]),
    ("zstd", "1.5.6", "libzstd.so.1", &[]),
    ("openssl", "3.2.2", "libssl.so.3", &["zlib"]),
    ("libffi", "3.4.6", "libffi.so.8", &[]),
    ("ncurses", "6.5", "libncursesw.so.6", &[]),
    ("readline", "8.2", "libreadline.so.8", &["ncurses"]),
    ("libedit", "3.1", "libedit.so.0", &["ncurses"]),
    ("expat", "2.6.2", "libexpat.so.1", &[]),
    ("pcre2", "10.44", "libpcre2-8.so.0", &[]),
    ("libyaml", "0.2.5", "libyaml-0.so.2", &[]),
    ("sqlite", "3.46.0", "libsqlite3.so.0", &["zlib"]),
    ("libxml2", "2.12.8", "libxml2.so.2", &["zlib", "xz"]),
    ("libxslt", "1.1.42", "libxslt.so.1", &["libxml2"]),
    ("gmp", "6.3.0", "libgmp.so.10", &[]),
    ("mpfr", "4.2.1", "libmpfr.so.6", &["gmp"]),
    ("nettle", "3.10", "libnettle.so.8", &["gmp"]),
    ("libtasn1", "4.19.0", "libtasn1.so.6", &[]),
    ("libunistring", "1.1", "libunistring.so.5", &[]),
    ("libidn2", "2.3.7", "libidn2.so.0", &["libunistring"]),
    ("p11-kit", "0.25.5", "libp11-kit.so.0", &["libtasn1", "libffi"]),
    ("gnutls", "3.8.6", "libgnutls.so.30", &["nettle", "p11-kit", "libidn2", "libtasn1"]),
    ("libuv", "1.48.0", "libuv.so.1", &[]),
    ("json-c", "0.17", "libjson-c.so.5", &[]),
    ("jansson", "2.14", "libjansson.so.4", &[]),
    ("libevent", "2.1.12", "libevent-2.1.so.7", &["openssl"]),
    ("libssh2", "1.11.0", "libssh2.so.1", &["openssl", "zlib"]),
    ("nghttp2", "1.62.1", "libnghttp2.so.14", &[]),
    ("c-ares", "1.32.3", "libcares.so.2", &[]),
    ("libpsl", "0.21.5", "libpsl.so.5", &["libidn2", "libunistring"]),
    ("curl", "8.9.1", "libcurl.so.4", &["openssl", "zlib", "nghttp2", "libssh2", "libpsl", "zstd"]),
    ("glib2", "2.80.4", "libglib-2.0.so.0", &["pcre2", "libffi", "zlib"]),
    ("libpng", "1.6.43", "libpng16.so.16", &["zlib"]),
    ("libjpeg-turbo", "3.0.3", "libjpeg.so.62", &[]),
    ("libtiff", "4.6.0", "libtiff.so.6", &["zlib", "libjpeg-turbo", "zstd", "xz"]),
    ("libwebp", "1.4.0", "libwebp.so.7", &["libpng", "libjpeg-turbo", "libtiff"]),
    ("freetype", "2.13.2", "libfreetype.so.6", &["zlib", "libpng", "bzip2"]),
    ("fontconfig", "2.15.0", "libfontconfig.so.1", &["freetype", "expat"]),
    ("pixman", "0.43.4", "libpixman-1.so.0", &[]),
    ("harfbuzz", "9.0.0", "libharfbuzz.so.0", &["freetype", "glib2"]),
    ("cairo", "1.18.0", "libcairo.so.2", &["pixman", "fontconfig", "freetype", "libpng", "glib2"]),
    (
        "libarchive",
        "3.7.4",
        "libarchive.so.13",
        &["zlib", "xz", "zstd", "lz4", "bzip2", "libxml2", "openssl"],
    ),
    ("libsodium", "1.0.20", "libsodium.so.26", &[]),
    ("protobuf", "3.19.6", "libprotobuf.so.30", &["zlib"]),
];

/// The Python stack.
const PYTHON: &[PyModule] = &[
    ("setuptools", "69.2.0", false, &[], &[]),
    ("six", "1.16.0", false, &[], &[]),
    ("idna", "3.7", false, &[], &[]),
    ("certifi", "2024.7.4", false, &[], &[]),
    ("charset-normalizer", "3.3.2", false, &[], &[]),
    ("urllib3", "2.2.2", false, &["idna"], &[]),
    ("requests", "2.32.3", false, &["urllib3", "idna", "certifi", "charset-normalizer"], &[]),
    ("packaging", "24.1", false, &[], &[]),
    ("pluggy", "1.5.0", false, &[], &[]),
    ("pytest", "8.3.2", false, &["pluggy", "packaging"], &[]),
    ("markupsafe", "2.1.5", true, &[], &["gcc"]),
    ("jinja2", "3.1.4", false, &["markupsafe"], &[]),
    ("pygments", "2.18.0", false, &[], &[]),
    ("babel", "2.15.0", false, &[], &[]),
    ("docutils", "0.21.2", false, &[], &[]),
    (
        "sphinx",
        "7.3.7",
        false,
        &["docutils", "pygments", "jinja2", "babel", "requests", "packaging"],
        &[],
    ),
    ("pyyaml", "6.0.1", true, &[], &["gcc", "libyaml-devel"]),
    ("lxml", "5.2.2", true, &[], &["gcc", "libxml2-devel", "libxslt-devel"]),
    ("cffi", "1.16.0", true, &[], &["gcc", "libffi-devel"]),
    ("cryptography", "42.0.8", true, &["cffi"], &["gcc", "openssl-devel", "python3-cffi"]),
    ("attrs", "23.2.0", false, &[], &[]),
    ("toml", "0.10.2", false, &[], &[]),
    ("wheel", "0.43.0", false, &[], &[]),
    ("pip", "24.1.1", false, &[], &[]),
];

/// Applications: names; their BuildRequires are drawn deterministically from the libraries.
const APPS: &[&str] = &[
    "tmux",
    "htop",
    "git",
    "wget",
    "vim",
    "nano",
    "rsync",
    "jq",
    "screen",
    "less",
    "tree",
    "ncdu",
    "mutt",
    "lynx",
    "w3m",
    "irssi",
    "weechat",
    "znc",
    "nginx",
    "lighttpd",
    "haproxy",
    "squid",
    "bind",
    "dnsmasq",
    "unbound",
    "chrony",
    "openssh",
    "sudo",
    "cronie",
    "logrotate",
    "rsyslog",
    "postfix",
    "dovecot",
    "fetchmail",
    "procmail",
    "aspell",
    "hunspell",
    "enchant",
    "ImageMagick",
    "gimp",
    "inkscape",
    "gnuplot",
    "graphviz",
    "poppler",
    "qpdf",
    "ghostscript",
    "mupdf",
    "zathura",
    "feh",
    "sxiv",
    "mpv",
    "ffmpeg",
    "sox",
    "flac",
    "lame",
    "opus",
    "libvorbis",
    "pulseaudio",
    "alsa-utils",
    "mpd",
    "ncmpcpp",
    "cmus",
    "calcurse",
    "taskwarrior",
    "bc",
    "units",
    "pv",
    "parallel",
    "moreutils",
    "socat",
    "nmap",
    "tcpdump",
    "iperf3",
    "mtr",
    "traceroute",
    "whois",
    "ethtool",
    "iproute",
    "nftables",
    "iptables",
    "fail2ban",
    "borgbackup",
    "restic",
    "duplicity",
    "rclone",
    "unison",
    "fdupes",
    "p7zip",
    "unrar",
    "cabextract",
    "zip",
    "sharutils",
    "dos2unix",
    "recode",
    "gettext",
    "intltool",
    "doxygen",
    "cscope",
    "ctags",
    "global",
    "indent",
    "astyle",
    "valgrind",
    "gdb",
    "strace",
    "ltrace",
    "elfutils",
    "patchutils",
    "quilt",
    "meson",
    "ninja-build",
    "cmake",
    "autoconf",
    "automake",
    "libtool",
    "bison",
    "flex",
    "m4",
    "swig",
    "lua",
    "tcl",
    "ruby",
    "perl-DBI",
    "nodejs",
    "erlang",
];

/// Applications that build their documentation with Sphinx (and so become unresolvable
/// with the broken docutils update).
const SPHINX_DOCS_EVERY: usize = 7;

/// A tiny deterministic generator (xorshift64*), so the demo is the same every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A binary subpackage.
#[derive(Debug, Clone, Default)]
struct Sub {
    name: String,
    noarch: bool,
    provides: Vec<String>,
    requires: Vec<String>,
    files: Vec<String>,
}

/// A source package and its binary packages (the first one is named like the source).
#[derive(Debug, Clone, Default)]
struct Source {
    name: String,
    version: String,
    release: u32,
    noarch: bool,
    build_requires: Vec<String>,
    subs: Vec<Sub>,
}

impl Source {
    fn nvr(&self) -> String {
        format!("{}-{}-{}.fc99", self.name, self.version, self.release)
    }

    fn vr(&self) -> String {
        format!("{}-{}.fc99", self.version, self.release)
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn group_member(name: &str, version: &str, subs: &[(&str, &[&str], &[&str])]) -> Source {
    let mut s = Source {
        name: name.to_owned(),
        version: version.to_owned(),
        release: 1,
        build_requires: strings(&["gcc", "make"]),
        ..Source::default()
    };
    s.subs.push(Sub {
        name: name.to_owned(),
        files: vec![format!("/usr/bin/{name}")],
        ..Sub::default()
    });
    for (sub, provides, requires) in subs {
        s.subs.push(Sub {
            name: (*sub).to_owned(),
            provides: strings(provides),
            requires: strings(requires),
            ..Sub::default()
        });
    }
    s
}

/// The build group's members (what every buildroot installs).
fn build_group() -> (Vec<String>, Vec<Source>) {
    let mut sources = vec![
        group_member("bash", "5.2.26", &[]),
        group_member("coreutils", "9.5", &[]),
        group_member("diffutils", "3.10", &[]),
        group_member("findutils", "4.10.0", &[]),
        group_member("gawk", "5.3.0", &[]),
        group_member("grep", "3.11", &[]),
        group_member("gzip", "1.13", &[]),
        group_member("info", "7.1", &[]),
        group_member("make", "4.4.1", &[]),
        group_member("patch", "2.7.6", &[]),
        group_member("sed", "4.9", &[]),
        group_member("tar", "1.35", &[]),
        group_member("unzip", "6.0", &[]),
        group_member("which", "2.21", &[]),
        group_member("cpio", "2.15", &[]),
        group_member("file", "5.45", &[]),
        group_member("shadow-utils", "4.15.1", &[]),
        group_member("util-linux", "2.40.2", &[]),
        group_member("binutils", "2.42", &[]),
        group_member("glibc", "2.40", &[("glibc-devel", &["libc.so.6()(64bit)"], &["glibc"])]),
        group_member(
            "gcc",
            "14.2.1",
            &[
                ("gcc-c++", &[], &["gcc", "libstdc++-devel"]),
                ("libstdc++-devel", &[], &["glibc-devel"]),
            ],
        ),
        group_member(
            "rpm",
            "4.19.1",
            &[("rpm-build", &[], &["rpm", "bash", "tar", "gzip", "patch", "file"])],
        ),
        group_member(
            "pkgconf",
            "2.1.1",
            &[("pkgconf-pkg-config", &["pkgconfig", "pkg-config"], &["pkgconf"])],
        ),
    ];
    for noarch in ["fedora-release", "redhat-rpm-config"] {
        let mut s = group_member(noarch, "41", &[]);
        s.noarch = true;
        s.subs[0].files.clear();
        sources.push(s);
    }
    // gcc needs binutils and the C library headers, as the real one does.
    if let Some(gcc) = sources.iter_mut().find(|s| s.name == "gcc") {
        gcc.subs[0].requires = strings(&["binutils", "glibc-devel"]);
    }
    let names = strings(&[
        "bash",
        "binutils",
        "coreutils",
        "cpio",
        "diffutils",
        "fedora-release",
        "file",
        "findutils",
        "gawk",
        "gcc",
        "gcc-c++",
        "glibc-devel",
        "grep",
        "gzip",
        "info",
        "make",
        "patch",
        "pkgconf-pkg-config",
        "redhat-rpm-config",
        "rpm-build",
        "sed",
        "shadow-utils",
        "tar",
        "unzip",
        "util-linux",
        "which",
    ]);
    (names, sources)
}

fn library(name: &str, version: &str, soname: &str, links: &[&str]) -> Source {
    let lib_of =
        |dep: &str| LIBS.iter().find(|l| l.0 == dep).map_or(String::new(), |l| l.2.to_owned());
    let mut s = Source {
        name: name.to_owned(),
        version: version.to_owned(),
        release: 1,
        build_requires: strings(&["gcc", "make", "pkgconf-pkg-config"]),
        ..Source::default()
    };
    s.build_requires.extend(links.iter().map(|d| format!("{d}-devel")));
    s.subs.push(Sub {
        name: name.to_owned(),
        provides: vec![format!("{soname}()(64bit)")],
        requires: links.iter().map(|d| format!("{}()(64bit)", lib_of(d))).collect(),
        files: Vec::new(),
        noarch: false,
    });
    s.subs.push(devel_sub(name, version, &s.vr(), links));
    s
}

fn devel_sub(name: &str, version: &str, vr: &str, links: &[&str]) -> Sub {
    let mut requires = vec![format!("{name} = {vr}")];
    requires.extend(links.iter().map(|d| format!("{d}-devel")));
    Sub {
        name: format!("{name}-devel"),
        provides: vec![format!("pkgconfig({}) = {version}", name.trim_start_matches("lib"))],
        requires,
        files: vec![format!("/usr/include/{name}.h")],
        noarch: false,
    }
}

fn python3() -> Source {
    let links =
        ["openssl", "zlib", "libffi", "expat", "sqlite", "ncurses", "readline", "xz", "bzip2"];
    let mut s = library("python3", "3.12.4", "libpython3.12.so.1.0", &links);
    s.subs[0].provides.push("python(abi) = 3.12".to_owned());
    s.subs[0].files.push("/usr/bin/python3".to_owned());
    s
}

fn python_module(m: &str, version: &str, arch: bool, requires: &[&str], brs: &[&str]) -> Source {
    let mut build_requires = strings(&["python3-devel", "python3-setuptools"]);
    if m == "setuptools" {
        build_requires.pop();
    }
    build_requires.extend(brs.iter().map(|b| (*b).to_owned()));
    let mut req = vec!["python(abi) = 3.12".to_owned()];
    req.extend(requires.iter().map(|r| format!("python3-{r}")));
    if m == "pyyaml" {
        req.push("libyaml-0.so.2()(64bit)".to_owned());
    }
    Source {
        name: format!("python-{m}"),
        version: version.to_owned(),
        release: 1,
        noarch: !arch,
        build_requires,
        subs: vec![Sub {
            name: format!("python3-{m}"),
            noarch: !arch,
            provides: vec![format!("python3dist({m}) = {version}")],
            requires: req,
            files: Vec::new(),
        }],
    }
}

fn application(name: &str, index: usize, rng: &mut Rng) -> Source {
    let mut build_requires = strings(&["gcc", "make"]);
    if rng.below(3) == 0 {
        build_requires.push("gcc-c++".to_owned());
    }
    let mut links: Vec<&str> = Vec::new();
    for _ in 0..1 + rng.below(4) {
        // Favour the widely used libraries at the start of the list.
        let i = rng.below(LIBS.len()).min(rng.below(LIBS.len()));
        if !links.contains(&LIBS[i].0) {
            links.push(LIBS[i].0);
        }
    }
    if rng.below(5) == 0 {
        links.push("libyaml");
    }
    links.sort_unstable();
    links.dedup();
    build_requires.extend(links.iter().map(|l| format!("{l}-devel")));
    if index % SPHINX_DOCS_EVERY == 3 {
        build_requires.push("python3-sphinx".to_owned());
    }
    if rng.below(6) == 0 {
        build_requires.push("python3-devel".to_owned());
        build_requires.push("python3-pytest".to_owned());
    }
    let lib_of =
        |dep: &str| LIBS.iter().find(|l| l.0 == dep).map_or(String::new(), |l| l.2.to_owned());
    let version = format!("{}.{}.{}", 1 + rng.below(9), rng.below(20), rng.below(10));
    Source {
        name: name.to_owned(),
        version,
        release: 1 + rng.below(3) as u32,
        noarch: false,
        build_requires,
        subs: vec![Sub {
            name: name.to_owned(),
            requires: links.iter().map(|l| format!("{}()(64bit)", lib_of(l))).collect(),
            files: vec![format!("/usr/bin/{}", name.to_lowercase())],
            ..Sub::default()
        }],
    }
}

// ---- TOML output -----------------------------------------------------------------------

fn q(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| q(s)).collect();
    format!("[{}]", quoted.join(", "))
}

fn write_build(out: &mut String, table: &str, s: &Source) {
    let arches = if s.noarch {
        list(&["noarch".to_owned()])
    } else {
        list(&strings(&["x86_64", "aarch64"]))
    };
    let _ =
        writeln!(out, "\n[[{table}]]\nnvr = {}\ntags = [\"f99\"]\narches = {arches}", q(&s.nvr()));
    let _ = writeln!(out, "build_requires = {}", list(&s.build_requires));
    if s.noarch {
        let _ = writeln!(out, "build_arch = [\"noarch\"]");
    }
    for (i, sub) in s.subs.iter().enumerate() {
        let (provides, requires, files) =
            (list(&sub.provides), list(&sub.requires), list(&sub.files));
        if i == 0 && sub.name == s.name {
            let _ = writeln!(out, "provides = {provides}\nrequires = {requires}\nfiles = {files}");
            continue;
        }
        let _ = writeln!(out, "[[{table}.rpm]]\nname = {}", q(&sub.name));
        if sub.noarch && !s.noarch {
            let _ = writeln!(out, "arch = \"noarch\"");
        }
        let _ = writeln!(out, "provides = {provides}\nrequires = {requires}\nfiles = {files}");
    }
}

/// A version bump: the next patch level (or `to` when given), release 1.
fn bumped(s: &Source, to: Option<&str>) -> Source {
    let mut n = s.clone();
    n.version = to.map_or_else(
        || {
            let mut parts: Vec<String> = s.version.split('.').map(str::to_owned).collect();
            match parts.last_mut().and_then(|p| p.parse::<u64>().ok().map(|v| (p, v))) {
                Some((p, v)) => *p = (v + 1).to_string(),
                None => parts.push("1".to_owned()),
            }
            parts.join(".")
        },
        str::to_owned,
    );
    n.release = 1;
    // Versioned self-references follow the new version.
    let (old_vr, new_vr) = (s.vr(), n.vr());
    for sub in &mut n.subs {
        for r in &mut sub.requires {
            *r = r.replace(&old_vr, &new_vr);
        }
        for p in &mut sub.provides {
            if p.ends_with(&format!(" = {}", s.version)) {
                *p =
                    format!("{} = {}", p.rsplit_once(" = ").map_or(p.as_str(), |x| x.0), n.version);
            }
        }
    }
    n
}

/// Generates the demo scenario.
pub fn generate(opts: &DemoScenarioOptions) -> DemoScenario {
    let wanted = opts.packages.clamp(100, 300);
    let mut rng = Rng(0x4B05_C4E1_D3E0_0001);
    let (group_names, mut sources) = build_group();
    sources.extend(LIBS.iter().map(|(n, v, so, links)| library(n, v, so, links)));
    sources.push(python3());
    sources.extend(PYTHON.iter().map(|(m, v, a, r, b)| python_module(m, v, *a, r, b)));
    let base = sources.len();
    for (i, name) in APPS.iter().take(wanted.saturating_sub(base)).enumerate() {
        sources.push(application(name, i, &mut rng));
    }
    let mut current: BTreeMap<String, Source> =
        sources.iter().map(|s| (s.name.clone(), s.clone())).collect();
    let packages: Vec<String> = current.keys().cloned().collect();

    let mut out = String::from(
        "# Generated by `koschei demo` (server/src/demo/scenario.rs): target f99, build tag\n\
         # f99-build (x86_64 aarch64) -> f99-updates-candidate, both inheriting f99.\n\n",
    );
    out.push_str("start = \"2026-01-01T00:00:00Z\"\n\n[settings]\nsrpm_duration = 2\narch_duration = 5\nrepo_duration = 2\nbuild_tasks = true\n");
    out.push_str(
        "\n[[user]]\nname = \"kojiadmin\"\npassword = \"kojiadmin\"\nperms = [\"admin\"]\n\
         \n[[user]]\nname = \"koschei\"\npassword = \"koschei\"\nperms = [\"repo\"]\n",
    );
    // python-roman is in the package list before its first build (the fix) exists.
    let mut listed = packages.clone();
    listed.push(FIX_PACKAGE.to_owned());
    let _ = writeln!(
        out,
        "\n[[tag]]\nname = \"f99\"\npackages = {}\nowner = \"kojiadmin\"",
        list(&listed)
    );
    let _ = writeln!(
        out,
        "\n[[tag]]\nname = \"f99-build\"\narches = \"x86_64 aarch64\"\nparents = [\"f99\"]\n[tag.groups]\nbuild = {}\nsrpm-build = {}",
        list(&group_names),
        list(&strings(&[
            "bash",
            "fedora-release",
            "redhat-rpm-config",
            "rpm-build",
            "shadow-utils"
        ]))
    );
    out.push_str(
        "\n[[tag]]\nname = \"f99-updates-candidate\"\nparents = [\"f99\"]\n\
         \n[[target]]\nname = \"f99\"\nbuild_tag = \"f99-build\"\ndest_tag = \"f99-updates-candidate\"\n",
    );
    for (name, arches) in [
        ("buildvm-x86-01", "x86_64 i686 noarch"),
        ("buildvm-x86-02", "x86_64 i686 noarch"),
        ("buildvm-a64-01", "aarch64 noarch"),
        ("buildvm-a64-02", "aarch64 noarch"),
    ] {
        let _ = writeln!(
            out,
            "\n[[host]]\nname = \"{name}.kojisim\"\narches = \"{arches}\"\ncapacity = 16.0"
        );
    }
    out.push_str("\n[[host]]\nname = \"createrepo-01.kojisim\"\narches = \"x86_64 noarch\"\ncapacity = 8.0\nchannels = [\"createrepo\"]\n");
    let (breaking, broken_version, fixed_version) = BREAKING;
    let _ = writeln!(
        out,
        "\n[[rule]]\npackage = \"*\"\nbuildroot = {}\noutcome = \"fail\"\nlog = {}",
        q(&format!("{breaking}-devel = {broken_version}")),
        q(&format!(
            "+ /usr/bin/make -O -j4 V=1 VERBOSE=1\n\
             gcc -O2 -flto=auto -g -c src/config.c -o src/config.o\n\
             src/config.c:212:23: error: 'yaml_parser_t' has no member named 'encoding'\n  \
             212 |     if (parser.encoding != YAML_UTF8_ENCODING)\n      \
             |                       ^\n\
             make: *** [Makefile:88: src/config.o] Error 1\n\
             error: Bad exit status from /var/tmp/rpm-tmp.cQ2sLk (%build)\n\
             (built against {breaking} {broken_version})\n"
        ))
    );
    for s in &sources {
        write_build(&mut out, "build", s);
    }

    // The script.
    let mut timeline = Vec::new();
    let routine: Vec<String> = LIBS
        .iter()
        .map(|l| l.0.to_owned())
        .filter(|n| n != breaking)
        .chain(
            PYTHON
                .iter()
                .map(|p| format!("python-{}", p.0))
                .filter(|n| n != UNRESOLVABLE && n != "python-sphinx"),
        )
        .collect();
    for round in 0..opts.rounds {
        let at = opts.first_update + round as f64 * opts.round;
        let mut builds: Vec<Source> = Vec::new();
        let summary = match round {
            0 => {
                for n in ["zlib", "sqlite", "libpng"] {
                    builds.push(bumped(&current[n], None));
                }
                "routine updates: zlib, sqlite, libpng".to_owned()
            }
            1 => {
                builds.push(bumped(&current[breaking], Some(broken_version)));
                format!("{breaking} {broken_version}: every build against it fails")
            }
            2 => {
                let mut b = bumped(&current[UNRESOLVABLE], Some("0.22"));
                b.subs[0].requires.push(MISSING_DEP.to_owned());
                builds.push(b);
                format!(
                    "{UNRESOLVABLE} 0.22 needs {MISSING_DEP}, which no package provides: its users become unresolvable"
                )
            }
            3 => {
                builds.push(bumped(&current[breaking], Some(fixed_version)));
                builds.push(Source {
                    name: FIX_PACKAGE.to_owned(),
                    version: "4.2".to_owned(),
                    release: 1,
                    noarch: true,
                    build_requires: strings(&["python3-devel", "python3-setuptools"]),
                    subs: vec![Sub {
                        name: "python3-roman".to_owned(),
                        noarch: true,
                        provides: strings(&["python3dist(roman) = 4.2"]),
                        requires: strings(&["python(abi) = 3.12"]),
                        files: Vec::new(),
                    }],
                });
                format!(
                    "fixes: {breaking} {fixed_version}, and python-roman 4.2 provides {MISSING_DEP}"
                )
            }
            _ => {
                let mut names = Vec::new();
                for _ in 0..1 + rng.below(3) {
                    let n = &routine[rng.below(routine.len())];
                    if !names.contains(n) {
                        names.push(n.clone());
                    }
                }
                for n in &names {
                    builds.push(bumped(&current[n], None));
                }
                format!("routine updates: {}", names.join(", "))
            }
        };
        let _ = writeln!(out, "\n[[update]]\n# {summary}\nat = {at}\nnew_repo = [\"f99-build\"]");
        for b in builds {
            write_build(&mut out, "update.build", &b);
            current.insert(b.name.clone(), b);
        }
        timeline.push(ScriptedUpdate { at, summary });
    }
    DemoScenario { toml: out, packages, timeline }
}
