//! Property tests of the plan over random snapshots, misuse, and a 30,000-package plan.

use proptest::prelude::*;

use super::*;
use crate::domain::priority::{InconclusiveStreak, LastBuild, SchedulerSkipReason};

/// Compact description of a random package; expanded by [`package`].
#[derive(Debug, Clone)]
struct Spec {
    tracked: bool,
    blocked: bool,
    resolved: Option<bool>,
    skip_resolution: bool,
    builds: u8,
    hours: u32,
    dependency: i32,
    manual: i32,
    collection: i32,
    headers: u8,
    skip: Option<i32>,
    inconclusive_mins: Option<i64>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        (any::<bool>(), prop::bool::weighted(0.1), prop::option::of(prop::bool::weighted(0.8))),
        (any::<bool>(), 0u8..4, 0u32..400, 0i32..600, -1200i32..1200, 1i32..4),
        (0u8..6, prop::option::of(0i32..4), prop::option::of(0i64..200)),
    )
        .prop_map(
            |(
                (tracked, blocked, resolved),
                (sk, builds, hours, dependency, manual, c),
                (h, skip, inc),
            )| {
                Spec {
                    tracked,
                    blocked,
                    resolved,
                    skip_resolution: sk,
                    builds,
                    hours,
                    dependency,
                    manual,
                    collection: c,
                    headers: h,
                    skip,
                    inconclusive_mins: inc,
                }
            },
        )
}

/// builds: 0 none, 1 complete only, 2 running only, 3 complete + running.
fn package(i: usize, s: &Spec, now: DateTime<Utc>) -> PackageSnapshot {
    let id = i as i32 + 1;
    let started = now - chrono::TimeDelta::hours(i64::from(s.hours));
    let (last_build, last_complete_build_id) = match s.builds {
        0 => (None, None),
        1 => (Some(LastBuild { id: id * 10, started }), Some(id * 10)),
        2 => (Some(LastBuild { id: id * 10, started }), None),
        _ => (Some(LastBuild { id: id * 10 + 1, started }), Some(id * 10)),
    };
    PackageSnapshot {
        id,
        name: format!("p{id}"),
        collection_id: s.collection,
        tracked: s.tracked,
        blocked: s.blocked,
        resolved: s.resolved,
        skip_resolution: s.skip_resolution,
        last_build,
        last_complete_build_id,
        manual_priority: s.manual,
        static_priority: 0,
        dependency_priority: s.dependency,
        build_priority: 0,
        arch_override: None,
        scheduler_skip_reason: SchedulerSkipReason::from_code(s.skip),
        inconclusive: s.inconclusive_mins.map(|m| InconclusiveStreak {
            count: 1 + (m % 3) as u32,
            last_at: now - chrono::TimeDelta::minutes(m),
        }),
    }
}

fn now() -> DateTime<Utc> {
    chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default()
}

fn snapshot(specs: &[Spec], running: u32, max: u32, load_threshold: f64) -> SchedulerSnapshot {
    let coll = |id, resolved, coefficient| CollectionSnapshot {
        id,
        name: format!("c{id}"),
        display_name: format!("C {id}"),
        priority_coefficient: coefficient,
        latest_repo_resolved: resolved,
    };
    SchedulerSnapshot {
        packages: specs.iter().enumerate().map(|(i, s)| package(i, s, now())).collect(),
        // collection 3 is missing on purpose: its packages must be ignored
        collections: vec![coll(1, Some(true), 1.0), coll(2, Some(true), 0.5)],
        running_builds: running,
        max_builds: max,
        load_threshold,
        build_arches: vec!["x86_64".to_owned()],
        priorities: PrioritiesConfig::default(),
    }
}

/// headers: 0 → no SRPM, 1 → no arch, else x86_64.
fn headers_for(kind: u8) -> Option<SrpmHeaders> {
    match kind {
        0 => None,
        1 => Some(SrpmHeaders { exclusive_arch: vec!["s390x".to_owned()], ..Default::default() }),
        _ => Some(SrpmHeaders::default()),
    }
}

/// Drive the plan; returns the outcome, effects and the ids examined in order.
fn run(
    snap: &SchedulerSnapshot,
    specs: &[Spec],
    load: f64,
) -> Result<(Outcome, Vec<Effect>, Vec<i32>), UnexpectedAnswer> {
    let tag = vec!["x86_64".to_owned()];
    let mut p = plan(snap, now());
    let mut examined = Vec::new();
    loop {
        match p.decision() {
            Decision::NeedArches { package, .. } => {
                examined.push(package.id);
                let kind = specs[package.id as usize - 1].headers;
                p.provide_arches(&tag, headers_for(kind).as_ref())?;
            }
            Decision::NeedLoad { .. } => p.provide_load(load)?,
            Decision::Submit { .. } => p.provide_submit(SubmitResult::Submitted)?,
            Decision::Finished(o) => return Ok((o, p.effects().to_vec(), examined)),
        }
    }
}

