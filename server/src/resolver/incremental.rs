//! Incremental resolution (`koschei resolve --previous`): decides, per source package, whether
//! the previous snapshot's install set can be **patched** (every member replaced by the new
//! repo's package of the same name and arch) and reused, or the package must be solved again.
//! Pure: works on plain data ([`RepoIndex`], built from libsolv pools by `index.rs`), no IO.
//!
//! The patch-and-verify rule. With `S` the previous install set and `S'` its patched form,
//! `S'` is reused only when all of these hold (else the package is solved normally):
//!
//! 1. the package was resolved before, and its BuildRequires and the build group are
//!    unchanged (the caller checks those; [`Decision::Solve`] otherwise);
//! 2. every member of `S` exists in the old repo and exactly one package of the same
//!    name.arch exists in the new repo ([`Pair::map_previous`]);
//! 3. every member of `S'` is **equivalent** to its old counterpart: for every dependency
//!    (requires, conflicts, obsoletes, recommends, suggests, supplements, enhances, in
//!    order) the set of provider name.archs in the new repo equals the old one's in the old
//!    repo. A version bump whose dependencies still point at the same packages keeps
//!    libsolv's choices; a new provider, a removed one or a new dependency does not.
//!    One relaxation (3b): a requires/recommends/suggests that only *gained* providers which
//!    are packages new to the repo is accepted when a **forced** member meets it — forced =
//!    the sole provider of a job or, recursively, of a forced member's requires, which libsolv
//!    decides by unit propagation before any choice, so no choice is ever made for that
//!    dependency (the real point update adds `clang-22` as a `c-compiler` provider that the
//!    build group's dpkg-dev recommends; the group's own gcc meets it);
//! 4. every job (build-group name, BuildRequires) has the same provider name.archs in both
//!    repos and a provider inside `S'`; every requires of a member is met inside `S'`;
//!    with weak deps every recommends of a member is met inside `S'` or has no provider at
//!    all (an unmet recommends might be installable now);
//! 5. where a job or dependency has providers of several names (a choice for libsolv's
//!    policy) and no forced member meets it, every candidate is equivalent too (their own
//!    dependencies steer the choice);
//! 6. no member conflicts with or obsoletes another member, no package outside `S'`
//!    obsoletes a member, and (weak deps) no package outside `S'` supplements a member;
//! 7. dependencies whose provider list is not their exact meaning (rich `and`/`if`/`unless`
//!    requirements) make the package be solved.
//!
//! Soundness is shown empirically: incremental output equals a full pass byte for byte on
//! the real bookworm → bookworm-plus-updates update and on a synthetic pair (resolver tests).

use std::collections::HashMap;

/// The dependency kinds recorded per package, in [`Pkg::deps`] order.
pub const KINDS: [&str; 7] =
    ["requires", "conflicts", "obsoletes", "recommends", "suggests", "supplements", "enhances"];
/// Index of requires in [`Pkg::deps`].
pub const REQUIRES: usize = 0;
/// Index of conflicts.
pub const CONFLICTS: usize = 1;
/// Index of obsoletes.
pub const OBSOLETES: usize = 2;
/// Index of recommends.
pub const RECOMMENDS: usize = 3;
/// Index of suggests.
pub const SUGGESTS: usize = 4;
/// Index of supplements.
pub const SUPPLEMENTS: usize = 5;

/// One dependency of a repo: its providers (package indices in that repo).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dep {
    /// Packages that provide it (libsolv's `whatprovides`), indices into [`RepoIndex::pkgs`].
    pub providers: Vec<u32>,
    /// False when "some provider is installed" is not the dependency's meaning (rich
    /// `and`/`if`/`unless`): such a dependency forces a solve.
    pub exact: bool,
}

/// One binary package.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pkg {
    /// `name.arch` (the identity across snapshots).
    pub name_arch: String,
    /// `name-[epoch:]version-release.arch` as in the output.
    pub nevra: String,
    /// Dependency indices ([`RepoIndex::deps`]) per kind, in [`KINDS`] order.
    pub deps: [Vec<u32>; 7],
}

