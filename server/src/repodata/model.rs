//! The in-memory form of repository metadata: packages with their capabilities and files,
//! and comps groups. Kept compact (one allocation per capability, boxed strings, exact
//! capacities) because a distribution has ~60k packages with dozens of dependencies each.
//!
//! Plain data with accessors; no parsing of XML and no IO here.

use std::fmt;

use crate::rpm::{Dep, DepParseError, Evr, Nevra, Op};

/// Which dependency list of a package a [`Capability`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DepKind {
    /// `rpm:provides`
    Provides,
    /// `rpm:requires`
    Requires,
    /// `rpm:conflicts`
    Conflicts,
    /// `rpm:obsoletes`
    Obsoletes,
    /// `rpm:recommends`
    Recommends,
    /// `rpm:suggests`
    Suggests,
    /// `rpm:supplements`
    Supplements,
    /// `rpm:enhances`
    Enhances,
}

impl DepKind {
    /// The kind for an element's local name (`requires`, …).
    pub fn from_element(name: &str) -> Option<DepKind> {
        Some(match name {
            "provides" => DepKind::Provides,
            "requires" => DepKind::Requires,
            "conflicts" => DepKind::Conflicts,
            "obsoletes" => DepKind::Obsoletes,
            "recommends" => DepKind::Recommends,
            "suggests" => DepKind::Suggests,
            "supplements" => DepKind::Supplements,
            "enhances" => DepKind::Enhances,
            _ => return None,
        })
    }
}

/// One `rpm:entry`: a capability name (or the whole text of a rich dependency) with an
/// optional comparison and EVR, plus the `pre` flag of requires.
///
/// Stored as a single string `name ++ version ++ release` with offsets: 32 bytes plus one
/// heap allocation.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Capability {
    text: Box<str>,
    name_len: u32,
    version_len: u32,
    epoch: u32,
    op: Option<Op>,
    pre: bool,
}

impl Capability {
    /// A capability from its parts. `version` empty means unversioned; `release` empty
    /// means no release. Returns `None` if the parts exceed 4 GiB.
    pub fn from_parts(
        name: &str,
        op: Option<Op>,
        epoch: u32,
        version: &str,
        release: &str,
        pre: bool,
    ) -> Option<Capability> {
        let name_len = u32::try_from(name.len()).ok()?;
        let version_len = u32::try_from(version.len()).ok()?;
        u32::try_from(name.len() + version.len() + release.len()).ok()?;
        let mut text = String::with_capacity(name.len() + version.len() + release.len());
        text.push_str(name);
        text.push_str(version);
        text.push_str(release);
        Some(Capability { text: text.into_boxed_str(), name_len, version_len, epoch, op, pre })
    }

    /// An unversioned capability (or a rich dependency's text). A name over 4 GiB yields
    /// the empty capability.
    pub fn unversioned(name: &str) -> Capability {
        Capability::from_parts(name, None, 0, "", "", false).unwrap_or_default()
    }

    /// The capability name; for a rich dependency, its whole text `(a or b)`.
    pub fn name(&self) -> &str {
        &self.text[..self.name_len as usize]
    }

    /// The comparison operator, if versioned.
    pub fn op(&self) -> Option<Op> {
        self.op
    }

    /// The epoch (0 when absent).
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The version, if any.
    pub fn version(&self) -> Option<&str> {
        let start = self.name_len as usize;
        let v = &self.text[start..start + self.version_len as usize];
        (!v.is_empty()).then_some(v)
    }

    /// The release, if any.
    pub fn release(&self) -> Option<&str> {
        let r = &self.text[(self.name_len + self.version_len) as usize..];
        (!r.is_empty()).then_some(r)
    }

    /// The EVR, if the capability carries a version.
    pub fn evr(&self) -> Option<Evr> {
        self.version().map(|v| Evr::new(self.epoch, v, self.release().map(str::to_owned)))
    }

    /// The EVR as libsolv and rpm print it: `[E:]V[-R]`, epoch omitted when 0.
    pub fn evr_string(&self) -> Option<String> {
        let v = self.version()?;
        let mut s = String::new();
        if self.epoch != 0 {
            s.push_str(&self.epoch.to_string());
            s.push(':');
        }
        s.push_str(v);
        if let Some(r) = self.release() {
            s.push('-');
            s.push_str(r);
        }
        Some(s)
    }

    /// `pre="1"` (a Requires(pre)/PreReq).
    pub fn is_pre(&self) -> bool {
        self.pre
    }

    /// A rich (boolean) dependency: the name starts with `(`.
    pub fn is_rich(&self) -> bool {
        self.name().starts_with('(')
    }

    /// A file capability (`/usr/bin/sh`).
    pub fn is_file(&self) -> bool {
        self.name().starts_with('/')
    }

    /// The typed dependency: rich text parsed by [`Dep::parse`], otherwise name plus
    /// constraint (an operator without version, or a version without operator, is
    /// treated as unversioned).
    pub fn dep(&self) -> Result<Dep, DepParseError> {
        if self.is_rich() {
            return Dep::parse(self.name());
        }
        let constraint = match (self.op, self.evr()) {
            (Some(op), Some(evr)) => Some((op, evr)),
            _ => None,
        };
        Ok(Dep::simple(self.name(), constraint))
    }
}

impl Default for Capability {
    fn default() -> Capability {
        Capability {
            text: Box::from(""),
            name_len: 0,
            version_len: 0,
            epoch: 0,
            op: None,
            pre: false,
        }
    }
}

impl fmt::Display for Capability {
    /// `name`, or `name op [E:]V[-R]` as RPM prints dependencies.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        if let (Some(op), Some(evr)) = (self.op, self.evr_string()) {
            write!(f, " {op} {evr}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Capability({self}{})", if self.pre { ", pre" } else { "" })
    }
}

