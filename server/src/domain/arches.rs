//! Which architectures a scratch build of an SRPM may use, and how busy Koji's builders for
//! them are (koschei-backend.md §6.3 `srpm_arches`, §6.4 `koji_load`).
//!
//! Pure functions over plain inputs: the SRPM's arch headers (`getRPMHeaders`), the build
//! tag's arches (`getBuildConfig`), the configured `build_arches` and the host list
//! (`listHosts`). Nothing here calls Koji or does any other IO; the caller fetches and passes
//! the answers in.
//!
//! Deliberate difference from the original (spec §12.16): in the `^` exclusion form of
//! `arch_override` the `^` is stripped from **every** item (`"^a ^b"` excludes `a` and `b`;
//! the original excluded `a` and the literal `^b`). Everything else follows the original,
//! including its quirks: `ExclusiveArch` matches spellings literally, an override replaces
//! the header-derived list completely, results keep non-canonical spellings (`i686`,
//! `armv7hl`), and `noarch` turns the load into the *minimum* over all tag arches.

use std::collections::BTreeSet;

/// Koji's `canonArch` (spec §6.2): `i?86`/`athlon` → `i386`, `ia32e` → `x86_64`,
/// `ppc64le` stays, `ppc64*` → `ppc64`, `sparc64*` → `sparc64`, `sparc*` → `sparc`,
/// `alpha*` → `alpha`, `arm*h*` → `armhfp`, `arm*` → `arm`, anything else unchanged.
pub fn canon_arch(arch: &str) -> &str {
    let b = arch.as_bytes();
    if (b.len() == 4 && b[0] == b'i' && &b[2..] == b"86") || arch == "athlon" {
        "i386"
    } else if arch == "ia32e" {
        "x86_64"
    } else if arch == "ppc64le" {
        "ppc64le"
    } else if arch.starts_with("ppc64") {
        "ppc64"
    } else if arch.starts_with("sparc64") {
        "sparc64"
    } else if arch.starts_with("sparc") {
        "sparc"
    } else if arch.starts_with("alpha") {
        "alpha"
    } else if let Some(rest) = arch.strip_prefix("arm") {
        if rest.contains('h') { "armhfp" } else { "arm" }
    } else {
        arch
    }
}

/// The arch headers of an SRPM as returned by `getRPMHeaders` (missing header = empty list).
/// A package whose SRPM was not found (`{}` from Koji) has no `SrpmHeaders` at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SrpmHeaders {
    /// `BUILDARCHS` (e.g. `["noarch"]` for noarch packages).
    pub build_archs: Vec<String>,
    /// `EXCLUSIVEARCH`.
    pub exclusive_arch: Vec<String>,
    /// `EXCLUDEARCH`.
    pub exclude_arch: Vec<String>,
}

/// A package's `arch_override`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchOverride<'a> {
    /// No override (NULL, empty or only whitespace).
    None,
    /// Build exactly on these arches (replaces what the headers say).
    Only(Vec<&'a str>),
    /// Drop the arches whose canonical name is one of these (`^`-prefixed form; every item's
    /// leading `^` is stripped, spec §12.16 fixed).
    Exclude(Vec<&'a str>),
}

impl<'a> ArchOverride<'a> {
    /// Parse the stored text: `"x86_64 i386"` → `Only`, `"^armhfp ^i386"` → `Exclude`. In the
    /// `Only` form, items starting with `^` are ignored (they could never match an allowed
    /// arch in the original either).
    pub fn parse(text: Option<&'a str>) -> Self {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return ArchOverride::None;
        };
        let items = text.split_whitespace();
        if text.starts_with('^') {
            let list = items.map(|i| i.trim_start_matches('^')).filter(|i| !i.is_empty());
            ArchOverride::Exclude(list.collect())
        } else {
            ArchOverride::Only(items.filter(|i| !i.starts_with('^')).collect())
        }
    }
}

/// A non-empty set of arches a build may use, in sorted order (original spellings kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchSet(BTreeSet<String>);

impl ArchSet {
    /// The arches, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// Number of arches.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Never true for a set returned by [`srpm_arches`]; present for completeness.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `arch` is in the set (exact spelling).
    pub fn contains(&self, arch: &str) -> bool {
        self.0.contains(arch)
    }

    /// Whether the build is noarch (then no `arch_override` is sent and the load is the
    /// minimum over all tag arches).
    pub fn is_noarch(&self) -> bool {
        self.contains("noarch")
    }

    /// The `arch_override` build option to send to Koji: `None` for noarch builds, else the
    /// arches joined by spaces (sorted, so the text is deterministic).
    pub fn koji_arch_override(&self) -> Option<String> {
        if self.is_noarch() { None } else { Some(self.iter().collect::<Vec<_>>().join(" ")) }
    }

    /// The arches `listHosts` must be asked about for [`koji_load`]: all tag arches for a
    /// noarch build, else the set itself.
    pub fn load_query_arches(&self, all_arches: &[String]) -> Vec<String> {
        if self.is_noarch() { all_arches.to_vec() } else { self.0.iter().cloned().collect() }
    }
}