/// A binary repository as plain data.
#[derive(Debug, Clone, Default)]
pub struct RepoIndex {
    /// Packages.
    pub pkgs: Vec<Pkg>,
    /// Distinct dependencies.
    pub deps: Vec<Dep>,
}

/// A job of a package (a build-group name or a BuildRequires), evaluated in both repos.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JobDep {
    /// Providers in the old repo.
    pub old: Vec<u32>,
    /// Providers in the new repo.
    pub new: Vec<u32>,
    /// As [`Dep::exact`].
    pub exact: bool,
}

/// Why a package is solved rather than reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Reason {
    /// Not in the previous results, or unresolved there.
    NotResolvedBefore,
    /// BuildRequires or the build group changed.
    JobsChanged,
    /// A previous member is unknown or has no unique successor.
    MemberRemoved,
    /// A member's dependencies now point at other packages.
    MemberChanged,
    /// A job has other providers now, or none inside the set.
    JobProviders,
    /// A requirement (or weak requirement) is not met inside the set.
    Unsatisfied,
    /// A choice between providers involves a changed package.
    ChoiceChanged,
    /// Conflicts, obsoletes or supplements touch the set.
    Interaction,
    /// A rich dependency whose providers are not its meaning.
    Inexact,
}

/// The decision for one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Reuse these new-repo packages (indices into the new [`RepoIndex`]).
    Reuse(Vec<u32>),
    /// Solve it.
    Solve(Reason),
}

/// Old and new repo with the cross-references the check needs.
#[derive(Debug)]
pub struct Pair {
    /// The previous snapshot's binary repo.
    pub old: RepoIndex,
    /// The new one.
    pub new: RepoIndex,
    old_by_nevra: HashMap<String, u32>,
    /// Per old package: its unique same-name.arch successor.
    successor: Vec<Option<u32>>,
    /// Per new package: equivalent to its unique old predecessor (rule 3).
    equivalent: Vec<bool>,
    /// Per new package: `Some(deps)` when it is equivalent except that these requires /
    /// recommends / suggests gained providers that are new packages (rule 3b).
    soft: Vec<Option<Box<[u32]>>>,
    /// Per new package: obsoleted by some other package.
    obsoleted: Vec<bool>,
    /// New packages with supplements.
    supplementers: Vec<u32>,
    /// Per new dependency: not a choice, or a choice among equivalent candidates (rule 5).
    choice_ok: Vec<bool>,
    names: Interner,
    /// Order of new packages by NEVRA bytes (to sort a reused set like the solver output).
    nevra_rank: Vec<u32>,
    weak: bool,
}

#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<Vec<u32>, u32>,
    /// name.arch string → id (shared by both repos).
    strings: HashMap<String, u32>,
}

impl Interner {
    fn string(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.strings.get(s) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.strings.insert(s.to_owned(), id);
        id
    }

    fn list(&mut self, mut v: Vec<u32>) -> u32 {
        v.sort_unstable();
        v.dedup();
        let next = self.ids.len() as u32;
        *self.ids.entry(v).or_insert(next)
    }
}

/// A list of providers of more than one name.arch (libsolv's policy chooses among them).
fn is_choice(repo: &RepoIndex, providers: &[u32]) -> bool {
    providers.split_first().is_some_and(|(first, rest)| {
        let n = &repo.pkgs[*first as usize].name_arch;
        rest.iter().any(|&p| &repo.pkgs[p as usize].name_arch != n)
    })
}

fn by_name_arch(repo: &RepoIndex) -> HashMap<&str, Option<u32>> {
    let mut m: HashMap<&str, Option<u32>> = HashMap::with_capacity(repo.pkgs.len());
    for (i, p) in repo.pkgs.iter().enumerate() {
        m.entry(&p.name_arch).and_modify(|e| *e = None).or_insert(Some(i as u32));
    }
    m
}