fn exact(snap: &SchedulerSnapshot, p: &PackageSnapshot) -> Option<f64> {
    let c = snap.collections.iter().find(|c| c.id == p.collection_id)?;
    priority_breakdown(&TimeScale::new(&snap.priorities), p, c, now()).ok().map(|b| b.total())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn plan_respects_the_rules(
        specs in prop::collection::vec(spec(), 0..40),
        running in 0u32..4,
        max in 0u32..4,
        load in 0.0f64..1.0,
        load_threshold in prop::sample::select(vec![0.5, 0.6, 1.0]),
    ) {
        let snap = snapshot(&specs, running, max, load_threshold);
        let (outcome, effects, examined) = run(&snap, &specs, load).expect("driver fits");
        let threshold = snap.priorities.build_threshold as f64;
        if running >= max {
            prop_assert_eq!(outcome, Outcome::MaxBuilds);
            prop_assert!(examined.is_empty());
        }
        let submissions = effects.iter().filter(|e| matches!(e, Effect::Submitted(_))).count();
        prop_assert!(submissions <= 1);
        prop_assert_eq!(submissions == 1, matches!(outcome, Outcome::Submitted { .. }));
        // examined strictly in priority order, all schedulable and at/above the threshold
        let prios: Vec<f64> = examined.iter().map(|id| {
            exact(&snap, &snap.packages[*id as usize - 1]).unwrap_or(f64::NAN)
        }).collect();
        for w in prios.windows(2) {
            prop_assert!(w[0] >= w[1]);
        }
        for (id, p) in examined.iter().zip(&prios) {
            prop_assert!(*p >= threshold, "package {id} below threshold or unschedulable");
            let pkg = &snap.packages[*id as usize - 1];
            prop_assert!(pkg.tracked && !pkg.blocked && pkg.resolved != Some(false));
            prop_assert!(pkg.last_build.is_some() && !pkg.has_running_build());
            prop_assert!(pkg.collection_id != 3);
        }
        // nothing schedulable above the best examined candidate was left out
        if let (Some(first), false) = (prios.first(), running >= max) {
            let best = snap.packages.iter().filter_map(|p| exact(&snap, p))
                .fold(f64::NEG_INFINITY, f64::max);
            prop_assert_eq!(*first, best);
        }
        if let Outcome::Submitted { package_id } = outcome {
            prop_assert_eq!(examined.last(), Some(&package_id));
            prop_assert!(load_threshold >= 1.0 || load <= load_threshold);
        }
        if let Outcome::KojiBusy { .. } = outcome {
            prop_assert!(load > load_threshold && load_threshold < 1.0);
        }
        // every examined package but the last was skipped with a recorded reason
        prop_assert_eq!(effects.len(), examined.len().saturating_sub(
            usize::from(matches!(outcome, Outcome::KojiBusy { .. }))));
    }
}

#[test]
fn wrong_answers_are_errors_not_panics() {
    let f = Fixture::new().pkg("rnv", 300, None, St::Ok);
    let mut p = plan(&f.snap, super::now());
    assert_eq!(p.provide_load(0.1), Err(UnexpectedAnswer { expected: "arches", got: "load" }));
    assert!(p.provide_submit(SubmitResult::Submitted).is_err());
    assert!(p.provide_hosts(&[]).is_err());
    assert_eq!(p.remaining(), []);
    p.provide_arches(&["x86_64".to_owned()], Some(&SrpmHeaders::default())).expect("fits");
    assert!(p.provide_arches(&[], None).is_err());
    p.provide_hosts(&[]).expect("fits");
    assert_eq!(
        p.decision(),
        Decision::Finished(Outcome::KojiBusy { load: 1.0 }),
        "no hosts → full"
    );
    assert!(p.provide_submit(SubmitResult::Submitted).is_err());
}

/// 30,000 packages across two collections, most below the threshold; the submitted one
/// is the brute-force best among those with an SRPM and an allowed arch.
#[test]
fn plan_over_30000_packages() {
    let specs: Vec<Spec> = (0..30_000u32)
        .map(|i| Spec {
            tracked: i % 17 != 0,
            blocked: i % 101 == 0,
            resolved: if i % 13 == 0 { Some(false) } else { Some(true) },
            skip_resolution: false,
            builds: if i % 29 == 0 { 3 } else { 1 },
            hours: (i * 7919) % 300,
            dependency: ((i * 104_729) % 400) as i32,
            manual: 0,
            collection: 1 + (i % 2) as i32,
            headers: (i % 5) as u8,
            skip: None,
            inconclusive_mins: None,
        })
        .collect();
    let snap = snapshot(&specs, 0, 30, 0.5);
    let (outcome, effects, examined) = run(&snap, &specs, 0.2).expect("driver fits");
    let stats = plan(&snap, now()).stats();
    assert_eq!(stats.packages, 30_000);
    assert!(stats.candidates > 1000 && stats.candidates < stats.schedulable, "{stats:?}");
    let best = snap
        .packages
        .iter()
        .filter(|p| specs[p.id as usize - 1].headers >= 2)
        .filter_map(|p| exact(&snap, p).map(|v| (v, -p.id)))
        .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
        .map(|(_, id)| -id);
    assert_eq!(Some(outcome), best.map(|package_id| Outcome::Submitted { package_id }));
    assert_eq!(effects.len(), examined.len());
}
