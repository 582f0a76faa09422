//! Reads a loaded libsolv pool ([`Sack`]) into the plain data of [`super::incremental`]:
//! every package's name.arch, NEVRA and dependencies with their providers (libsolv's own
//! `whatprovides`, so the check sees exactly the matches the solver sees), and evaluates
//! jobs (build-group names, BuildRequires strings) the way [`Sack::resolve`] does.
//!
//! Reads the pool only; no IO, no solving.

use std::collections::HashMap;

use super::ffi::{
    Id, SELECTION_NAME, SOLVABLE_CONFLICTS, SOLVABLE_ENHANCES, SOLVABLE_OBSOLETES,
    SOLVABLE_RECOMMENDS, SOLVABLE_REQUIRES, SOLVABLE_SUGGESTS, SOLVABLE_SUPPLEMENTS,
};
use super::incremental::{Dep, Pkg, RepoIndex};
use super::pool::SolvError;
use super::solve::Sack;

/// Keys in [`super::incremental::KINDS`] order.
const KEYS: [Id; 7] = [
    SOLVABLE_REQUIRES,
    SOLVABLE_CONFLICTS,
    SOLVABLE_OBSOLETES,
    SOLVABLE_RECOMMENDS,
    SOLVABLE_SUGGESTS,
    SOLVABLE_SUPPLEMENTS,
    SOLVABLE_ENHANCES,
];

/// A rich dependency whose provider list is not its meaning (`and`, `if`, `unless`, `else`).
pub fn is_exact(text: &str) -> bool {
    !text.starts_with('(')
        || ![" and ", " if ", " unless ", " else "].iter().any(|op| text.contains(op))
}

/// A sack read into plain data, plus the solvable → package map for job evaluation.
pub struct Indexed {
    /// The packages and dependencies.
    pub index: RepoIndex,
    pkg_of: HashMap<Id, u32>,
}

impl Indexed {
    /// Reads every package of `sack` (ids in solvable order).
    pub fn new(sack: &mut Sack) -> Result<Indexed, SolvError> {
        let pool = sack.pool_mut();
        let mut index = RepoIndex::default();
        let mut pkg_of: HashMap<Id, u32> = HashMap::new();
        let mut solvables = Vec::new();
        for p in 2..pool.nsolvables() {
            let Some((n, evr, arch)) = pool.solvable_nevra(p) else { continue };
            pkg_of.insert(p, index.pkgs.len() as u32);
            index.pkgs.push(Pkg {
                name_arch: format!("{n}.{arch}"),
                nevra: format!("{n}-{evr}.{arch}"),
                deps: Default::default(),
            });
            solvables.push(p);
        }
        let mut dep_of: HashMap<Id, u32> = HashMap::new();
        let mut ids = Vec::new();
        let mut provs = Vec::new();
        for (i, &p) in solvables.iter().enumerate() {
            for (k, &key) in KEYS.iter().enumerate() {
                ids.clear();
                pool.solvable_deps(p, key, &mut ids);
                let mut list = Vec::with_capacity(ids.len());
                for &d in &ids {
                    let di = match dep_of.get(&d) {
                        Some(&di) => di,
                        None => {
                            provs.clear();
                            pool.whatprovides(d, &mut provs)?;
                            let providers = provs.iter().filter_map(|s| pkg_of.get(s).copied());
                            let exact = is_exact(&pool.dep2str(d));
                            index.deps.push(Dep { providers: providers.collect(), exact });
                            let di = index.deps.len() as u32 - 1;
                            dep_of.insert(d, di);
                            di
                        }
                    };
                    list.push(di);
                }
                index.pkgs[i].deps[k] = list;
            }
        }
        Ok(Indexed { index, pkg_of })
    }

    /// Providers of a build-group name (`SELECTION_NAME`, as [`Sack::resolve`]).
    pub fn group_providers(&self, sack: &mut Sack, name: &str) -> Result<Vec<u32>, SolvError> {
        let sel = sack.pool_mut().select(name, SELECTION_NAME)?;
        Ok(self.map(&sel.solvables))
    }

    /// Providers of a BuildRequires string (provides, or the file-list fallback).
    pub fn br_providers(&self, sack: &mut Sack, br: &str) -> Result<Vec<u32>, SolvError> {
        let (_, solvables) = sack.selector(br)?;
        Ok(self.map(&solvables))
    }

    fn map(&self, solvables: &[Id]) -> Vec<u32> {
        let mut v: Vec<u32> =
            solvables.iter().filter_map(|s| self.pkg_of.get(s).copied()).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}