impl<S: Into<String>> FromIterator<S> for ArchSet {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        ArchSet(iter.into_iter().map(Into::into).collect())
    }
}

/// Result of [`srpm_arches`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchDecision {
    /// The SRPM was not found (scheduler skip reason 1).
    NoSrpm,
    /// No arch is allowed (scheduler skip reason 2).
    NoArch,
    /// Build on these arches.
    Arches(ArchSet),
}

/// The arches a scratch build of an SRPM may use (spec §6.3).
///
/// * `headers`: `None` when Koji does not know the SRPM → [`ArchDecision::NoSrpm`].
/// * `all_arches`: the build tag's arches (`getBuildConfig(build_tag).arches`, split).
/// * `arch_override`: the package's stored override text.
/// * `build_arches`: `koji.build_arches` from the configuration.
///
/// Steps: start from `BUILDARCHS` or else the tag arches; keep only `EXCLUSIVEARCH` entries
/// (literal match) when given; drop `EXCLUDEARCH` entries; add `noarch` when it is in
/// `BUILDARCHS` or `EXCLUSIVEARCH` and not excluded; apply the override (replace, or drop by
/// canonical name); finally keep `noarch` and the arches whose canonical name is both a tag
/// arch and a build arch.
pub fn srpm_arches(
    headers: Option<&SrpmHeaders>,
    all_arches: &[String],
    arch_override: Option<&str>,
    build_arches: &[String],
) -> ArchDecision {
    let Some(h) = headers else { return ArchDecision::NoSrpm };
    let has = |list: &[String], a: &str| list.iter().any(|x| x == a);
    let base = if h.build_archs.is_empty() { all_arches } else { &h.build_archs };
    let mut archlist: Vec<&str> = base
        .iter()
        .map(String::as_str)
        .filter(|a| h.exclusive_arch.is_empty() || has(&h.exclusive_arch, a))
        .filter(|a| !has(&h.exclude_arch, a))
        .collect();
    if !has(&h.exclude_arch, "noarch")
        && (has(&h.build_archs, "noarch") || has(&h.exclusive_arch, "noarch"))
    {
        archlist.push("noarch");
    }
    match ArchOverride::parse(arch_override) {
        ArchOverride::None => {}
        ArchOverride::Only(list) => archlist = list,
        ArchOverride::Exclude(list) => {
            let excluded: BTreeSet<&str> = list.into_iter().map(canon_arch).collect();
            archlist.retain(|a| !excluded.contains(canon_arch(a)));
        }
    }
    let tag_canon: BTreeSet<&str> = all_arches.iter().map(|a| canon_arch(a)).collect();
    let allowed: BTreeSet<&str> =
        build_arches.iter().map(|a| canon_arch(a)).filter(|a| tag_canon.contains(a)).collect();
    let set: ArchSet = archlist
        .into_iter()
        .filter(|a| *a == "noarch" || allowed.contains(canon_arch(a)))
        .collect();
    if set.is_empty() { ArchDecision::NoArch } else { ArchDecision::Arches(set) }
}

/// One builder host as returned by `listHosts` (only the fields the load needs).
#[derive(Debug, Clone, PartialEq)]
pub struct HostSnapshot {
    /// Space-separated canonical arches the host builds for (e.g. `"i386 x86_64"`).
    pub arches: String,
    /// Capacity (task weight units).
    pub capacity: f64,
    /// Current task load.
    pub task_load: f64,
    /// Whether the host takes new tasks; a host that is not ready counts as fully loaded.
    pub ready: bool,
}

/// Koji's load for a build on `arches` (spec §6.4), from the hosts `listHosts` returned for
/// [`ArchSet::load_query_arches`].
///
/// Per canonical arch: `Σ used / Σ capacity` over the hosts listing that arch, where `used`
/// is `min(task_load, capacity)` for a ready host and `capacity` otherwise; an arch without
/// capacity counts as 1.0. The result is the maximum over the arches — or, for a noarch
/// build (which Koji may place on any arch), the minimum over all tag arches. With no arch
/// at all the result is 0.0 (max) or 1.0 (noarch min), as in the original.
pub fn koji_load(hosts: &[HostSnapshot], all_arches: &[String], arches: &ArchSet) -> f64 {
    let noarch = arches.is_noarch();
    let canon: BTreeSet<&str> = if noarch {
        all_arches.iter().map(|a| canon_arch(a)).collect()
    } else {
        arches.iter().map(canon_arch).collect()
    };
    let per_arch = canon.into_iter().map(|arch| {
        let (mut cap, mut used) = (0.0_f64, 0.0_f64);
        for h in hosts.iter().filter(|h| h.arches.split_whitespace().any(|a| a == arch)) {
            cap += h.capacity;
            used += if h.ready { h.task_load.min(h.capacity) } else { h.capacity };
        }
        if cap != 0.0 { used / cap } else { 1.0 }
    });
    if noarch { per_arch.fold(1.0, f64::min) } else { per_arch.fold(0.0, f64::max) }
}

#[cfg(test)]
#[path = "arches_tests.rs"]
mod tests;