impl Pair {
    /// Cross-references two repos. `weak`: weak dependencies are honoured (recommends and
    /// supplements then count).
    pub fn new(old: RepoIndex, new: RepoIndex, weak: bool) -> Pair {
        let mut names = Interner::default();
        let old_pkg_name: Vec<u32> = old.pkgs.iter().map(|p| names.string(&p.name_arch)).collect();
        let new_pkg_name: Vec<u32> = new.pkgs.iter().map(|p| names.string(&p.name_arch)).collect();
        let intern = |names: &mut Interner, repo: &RepoIndex, pn: &[u32]| -> Vec<u32> {
            repo.deps
                .iter()
                .map(|d| names.list(d.providers.iter().map(|&p| pn[p as usize]).collect()))
                .collect()
        };
        let old_names = intern(&mut names, &old, &old_pkg_name);
        let new_names = intern(&mut names, &new, &new_pkg_name);
        let new_map = by_name_arch(&new);
        let successor: Vec<Option<u32>> =
            old.pkgs.iter().map(|p| new_map.get(p.name_arch.as_str()).copied().flatten()).collect();
        let old_map = by_name_arch(&old);
        // Strict equivalence, or "soft": only requires/recommends/suggests gained providers
        // that are packages new to the repo (allowed when a forced member meets them).
        let old_only_names: std::collections::HashSet<&str> =
            old.pkgs.iter().map(|p| p.name_arch.as_str()).collect();
        let soft: Vec<Option<Box<[u32]>>> = new
            .pkgs
            .iter()
            .map(|np| {
                let Some(Some(o)) = old_map.get(np.name_arch.as_str()) else { return None };
                let op = &old.pkgs[*o as usize];
                let mut changed = Vec::new();
                for k in 0..KINDS.len() {
                    if op.deps[k].len() != np.deps[k].len() {
                        return None;
                    }
                    for (&a, &b) in op.deps[k].iter().zip(&np.deps[k]) {
                        let (da, db) = (&old.deps[a as usize], &new.deps[b as usize]);
                        if da.exact != db.exact {
                            return None;
                        }
                        if old_names[a as usize] == new_names[b as usize] {
                            continue;
                        }
                        if !matches!(k, REQUIRES | RECOMMENDS | SUGGESTS) {
                            return None;
                        }
                        let was: std::collections::HashSet<&str> = da
                            .providers
                            .iter()
                            .map(|&p| old.pkgs[p as usize].name_arch.as_str())
                            .collect();
                        let additions_only = db.providers.iter().all(|&p| {
                            let n = new.pkgs[p as usize].name_arch.as_str();
                            was.contains(n) || !old_only_names.contains(n)
                        });
                        let kept = was.iter().all(|n| {
                            db.providers.iter().any(|&p| new.pkgs[p as usize].name_arch == *n)
                        });
                        if !(additions_only && kept) {
                            return None;
                        }
                        changed.push(b);
                    }
                }
                Some(changed.into_boxed_slice())
            })
            .collect();
        let equivalent: Vec<bool> =
            soft.iter().map(|c| c.as_ref().is_some_and(|c| c.is_empty())).collect();
        let mut obsoleted = vec![false; new.pkgs.len()];
        let mut supplementers = Vec::new();
        for (i, p) in new.pkgs.iter().enumerate() {
            for &d in &p.deps[OBSOLETES] {
                for &q in &new.deps[d as usize].providers {
                    if q as usize != i {
                        obsoleted[q as usize] = true;
                    }
                }
            }
            if !p.deps[SUPPLEMENTS].is_empty() {
                supplementers.push(i as u32);
            }
        }
        let choice_ok = new
            .deps
            .iter()
            .map(|d| {
                !is_choice(&new, &d.providers)
                    || d.providers.iter().all(|&p| equivalent[p as usize])
            })
            .collect();
        let mut order: Vec<u32> = (0..new.pkgs.len() as u32).collect();
        order
            .sort_unstable_by(|&a, &b| new.pkgs[a as usize].nevra.cmp(&new.pkgs[b as usize].nevra));
        let mut nevra_rank = vec![0; order.len()];
        for (rank, &p) in order.iter().enumerate() {
            nevra_rank[p as usize] = rank as u32;
        }
        let old_by_nevra =
            old.pkgs.iter().enumerate().map(|(i, p)| (p.nevra.clone(), i as u32)).collect();
        Pair {
            old,
            new,
            old_by_nevra,
            successor,
            equivalent,
            soft,
            obsoleted,
            supplementers,
            choice_ok,
            names,
            nevra_rank,
            weak,
        }
    }

