//! The generated demo scenario: deterministic, loadable, and telling its story — every
//! build resolves at the start, the breaking update reaches its dependents' buildroots,
//! the unresolvable update breaks exactly the Sphinx and docutils users, and the fix
//! repairs both. Checked with the simulator's own resolver on its generated repos.

use std::collections::BTreeMap;

use super::scenario::{BREAKING, DemoScenarioOptions, MISSING_DEP, generate};
use crate::kojisim::KojiSim;
use crate::kojisim::policy::resolve_and_probe;
use crate::kojisim::query::{group_packages, latest_repo, repo_rpms};
use crate::kojisim::scenario::Scenario;
use crate::kojisim::state::{Rpm, repo_state};

/// For every source package: (name, unresolved requirements, buildroot has the breaking
/// version) against the newest READY repo, on x86_64.
fn verdicts(sim: &KojiSim) -> Vec<(String, Vec<String>, bool)> {
    let probe = format!("{}-devel = {}", BREAKING.0, BREAKING.1);
    sim.with_hub(|h| {
        let tag = h.state.tag_named("f99-build").expect("build tag").id;
        let repo = latest_repo(&h.state, tag, Some(repo_state::READY)).expect("repo").clone();
        let available = repo_rpms(&h.state, tag, repo.create_event, "x86_64", false);
        let group = group_packages(&h.state, tag, "build");
        // The newest build of every package (updates add newer ones).
        let mut latest: BTreeMap<&str, &Rpm> = BTreeMap::new();
        for s in h.state.rpms.values().filter(|r| r.arch == "src") {
            if latest.get(s.name.as_str()).is_none_or(|o| o.build_id < s.build_id) {
                latest.insert(&s.name, s);
            }
        }
        latest
            .values()
            .map(|s| {
                let mut roots = group.clone();
                roots.extend(s.requires.iter().cloned());
                let (res, probed) = resolve_and_probe(&available, &roots, &[probe.as_str()]);
                (s.name.clone(), res.problems, probed[0])
            })
            .collect()
    })
}

fn opts() -> DemoScenarioOptions {
    DemoScenarioOptions { packages: 200, first_update: 10.0, round: 10.0, rounds: 12 }
}

#[test]
fn the_scenario_is_deterministic_and_sized() {
    let (a, b) = (generate(&opts()), generate(&opts()));
    assert_eq!(a.toml, b.toml);
    assert_eq!(a.packages.len(), 200);
    assert_eq!(a.timeline.len(), 12);
    let small = generate(&DemoScenarioOptions { packages: 5, ..opts() });
    assert_eq!(small.packages.len(), 100, "clamped to at least 100");
    let big = generate(&DemoScenarioOptions { packages: 1000, ..opts() });
    assert!((200..=300).contains(&big.packages.len()), "{}", big.packages.len());
}

#[test]
fn the_story_unfolds_in_the_generated_repos() {
    let demo = generate(&opts());
    let sim = KojiSim::new(Scenario::from_toml(&demo.toml).expect("scenario")).expect("sim");
    let start = verdicts(&sim);
    assert_eq!(start.len(), 200);
    let bad: Vec<_> = start.iter().filter(|v| !v.1.is_empty() || v.2).collect();
    assert!(bad.is_empty(), "at the start everything resolves and nothing is broken: {bad:?}");

    // Round 1 (t = 10): routine bumps. Round 2 (t = 20): the breaking update.
    sim.advance(25.0);
    let broken: Vec<_> = verdicts(&sim).into_iter().filter(|v| v.2).map(|v| v.0).collect();
    assert!(broken.len() >= 5, "the breaking update reaches several buildroots: {broken:?}");
    assert!(broken.contains(&"python-pyyaml".to_owned()), "{broken:?}");

    // Round 3 (t = 30): docutils needs a missing dependency.
    sim.advance(10.0);
    let unresolved: Vec<_> =
        verdicts(&sim).into_iter().filter(|v| !v.1.is_empty()).map(|v| (v.0, v.1)).collect();
    assert!(unresolved.len() >= 5, "{unresolved:?}");
    assert!(
        unresolved.iter().all(|(_, p)| p
            .iter()
            .any(|p| p.contains(MISSING_DEP.split(' ').next().unwrap_or_default()))),
        "{unresolved:?}"
    );

    // Round 4 (t = 40): the fix.
    sim.advance(10.0);
    let after = verdicts(&sim);
    let bad: Vec<_> = after.iter().filter(|v| !v.1.is_empty() || v.2).collect();
    assert!(bad.is_empty(), "the fix repairs everything: {bad:?}");
}
