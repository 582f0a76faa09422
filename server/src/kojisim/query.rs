//! Read queries over the simulated hub's history: full inheritance, tagged builds at an
//! event (with inheritance and `latest`), inherited package lists and repo contents.
//!
//! Pure functions of [`State`]; nothing here mutates or encodes.

use std::collections::{BTreeMap, BTreeSet};

use super::state::{PkgListEntry, Repo, Rpm, State, build_state};

/// One tagged build as `listTagged` sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedBuild {
    /// The build.
    pub build_id: i64,
    /// The tag it was found in (may be an ancestor).
    pub tag_id: i64,
    /// The tagging event.
    pub create_event: i64,
}

/// Tag ids in inheritance order: the tag itself, then parents depth-first by priority
/// (lower first), each tag once. Cycles are cut.
pub fn inheritance(state: &State, tag_id: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    walk(state, tag_id, &mut out, &mut seen);
    out
}

fn walk(state: &State, tag_id: i64, out: &mut Vec<i64>, seen: &mut BTreeSet<i64>) {
    if !seen.insert(tag_id) || !state.tags.contains_key(&tag_id) {
        return;
    }
    out.push(tag_id);
    if let Some(tag) = state.tags.get(&tag_id) {
        let mut parents = tag.parents.clone();
        parents.sort_by_key(|p| p.priority);
        for p in parents {
            walk(state, p.parent_id, out, seen);
        }
    }
}

fn active_at(create: i64, revoke: Option<i64>, event: Option<i64>) -> bool {
    match event {
        None => revoke.is_none(),
        Some(e) => create <= e && revoke.is_none_or(|r| r > e),
    }
}

/// Effective package list of a tag at an event: the first entry per package along the
/// inheritance chain (when `inherited`), blocked entries included.
pub fn package_list(
    state: &State,
    tag_id: i64,
    event: Option<i64>,
    inherited: bool,
) -> Vec<&PkgListEntry> {
    let chain = if inherited { inheritance(state, tag_id) } else { vec![tag_id] };
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for t in chain {
        for entry in state.pkg_list.iter().filter(|e| e.tag_id == t) {
            if event.is_some_and(|e| entry.create_event > e) {
                continue;
            }
            if seen.insert(entry.package_id) {
                out.push(entry);
            }
        }
    }
    out
}

/// Builds tagged in `tag_id` at `event` (current when `None`): COMPLETE builds whose
/// package is listed and not blocked; most recently tagged first, walking the inheritance
/// chain when `inherit`; at most `latest` per package when given; only `package` when given.
pub fn list_tagged(
    state: &State,
    tag_id: i64,
    event: Option<i64>,
    inherit: bool,
    latest: Option<usize>,
    package: Option<&str>,
) -> Vec<TaggedBuild> {
    let allowed: BTreeMap<i64, bool> = package_list(state, tag_id, event, true)
        .into_iter()
        .map(|e| (e.package_id, !e.blocked))
        .collect();
    let chain = if inherit { inheritance(state, tag_id) } else { vec![tag_id] };
    let mut per_package: BTreeMap<i64, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for t in chain {
        let mut rows: Vec<_> = state
            .taggings
            .iter()
            .filter(|g| g.tag_id == t && active_at(g.create_event, g.revoke_event, event))
            .collect();
        rows.sort_by_key(|row| std::cmp::Reverse(row.create_event));
        for row in rows {
            let Some(build) = state.builds.get(&row.build_id) else { continue };
            if build.state != build_state::COMPLETE
                || !allowed.get(&build.package_id).copied().unwrap_or(false)
                || package.is_some_and(|p| p != build.name)
            {
                continue;
            }
            let seen = per_package.entry(build.package_id).or_insert(0);
            if latest.is_some_and(|n| *seen >= n) {
                continue;
            }
            *seen += 1;
            out.push(TaggedBuild { build_id: build.id, tag_id: t, create_event: row.create_event });
        }
    }
    out
}

/// Binary RPMs a repo of `tag_id` at `event` contains for `arch` (its RPMs of that arch and
/// `noarch`; SRPMs too when `with_src`), from the latest build per package with inheritance.
pub fn repo_rpms<'a>(
    state: &'a State,
    tag_id: i64,
    event: i64,
    arch: &str,
    with_src: bool,
) -> Vec<&'a Rpm> {
    let builds = list_tagged(state, tag_id, Some(event), true, Some(1), None);
    let mut out = Vec::new();
    for tb in builds {
        for rpm in state.build_rpms(tb.build_id) {
            let wanted = rpm.arch == arch
                || rpm.arch == "noarch"
                || (with_src && rpm.arch == "src")
                || (canon_arch(&rpm.arch) == canon_arch(arch) && rpm.arch != "src");
            if wanted {
                out.push(rpm);
            }
        }
    }
    out.sort_by(|a, b| (&a.name, &a.arch).cmp(&(&b.name, &b.arch)));
    out
}

/// Names of the packages of a tag's `group` (types mandatory/default, not blocked),
/// looking up the group along the inheritance chain.
pub fn group_packages(state: &State, tag_id: i64, group: &str) -> Vec<String> {
    for t in inheritance(state, tag_id) {
        if let Some(g) = state.groups.iter().find(|g| g.tag_id == t && g.name == group) {
            return g
                .packages
                .iter()
                .filter(|(_, ty, blocked)| !blocked && (ty == "mandatory" || ty == "default"))
                .map(|(n, _, _)| n.clone())
                .collect();
        }
    }
    Vec::new()
}

/// Koji's `canonArch` (koschei-backend.md §6.2).
pub fn canon_arch(arch: &str) -> String {
    let a = arch;
    let is_i86 = a.len() == 4 && a.starts_with('i') && a.ends_with("86");
    let canon = if is_i86 || a == "athlon" {
        "i386"
    } else if a == "ia32e" {
        "x86_64"
    } else if a == "ppc64le" {
        "ppc64le"
    } else if a.starts_with("ppc64") {
        "ppc64"
    } else if a.starts_with("sparc64") {
        "sparc64"
    } else if a.starts_with("sparc") {
        "sparc"
    } else if a.starts_with("alpha") {
        "alpha"
    } else if a.starts_with("arm") && a[3..].contains('h') {
        "armhfp"
    } else if a.starts_with("arm") {
        "arm"
    } else {
        a
    };
    canon.to_string()
}

/// The newest non-dist repo of a tag (largest id), optionally only in state `state`.
pub fn latest_repo(state: &State, tag_id: i64, repo_state: Option<i64>) -> Option<&Repo> {
    state
        .repos
        .values()
        .filter(|r| r.tag_id == tag_id && repo_state.is_none_or(|s| r.state == s))
        .max_by_key(|r| r.id)
}
