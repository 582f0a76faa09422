//! How the simulator decides each scratch build's outcome: scenario rules first, then a
//! small dependency resolver over the simulator's own packages.
//!
//! **Rules** ([`Rule`]): the first rule whose package glob (and optional NVR, arch and
//! stage) matches decides: `succeed`, `fail` (BuildError 1005 with a `build.log`
//! excerpt), `fault` (an infrastructure fault, code 1 by default) or `hold` (the task
//! stays OPEN until canceled).
//!
//! **Resolver** (no rule matched, `buildArch` only): installs the build group plus the
//! SRPM's BuildRequires from the repo's packages for that arch, greedily: a requirement
//! already provided by an installed package is satisfied; otherwise the provider with the
//! highest EVR is installed and its own Requires are queued. Provides are the package's
//! self-provides (`name = E:V-R`, `name(arch)`), its explicit Provides and its files (for
//! `/path` requirements); versioned comparisons follow `crate::rpm::evr::ranges_overlap`,
//! and an unversioned provide satisfies any version. Rich dependencies: `and` needs all
//! operands, `or` the first satisfiable one, `with`/`without` one package, and
//! `if`/`unless` test their condition against what is installed so far. It is not a SAT
//! solver (no backtracking, conflicts and obsoletes are ignored); an unresolvable
//! requirement fails the task with `root.log` listing what is missing.
//!
//! Pure: no IO, no clock.

use std::collections::VecDeque;

use crate::koji::xmlrpc::Fault;
use crate::rpm::{Dep, Evr, Op, RichDep, ranges_overlap};

use super::state::{Outcome, Rpm};

/// What a matching rule does.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleAction {
    /// Force success.
    Succeed,
    /// BuildError with this build.log text.
    Fail {
        /// Log excerpt.
        log: String,
    },
    /// Infrastructure fault.
    Fault {
        /// Fault code (1 = unexpected exception, 1001 = LockError, …).
        code: i64,
        /// Fault string.
        string: String,
    },
    /// Stay OPEN.
    Hold,
}

/// An outcome rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Glob (`*`, `?`) on the package name.
    pub package: String,
    /// Exact NVR, if restricted.
    pub nvr: Option<String>,
    /// Task arch, if restricted.
    pub arch: Option<String>,
    /// `arch` (buildArch, default) or `srpm` (rebuildSRPM).
    pub stage: String,
    /// Only when the resolved buildroot satisfies this dependency (e.g. `libyaml = 0.3.0`):
    /// "every build against this version of a library breaks". buildArch only.
    pub buildroot: Option<String>,
    /// What happens.
    pub action: RuleAction,
}

/// Glob match with `*` and `?`.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The rules matching the package, NVR, arch and stage, in order (their `buildroot`
/// condition not evaluated yet).
pub fn matching_rules<'a>(
    rules: &'a [Rule],
    name: &'a str,
    nvr: &'a str,
    arch: &'a str,
    stage: &'a str,
) -> impl Iterator<Item = &'a Rule> + 'a {
    rules.iter().filter(move |r| {
        glob_match(&r.package, name)
            && r.nvr.as_deref().is_none_or(|n| n == nvr)
            && r.arch.as_deref().is_none_or(|a| a == arch)
            && r.stage == stage
    })
}

/// The first rule without a `buildroot` condition matching the package, NVR, arch and
/// stage (for stages that have no buildroot).
pub fn find_rule<'a>(
    rules: &'a [Rule],
    name: &'a str,
    nvr: &'a str,
    arch: &'a str,
    stage: &'a str,
) -> Option<&'a Rule> {
    matching_rules(rules, name, nvr, arch, stage).find(|r| r.buildroot.is_none())
}

/// Turns a rule action into a task outcome.
pub fn rule_outcome(action: &RuleAction, arch: &str) -> Outcome {
    match action {
        RuleAction::Succeed => Outcome::Succeed,
        RuleAction::Hold => Outcome::Hold,
        RuleAction::Fault { code, string } => Outcome::Fault(Fault::new(*code, string.clone())),
        RuleAction::Fail { log } => Outcome::Fail {
            log_name: "build.log".to_string(),
            log: log.clone(),
            fault: Fault::new(
                1005,
                format!(
                    "error building package (arch {arch}), mock exited with status 1; \
                     see build.log for more information"
                ),
            ),
        },
    }
}