    /// Maps a previous install set (NEVRAs of the old repo) to new-repo packages, sorted as
    /// the solver's output is (NEVRA bytes); `None` when a member has no unique successor.
    pub fn map_previous<'a>(&self, install: impl IntoIterator<Item = &'a str>) -> Option<Vec<u32>> {
        let mut out: Vec<u32> = install
            .into_iter()
            .map(|n| self.successor[*self.old_by_nevra.get(n)? as usize])
            .collect::<Option<_>>()?;
        out.sort_unstable_by_key(|&p| self.nevra_rank[p as usize]);
        Some(out)
    }

    /// The new repo's NEVRAs (by package index), dropping everything else.
    pub fn into_nevras(self) -> Vec<String> {
        self.new.pkgs.into_iter().map(|p| p.nevra).collect()
    }

    /// The new NEVRA of a new-repo package.
    pub fn nevra(&self, p: u32) -> &str {
        &self.new.pkgs[p as usize].nevra
    }

    /// Interned provider-name list of a job in the old and new repo.
    fn job_names(&mut self, job: &JobDep) -> (u32, u32) {
        let o = job.old.iter().map(|&p| self.names.string(&self.old.pkgs[p as usize].name_arch));
        let o = o.collect::<Vec<_>>();
        let n = job.new.iter().map(|&p| self.names.string(&self.new.pkgs[p as usize].name_arch));
        let n = n.collect::<Vec<_>>();
        (self.names.list(o), self.names.list(n))
    }

    /// Prepares a job for [`Pair::check`]: `None` when its providers changed (by name.arch)
    /// or its meaning is not its provider list.
    pub fn prepare_job(&mut self, job: &JobDep) -> Option<PreparedJob> {
        let (o, n) = self.job_names(job);
        if o != n || !job.exact || job.new.is_empty() {
            return None;
        }
        let choice = is_choice(&self.new, &job.new);
        Some(PreparedJob { providers: job.new.clone(), choice })
    }

    fn candidates_equivalent(&self, providers: &[u32]) -> bool {
        providers.iter().all(|&p| self.equivalent[p as usize])
    }

    /// Rules 3–7 for a patched set `members` (sorted new-repo packages from
    /// [`Pair::map_previous`]) and the package's prepared jobs.
    pub fn check(&self, members: &[u32], jobs: &[PreparedJob]) -> Result<(), Reason> {
        let mut inside = vec![false; self.new.pkgs.len()];
        for &m in members {
            if std::mem::replace(&mut inside[m as usize], true) {
                return Err(Reason::MemberRemoved); // two old members, one successor
            }
        }
        let met = |providers: &[u32]| providers.iter().any(|&p| inside[p as usize]);
        let forced = self.forced(jobs, &inside);
        let met_forced = |providers: &[u32]| providers.iter().any(|&p| forced[p as usize]);
        for &m in members {
            let Some(changed) = &self.soft[m as usize] else {
                return Err(Reason::MemberChanged);
            };
            if !changed.iter().all(|&d| met_forced(&self.new.deps[d as usize].providers)) {
                return Err(Reason::MemberChanged);
            }
        }
        for job in jobs {
            if !met(&job.providers) {
                return Err(Reason::JobProviders);
            }
            if job.choice
                && !met_forced(&job.providers)
                && !self.candidates_equivalent(&job.providers)
            {
                return Err(Reason::ChoiceChanged);
            }
        }
        for &m in members {
            if self.obsoleted[m as usize] {
                return Err(Reason::Interaction);
            }
            let pkg = &self.new.pkgs[m as usize];
            for (kind, deps) in pkg.deps.iter().enumerate() {
                for &d in deps {
                    let dep = &self.new.deps[d as usize];
                    match kind {
                        REQUIRES | RECOMMENDS if kind == REQUIRES || self.weak => {
                            if !dep.exact {
                                return Err(Reason::Inexact);
                            }
                            if !met(&dep.providers)
                                && (kind == REQUIRES || !dep.providers.is_empty())
                            {
                                return Err(Reason::Unsatisfied);
                            }
                            if !self.choice_ok[d as usize] && !met_forced(&dep.providers) {
                                return Err(Reason::ChoiceChanged);
                            }
                        }
                        CONFLICTS | OBSOLETES => {
                            if !dep.exact {
                                return Err(Reason::Inexact);
                            }
                            if dep.providers.iter().any(|&p| p != m && inside[p as usize]) {
                                return Err(Reason::Interaction);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        if self.weak {
            for &s in &self.supplementers {
                if inside[s as usize] {
                    continue;
                }
                let pkg = &self.new.pkgs[s as usize];
                if pkg.deps[SUPPLEMENTS].iter().any(|&d| met(&self.new.deps[d as usize].providers))
                {
                    return Err(Reason::Interaction);
                }
            }
        }
        Ok(())
    }

    /// The members libsolv decides before any choice (unit propagation at level 1): the sole
    /// provider of a job, and, recursively, the sole provider of a forced member's requires.
    /// A dependency met by a forced member is never a choice, whatever else provides it.
    fn forced(&self, jobs: &[PreparedJob], inside: &[bool]) -> Vec<bool> {
        let mut forced = vec![false; self.new.pkgs.len()];
        let mut stack: Vec<u32> = Vec::new();
        let push = |p: u32, forced: &mut Vec<bool>, stack: &mut Vec<u32>| {
            if inside[p as usize] && !std::mem::replace(&mut forced[p as usize], true) {
                stack.push(p);
            }
        };
        for job in jobs {
            if let [only] = job.providers[..] {
                push(only, &mut forced, &mut stack);
            }
        }
        while let Some(p) = stack.pop() {
            for &d in &self.new.pkgs[p as usize].deps[REQUIRES] {
                let dep = &self.new.deps[d as usize];
                if let [only] = dep.providers[..]
                    && dep.exact
                {
                    push(only, &mut forced, &mut stack);
                }
            }
        }
        forced
    }

    /// Why a new package is not equivalent to its predecessor (None when it is): the first
    /// dependency kind whose provider names differ, with both sides' provider name.archs.
    pub fn explain(&self, p: u32) -> Option<String> {
        if self.equivalent[p as usize] {
            return None;
        }
        let np = &self.new.pkgs[p as usize];
        let Some(o) = self.old.pkgs.iter().position(|q| q.name_arch == np.name_arch) else {
            return Some(format!("{}: no unique predecessor", np.nevra));
        };
        let op = &self.old.pkgs[o];
        fn names(repo: &RepoIndex, d: u32) -> Vec<&str> {
            let mut v: Vec<&str> = repo.deps[d as usize]
                .providers
                .iter()
                .map(|&q| repo.pkgs[q as usize].name_arch.as_str())
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        }
        for (k, kind) in KINDS.iter().enumerate() {
            let a: Vec<_> = op.deps[k].iter().map(|&d| names(&self.old, d)).collect();
            let b: Vec<_> = np.deps[k].iter().map(|&d| names(&self.new, d)).collect();
            if a != b {
                return Some(format!("{} {kind}: old {a:?} new {b:?}", np.nevra));
            }
        }
        Some(format!("{}: exactness differs", np.nevra))
    }

    /// Number of new packages equivalent to their predecessor (for the summary).
    pub fn equivalent_count(&self) -> usize {
        self.equivalent.iter().filter(|&&e| e).count()
    }
}

/// A job ready for [`Pair::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedJob {
    providers: Vec<u32>,
    choice: bool,
}