/// A package's checksum (its `pkgid` when `pkgid="YES"`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PackageChecksum {
    /// Algorithm name as written (`sha256`).
    pub kind: Box<str>,
    /// Hex digest.
    pub value: Box<str>,
}

/// One `<package>` of `primary.xml`, optionally with the files from `filelists.xml`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RepoPackage {
    /// Package name.
    pub name: Box<str>,
    /// Epoch (0 when absent).
    pub epoch: u32,
    /// Version.
    pub version: Box<str>,
    /// Release.
    pub release: Box<str>,
    /// Architecture (`x86_64`, `noarch`, `src`, …).
    pub arch: Box<str>,
    /// `rpm:provides`
    pub provides: Vec<Capability>,
    /// `rpm:requires` (see [`Capability::is_pre`])
    pub requires: Vec<Capability>,
    /// `rpm:conflicts`
    pub conflicts: Vec<Capability>,
    /// `rpm:obsoletes`
    pub obsoletes: Vec<Capability>,
    /// `rpm:recommends`
    pub recommends: Vec<Capability>,
    /// `rpm:suggests`
    pub suggests: Vec<Capability>,
    /// `rpm:supplements`
    pub supplements: Vec<Capability>,
    /// `rpm:enhances`
    pub enhances: Vec<Capability>,
    /// File paths: those listed in primary, merged with filelists when loaded.
    pub files: Vec<Box<str>>,
    /// `rpm:sourcerpm` (absent or empty for source packages).
    pub sourcerpm: Option<Box<str>>,
    /// `<location href>`, relative to the repository base.
    pub location_href: Box<str>,
    /// `<checksum>`; its value is the pkgid that filelists refers to.
    pub checksum: PackageChecksum,
    /// `<summary>`.
    pub summary: Box<str>,
}

impl RepoPackage {
    /// The package's EVR.
    pub fn evr(&self) -> Evr {
        Evr::new(self.epoch, &*self.version, Some(self.release.to_string()))
    }

    /// The package's NEVRA.
    pub fn nevra(&self) -> Nevra {
        Nevra {
            name: self.name.to_string(),
            epoch: self.epoch,
            version: self.version.to_string(),
            release: self.release.to_string(),
            arch: self.arch.to_string(),
        }
    }

    /// `name-[E:]V-R.arch`, epoch omitted when 0 (as libsolv prints it).
    pub fn nevra_string(&self) -> String {
        if self.epoch == 0 {
            format!("{}-{}-{}.{}", self.name, self.version, self.release, self.arch)
        } else {
            format!("{}-{}:{}-{}.{}", self.name, self.epoch, self.version, self.release, self.arch)
        }
    }

    /// The dependency list of one kind.
    pub fn deps(&self, kind: DepKind) -> &[Capability] {
        match kind {
            DepKind::Provides => &self.provides,
            DepKind::Requires => &self.requires,
            DepKind::Conflicts => &self.conflicts,
            DepKind::Obsoletes => &self.obsoletes,
            DepKind::Recommends => &self.recommends,
            DepKind::Suggests => &self.suggests,
            DepKind::Supplements => &self.supplements,
            DepKind::Enhances => &self.enhances,
        }
    }

    /// Mutable access to the dependency list of one kind.
    pub fn deps_mut(&mut self, kind: DepKind) -> &mut Vec<Capability> {
        match kind {
            DepKind::Provides => &mut self.provides,
            DepKind::Requires => &mut self.requires,
            DepKind::Conflicts => &mut self.conflicts,
            DepKind::Obsoletes => &mut self.obsoletes,
            DepKind::Recommends => &mut self.recommends,
            DepKind::Suggests => &mut self.suggests,
            DepKind::Supplements => &mut self.supplements,
            DepKind::Enhances => &mut self.enhances,
        }
    }

    /// The `pkgid` (checksum value) filelists uses to refer to this package.
    pub fn pkgid(&self) -> &str {
        &self.checksum.value
    }
}

/// The `type` of a comps `<packagereq>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupPackageType {
    /// Always installed with the group (the default when `type` is absent).
    Mandatory,
    /// Installed by default.
    Default,
    /// Only on request.
    Optional,
    /// Installed when the package named by `requires` is.
    Conditional,
}

impl GroupPackageType {
    /// The type for a `type` attribute value.
    pub fn from_name(name: &str) -> Option<GroupPackageType> {
        Some(match name {
            "mandatory" => GroupPackageType::Mandatory,
            "default" => GroupPackageType::Default,
            "optional" => GroupPackageType::Optional,
            "conditional" => GroupPackageType::Conditional,
            _ => return None,
        })
    }
}

/// One `<packagereq>` of a comps group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPackage {
    /// Package name.
    pub name: String,
    /// The requirement type.
    pub kind: GroupPackageType,
    /// For conditional entries, the package that triggers it.
    pub requires: Option<String>,
}

/// A comps `<group>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompsGroup {
    /// `<id>`
    pub id: String,
    /// Untranslated `<name>` (empty when absent).
    pub name: String,
    /// `<packagelist>` entries in document order.
    pub packages: Vec<GroupPackage>,
}

impl CompsGroup {
    /// Names of the `mandatory` and `default` packages: what installing the group installs
    /// (the original takes `type in ('default', 'mandatory')`).
    pub fn install_names(&self) -> Vec<&str> {
        self.packages
            .iter()
            .filter(|p| matches!(p.kind, GroupPackageType::Mandatory | GroupPackageType::Default))
            .map(|p| p.name.as_str())
            .collect()
    }
}
