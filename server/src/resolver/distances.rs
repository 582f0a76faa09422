//! Dependency distances (Koschei's `compute_dependency_distances`, spec §4.1): how far each
//! installed dependency is from the package's BuildRequires, by a depth-limited BFS over
//! `requires` → providers.
//!
//! * Level 1 = every solvable matching any BuildRequires selector (all versions/arches, file
//!   fallback included — the same selector as resolution).
//! * Next level = providers (provides only, no file-list fallback) of every requirement
//!   (pre-requires included) of the not yet expanded solvables of the current level.
//! * An install-set name gets the first level at which a solvable of that name is reached;
//!   the search stops after level 4, so distances are 1..=4. Names reached only through the
//!   build group (never a seed) or deeper stay `None`.
//!
//! Reads the sack only; must not solve or persist anything.

use std::collections::{BTreeMap, HashSet};

use super::ffi::Id;
use super::solve::{ResolveError, Sack};

/// Deepest distance assigned (Koschei stops when the level reaches 5).
pub const MAX_DISTANCE: u8 = 4;

/// `name` of a libsolv-form NEVRA `name-[E:]V-R.arch`.
pub fn nevra_name(nevra: &str) -> &str {
    let base = nevra.rsplit_once('.').map_or(nevra, |(b, _)| b);
    let base = base.rsplit_once('-').map_or(base, |(b, _)| b);
    base.rsplit_once('-').map_or(base, |(b, _)| b)
}

/// Distances of every install-set entry (keyed by package name) for `build_requires`.
pub fn dependency_distances(
    sack: &mut Sack,
    build_requires: &[String],
    install: &[String],
) -> Result<BTreeMap<String, Option<u8>>, ResolveError> {
    let mut dist: BTreeMap<String, Option<u8>> =
        install.iter().map(|n| (nevra_name(n).to_owned(), None)).collect();
    let mut frontier: Vec<Id> = Vec::new();
    for br in build_requires {
        frontier.extend(sack.selector(br)?.1);
    }
    let mut visited: HashSet<Id> = HashSet::new();
    let mut seen_names: HashSet<Id> = HashSet::new();
    let mut level: u8 = 1;
    let mut reqs: Vec<Id> = Vec::new();
    let mut providers: Vec<Id> = Vec::new();
    loop {
        frontier.sort_unstable();
        frontier.dedup();
        frontier.retain(|p| !visited.contains(p));
        if frontier.is_empty() {
            break;
        }
        let pool = sack.pool();
        for &p in &frontier {
            let Some(name_id) = pool.solvable_name_id(p) else { continue };
            if !seen_names.insert(name_id) {
                continue; // first level wins; later sightings change nothing
            }
            if let Some(slot) = dist.get_mut(pool.id2str(name_id))
                && slot.is_none()
            {
                *slot = Some(level);
            }
        }
        level += 1;
        if level > MAX_DISTANCE {
            break;
        }
        reqs.clear();
        for &p in &frontier {
            pool.solvable_requires(p, &mut reqs);
        }
        visited.extend(frontier.iter().copied());
        reqs.sort_unstable();
        reqs.dedup();
        frontier.clear();
        let pool = sack.pool_mut();
        for &d in &reqs {
            providers.clear();
            pool.whatprovides(d, &mut providers)?;
            frontier.extend_from_slice(&providers);
        }
    }
    Ok(dist)
}