/// Outcome of a buildArch whose buildroot resolved to `res` and no rule matched: success,
/// or a failure with a `root.log` listing what is missing.
pub fn resolution_outcome(res: &Resolution, arch: &str) -> Outcome {
    if res.problems.is_empty() {
        return Outcome::Succeed;
    }
    let mut log = String::from("DEBUG util.py: Executing command: ['/usr/bin/dnf', 'builddep']\n");
    for p in &res.problems {
        log.push_str(&format!("DEBUG util.py: No matching package to install: '{p}'\n"));
    }
    log.push_str("DEBUG util.py: Not all dependencies satisfied\n");
    log.push_str("DEBUG util.py: Error: Some packages could not be found.\n");
    Outcome::Fail {
        log_name: "root.log".to_string(),
        log,
        fault: Fault::new(
            1005,
            format!(
                "error building package (arch {arch}), mock exited with status 30; \
                 see root.log for more information"
            ),
        ),
    }
}

/// Result of [`resolve`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resolution {
    /// `name-[epoch:]version-release.arch` of the installed packages, in install order.
    pub installed: Vec<String>,
    /// Requirements that could not be satisfied (dependency text).
    pub problems: Vec<String>,
}

type Constraint = Option<(Op, Evr)>;

struct Pool<'a> {
    rpms: Vec<&'a Rpm>,
    provides: Vec<Vec<(String, Constraint)>>,
    installed: Vec<bool>,
    order: Vec<usize>,
}

fn evr_of(rpm: &Rpm) -> Evr {
    let epoch = u32::try_from(rpm.epoch.unwrap_or(0)).unwrap_or(0);
    Evr::new(epoch, rpm.version.clone(), Some(rpm.release.clone()))
}

/// The arch suffix RPM puts in `name(arch)` self-provides (`x86-64` for x86_64).
pub fn isa_suffix(arch: &str) -> Option<String> {
    match arch {
        "noarch" | "src" => None,
        "x86_64" => Some("x86-64".to_string()),
        a if a.len() == 4 && a.starts_with('i') && a.ends_with("86") => Some("x86-32".to_string()),
        "aarch64" | "ppc64le" | "s390x" | "ppc64" => Some(format!("{a}-64", a = arch)),
        other => Some(other.to_string()),
    }
}

fn provides_of(rpm: &Rpm) -> Vec<(String, Constraint)> {
    let evr = evr_of(rpm);
    let mut out = vec![(rpm.name.clone(), Some((Op::Eq, evr.clone())))];
    if let Some(isa) = isa_suffix(&rpm.arch) {
        out.push((format!("{}({isa})", rpm.name), Some((Op::Eq, evr))));
    }
    for p in &rpm.provides {
        if let Ok(Dep::Simple { name, constraint }) = Dep::parse(p) {
            out.push((name, constraint));
        }
    }
    out.extend(rpm.files.iter().map(|f| (f.clone(), None)));
    out
}

fn matches(provide: &(String, Constraint), name: &str, req: &Constraint) -> bool {
    provide.0 == name
        && match (&provide.1, req) {
            (_, None) | (None, _) => true,
            (Some((pop, pevr)), Some((rop, revr))) => ranges_overlap(*pop, pevr, *rop, revr),
        }
}

impl<'a> Pool<'a> {
    fn new(available: &[&'a Rpm]) -> Self {
        let rpms: Vec<&Rpm> = available.to_vec();
        let provides = rpms.iter().map(|r| provides_of(r)).collect();
        let installed = vec![false; rpms.len()];
        Pool { rpms, provides, installed, order: Vec::new() }
    }

    fn provides(&self, i: usize, name: &str, c: &Constraint) -> bool {
        self.provides[i].iter().any(|p| matches(p, name, c))
    }

    fn candidates(&self, name: &str, c: &Constraint) -> Vec<usize> {
        let mut out: Vec<usize> =
            (0..self.rpms.len()).filter(|&i| self.provides(i, name, c)).collect();
        out.sort_by(|&a, &b| {
            let (ra, rb) = (self.rpms[a], self.rpms[b]);
            (rb.name == name).cmp(&(ra.name == name)).then(evr_of(rb).cmp(&evr_of(ra)))
        });
        out
    }

    /// True if an installed package satisfies `dep` (rich deps evaluated on installed).
    fn holds(&self, dep: &Dep) -> bool {
        match dep {
            Dep::Simple { name, constraint } => (0..self.rpms.len())
                .any(|i| self.installed[i] && self.provides(i, name, constraint)),
            Dep::Rich(r) => match r {
                RichDep::Single(d) => self.holds(d),
                RichDep::And(v) => v.iter().all(|d| self.holds(d)),
                RichDep::Or(v) => v.iter().any(|d| self.holds(d)),
                RichDep::With(v) => v.iter().all(|d| self.holds(d)),
                RichDep::Without(a, b) => self.holds(a) && !self.holds(b),
                RichDep::If { then, cond, otherwise } => {
                    if self.holds(cond) {
                        self.holds(then)
                    } else {
                        otherwise.as_ref().is_none_or(|o| self.holds(o))
                    }
                }
                RichDep::Unless { then, cond, otherwise } => {
                    if self.holds(cond) {
                        otherwise.as_ref().is_none_or(|o| self.holds(o))
                    } else {
                        self.holds(then)
                    }
                }
            },
        }
    }

    /// Whether some package could satisfy `dep` (without installing anything).
    fn possible(&self, dep: &Dep) -> bool {
        match dep {
            Dep::Simple { name, constraint } => !self.candidates(name, constraint).is_empty(),
            Dep::Rich(RichDep::Or(v)) => v.iter().any(|d| self.possible(d)),
            Dep::Rich(RichDep::And(v)) => v.iter().all(|d| self.possible(d)),
            Dep::Rich(RichDep::Single(d)) => self.possible(d),
            Dep::Rich(_) => true,
        }
    }

    fn install(&mut self, i: usize, queue: &mut VecDeque<String>) {
        if !self.installed[i] {
            self.installed[i] = true;
            self.order.push(i);
            queue.extend(self.rpms[i].requires.iter().cloned());
        }
    }

    /// Satisfies `dep`, installing providers; false if impossible.
    fn satisfy(&mut self, dep: &Dep, queue: &mut VecDeque<String>) -> bool {
        if self.holds(dep) {
            return true;
        }
        match dep {
            Dep::Simple { name, constraint } => match self.candidates(name, constraint).first() {
                Some(&i) => {
                    self.install(i, queue);
                    true
                }
                None => false,
            },
            Dep::Rich(r) => match r {
                RichDep::Single(d) => self.satisfy(d, queue),
                RichDep::And(v) => v.iter().all(|d| self.satisfy(d, queue)),
                RichDep::Or(v) => match v.iter().find(|d| self.possible(d)) {
                    Some(d) => self.satisfy(d, queue),
                    None => false,
                },
                RichDep::With(v) => self.one_package(v, None, queue),
                RichDep::Without(a, b) => {
                    self.one_package(std::slice::from_ref(a.as_ref()), Some(b), queue)
                }
                RichDep::If { then, cond, otherwise } => {
                    if self.holds(cond) {
                        self.satisfy(then, queue)
                    } else {
                        otherwise.as_ref().is_none_or(|o| self.satisfy(o, queue))
                    }
                }
                RichDep::Unless { then, cond, otherwise } => {
                    if self.holds(cond) {
                        otherwise.as_ref().is_none_or(|o| self.satisfy(o, queue))
                    } else {
                        self.satisfy(then, queue)
                    }
                }
            },
        }
    }

    fn one_package(
        &mut self,
        all: &[Dep],
        not: Option<&Dep>,
        queue: &mut VecDeque<String>,
    ) -> bool {
        let simple = |d: &Dep| match d {
            Dep::Simple { name, constraint } => Some((name.clone(), constraint.clone())),
            Dep::Rich(_) => None,
        };
        let wanted: Vec<_> = all.iter().filter_map(simple).collect();
        let unwanted = not.and_then(simple);
        let found = (0..self.rpms.len()).find(|&i| {
            wanted.iter().all(|(n, c)| self.provides(i, n, c))
                && unwanted.as_ref().is_none_or(|(n, c)| !self.provides(i, n, c))
        });
        match found {
            Some(i) => {
                self.install(i, queue);
                true
            }
            None => false,
        }
    }
}

/// Installs `roots` (dependency texts) and everything they require from `available`.
pub fn resolve(available: &[&Rpm], roots: &[String]) -> Resolution {
    resolve_and_probe(available, roots, &[]).0
}

/// [`resolve`], then tells for each of `probes` (dependency texts) whether the resulting
/// buildroot satisfies it (an unparsable probe is not satisfied).
pub fn resolve_and_probe(
    available: &[&Rpm],
    roots: &[String],
    probes: &[&str],
) -> (Resolution, Vec<bool>) {
    let mut pool = Pool::new(available);
    let mut queue: VecDeque<String> = roots.iter().cloned().collect();
    let mut res = Resolution::default();
    let limit = 10_000 + 100 * available.len();
    let mut steps = 0;
    while let Some(text) = queue.pop_front() {
        steps += 1;
        if steps > limit {
            res.problems.push("resolver step limit reached".to_string());
            break;
        }
        let ok = match Dep::parse(&text) {
            Ok(dep) => pool.satisfy(&dep, &mut queue),
            Err(_) => false,
        };
        if !ok && !res.problems.contains(&text) {
            res.problems.push(text);
        }
    }
    res.installed = pool
        .order
        .iter()
        .map(|&i| {
            let r = pool.rpms[i];
            let epoch = r.epoch.filter(|e| *e != 0).map(|e| format!("{e}:")).unwrap_or_default();
            format!("{}-{epoch}{}-{}.{}", r.name, r.version, r.release, r.arch)
        })
        .collect();
    let probed = probes.iter().map(|p| Dep::parse(p).is_ok_and(|d| pool.holds(&d))).collect();
    (res, probed)
}
