//! Scheduler vectors S1–S16 (koschei-tests.md §2.7), text snapshots of the priority table,
//! the §12.4/§12.5 rules, and property tests over random snapshots.

use chrono::{NaiveDate, TimeDelta};

use super::*;
use crate::domain::priority::{InconclusiveStreak, LastBuild, SchedulerSkipReason, SkipReason};
use crate::scheduler::table::render;

fn at(h: u32, mi: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2017, 10, 10)
        .and_then(|d| d.and_hms_opt(h, mi, 0))
        .expect("valid time")
        .and_utc()
}

/// The scheduler tests' clock.
fn now() -> DateTime<Utc> {
    at(10, 50)
}

fn collection(id: i32, name: &str, resolved: Option<bool>) -> CollectionSnapshot {
    CollectionSnapshot {
        id,
        name: name.to_owned(),
        display_name: format!("Fedora {name}"),
        priority_coefficient: 1.0,
        latest_repo_resolved: resolved,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Extra {
    Running,
    Complete,
}

#[derive(Clone, Copy, PartialEq)]
enum St {
    Ok,
    Unresolved,
    Null,
    Ignored,
}

/// `prepare_priorities`: packages with `dependency_priority = P + 30`, one complete build
/// started 10:MM (so time priority is −30 and the priority is P), an optional extra build.
struct Fixture {
    snap: SchedulerSnapshot,
    builds: i32,
}

impl Fixture {
    fn new() -> Self {
        let snap = SchedulerSnapshot {
            packages: Vec::new(),
            collections: vec![collection(1, "f25", Some(true))],
            running_builds: 0,
            max_builds: 2,
            load_threshold: 0.6,
            build_arches: ["i386", "x86_64", "armhfp"].map(str::to_owned).to_vec(),
            priorities: PrioritiesConfig { package_update: 20, ..PrioritiesConfig::default() },
        };
        Fixture { snap, builds: 0 }
    }

    fn pkg(mut self, name: &str, prio: i32, extra: Option<Extra>, st: St) -> Self {
        self.builds += 1;
        let first = LastBuild { id: self.builds, started: at(10, self.builds as u32) };
        let mut last = first;
        if let Some(e) = extra {
            self.builds += 1;
            last = LastBuild { id: self.builds, started: at(10, self.builds as u32) };
            self.snap.running_builds += u32::from(e == Extra::Running);
        }
        let complete = if extra == Some(Extra::Running) { first.id } else { last.id };
        self.snap.packages.push(PackageSnapshot {
            id: self.snap.packages.len() as i32 + 1,
            name: name.to_owned(),
            collection_id: 1,
            tracked: st != St::Ignored,
            blocked: false,
            resolved: match st {
                St::Null => None,
                St::Unresolved => Some(false),
                St::Ok | St::Ignored => Some(true),
            },
            skip_resolution: false,
            last_build: Some(last),
            last_complete_build_id: Some(complete),
            manual_priority: 0,
            static_priority: 0,
            dependency_priority: prio + 30,
            build_priority: 0,
            arch_override: None,
            scheduler_skip_reason: None,
            inconclusive: None,
        });
        self
    }

    fn with(mut self, f: impl FnOnce(&mut SchedulerSnapshot)) -> Self {
        f(&mut self.snap);
        self
    }
}

/// A fake Koji answering the plan's questions, logging each "call".
struct Koji<'h> {
    tag_arches: Vec<String>,
    headers: &'h dyn Fn(&PackageSnapshot) -> Option<SrpmHeaders>,
    load: f64,
    submit: &'h dyn Fn(&PackageSnapshot) -> SubmitResult,
}

fn x86_only(_: &PackageSnapshot) -> Option<SrpmHeaders> {
    Some(SrpmHeaders::default())
}

fn accept(_: &PackageSnapshot) -> SubmitResult {
    SubmitResult::Submitted
}

/// The original's mocks: arches ['x86_64'], load 0.3, submission succeeds.
fn koji() -> Koji<'static> {
    Koji { tag_arches: vec!["x86_64".to_owned()], headers: &x86_only, load: 0.3, submit: &accept }
}

struct Run {
    outcome: Outcome,
    calls: Vec<String>,
    effects: Vec<Effect>,
}

fn drive(snap: &SchedulerSnapshot, koji: &Koji) -> Run {
    let mut plan = plan(snap, now());
    let mut calls = Vec::new();
    for _ in 0..snap.packages.len() * 3 + 1 {
        let step = match plan.decision() {
            Decision::NeedArches { package, .. } => {
                calls.push(format!("arches {}", package.name));
                plan.provide_arches(&koji.tag_arches, (koji.headers)(package).as_ref())
            }
            Decision::NeedLoad { query_arches, .. } => {
                calls.push(format!("load {}", query_arches.join(",")));
                plan.provide_load(koji.load)
            }
            Decision::Submit { package, arch_override, .. } => {
                calls.push(format!("submit {} {arch_override:?}", package.name));
                plan.provide_submit((koji.submit)(package))
            }
            Decision::Finished(outcome) => {
                return Run { outcome, calls, effects: plan.effects().to_vec() };
            }
        };
        step.expect("answer fits");
    }
    panic!("plan did not finish");
}

fn submitted(run: &Run) -> Option<i32> {
    match run.outcome {
        Outcome::Submitted { package_id } => Some(package_id),
        _ => None,
    }
}

fn check_none(f: Fixture) {
    let run = drive(&f.snap, &koji());
    assert_eq!(run.outcome, Outcome::NothingToSchedule);
    assert!(run.calls.is_empty(), "no Koji call expected: {:?}", run.calls);
}

#[test]
fn s1_low() {
    check_none(Fixture::new().pkg("rnv", 10, None, St::Ok));
}

#[test]
fn s2_submit1() {
    let f = Fixture::new().pkg("rnv", 256, None, St::Ok);
    let run = drive(&f.snap, &koji());
    assert_eq!(run.calls, ["arches rnv", "load x86_64", "submit rnv Some(\"x86_64\")"]);
    assert_eq!(run.outcome, Outcome::Submitted { package_id: 1 });
    assert_eq!(run.effects, [Effect::Submitted(1)]);
}

#[test]
fn s3_submit_no_resolution() {
    check_none(Fixture::new().pkg("rnv", 256, None, St::Null));
}

#[test]
fn s4_load() {
    let f = Fixture::new().pkg("rnv", 30000, None, St::Ok);
    let run = drive(&f.snap, &Koji { load: 0.7, ..koji() });
    assert_eq!(run.outcome, Outcome::KojiBusy { load: 0.7 });
    assert_eq!(run.calls, ["arches rnv", "load x86_64"]);
    assert!(run.effects.is_empty());
}

#[test]
fn s5_max_builds() {
    let f = Fixture::new()
        .pkg("rnv", 30, Some(Extra::Running), St::Ok)
        .pkg("eclipse", 300, Some(Extra::Running), St::Ok)
        .pkg("expat", 400, None, St::Ok);
    assert_eq!(f.snap.running_builds, 2);
    let run = drive(&f.snap, &koji());
    assert_eq!(run.outcome, Outcome::MaxBuilds);
    assert!(run.calls.is_empty());
    assert_eq!(plan(&f.snap, now()).stats().schedulable, 0, "nothing is even ranked");
}

#[test]
fn s6_s7_running() {
    check_none(Fixture::new().pkg("rnv", 30000, Some(Extra::Running), St::Ok));
    check_none(Fixture::new().pkg("eclipse", 100, None, St::Ok).pkg(
        "rnv",
        300,
        Some(Extra::Running),
        St::Ok,
    ));
}

#[test]
fn s8_running3() {
    let f = Fixture::new().pkg("eclipse", 280, None, St::Ok).pkg(
        "rnv",
        300,
        Some(Extra::Running),
        St::Ok,
    );
    let run = drive(&f.snap, &koji());
    assert_eq!(submitted(&run), Some(1));
    let before = render(&f.snap, now(), &[]);
    assert_eq!(
        before,
        "\
name     coll  manual  static  dep  build    time  total                        plan
eclipse  f25        0       0  310      0  -30.00  280.00
rnv      f25        0       0  330      0       -  Package has a running build
"
    );
    let after = render(&f.snap, now(), &run.effects);
    assert!(
        after.lines().nth(1).is_some_and(|l| l.ends_with("280.00                       submit"))
    );
}

#[test]
fn s9_multiple() {
    let f = Fixture::new().pkg("eclipse", 280, None, St::Ok).pkg("rnv", 300, None, St::Ok);
    let run = drive(&f.snap, &koji());
    assert_eq!(submitted(&run), Some(2));
    assert_eq!(run.calls.len(), 3, "eclipse is never looked at: {:?}", run.calls);
}

#[test]
fn s10_builds() {
    let f = Fixture::new().pkg("eclipse", 100, Some(Extra::Running), St::Ok).pkg(
        "rnv",
        300,
        Some(Extra::Complete),
        St::Ok,
    );
    assert_eq!(submitted(&drive(&f.snap, &koji())), Some(2));
}

#[test]
fn s11_to_s14_states() {
    check_none(Fixture::new().pkg("rnv", 300, None, St::Unresolved));
    check_none(Fixture::new().pkg("rnv", 300, None, St::Ignored));
    let broken = |r| move |s: &mut SchedulerSnapshot| s.collections[0].latest_repo_resolved = r;
    check_none(Fixture::new().pkg("rnv", 256, None, St::Null).with(broken(Some(false))));
    check_none(Fixture::new().pkg("rnv", 256, None, St::Ok).with(broken(Some(false))));
    check_none(Fixture::new().pkg("rnv", 256, None, St::Ok).with(broken(None)));
}

#[test]
fn s15_no_packages_no_load_query() {
    check_none(Fixture::new());
}

#[test]
fn s16_skipped_resolution() {
    let f = Fixture::new()
        .pkg("rnv", 256, None, St::Null)
        .with(|s| s.packages[0].skip_resolution = true);
    assert_eq!(submitted(&drive(&f.snap, &koji())), Some(1));
}

/// §12.4: ordering is global across collections (coefficients apply per collection).
#[test]
fn global_order_across_collections() {
    let f =
        Fixture::new().pkg("rnv", 300, None, St::Ok).pkg("maven", 290, None, St::Ok).with(|s| {
            s.collections.push(CollectionSnapshot {
                priority_coefficient: 2.0,
                ..collection(2, "f26", Some(true))
            });
            s.packages[1].collection_id = 2;
        });
    // maven: 2 · (320 − 30) = 580 beats rnv's 300
    let text = render(&f.snap, now(), &[]);
    assert_eq!(
        text,
        "\
name   coll  manual  static  dep  build    time  total   plan
maven  f26        0       0  320      0  -30.00  580.00
rnv    f25        0       0  330      0  -30.00  300.00
"
    );
    assert_eq!(submitted(&drive(&f.snap, &koji())), Some(2));
}

/// No SRPM and no allowed arch are recorded and the next candidate is tried in the same
/// tick; a submission that finds no SRPM counts as no SRPM too.
#[test]
fn skips_are_recorded_and_the_tick_goes_on() {
    let f = Fixture::new()
        .pkg("nosrpm", 500, None, St::Ok)
        .pkg("s390only", 400, None, St::Ok)
        .pkg("gone", 350, None, St::Ok)
        .pkg("rnv", 300, None, St::Ok)
        .pkg("eclipse", 290, None, St::Ok);
    let headers = |p: &PackageSnapshot| match p.name.as_str() {
        "nosrpm" => None,
        "s390only" => {
            Some(SrpmHeaders { exclusive_arch: vec!["s390x".to_owned()], ..SrpmHeaders::default() })
        }
        _ => Some(SrpmHeaders::default()),
    };
    let submit = |p: &PackageSnapshot| {
        if p.name == "gone" { SubmitResult::NoSrpm } else { SubmitResult::Submitted }
    };
    let run = drive(&f.snap, &Koji { headers: &headers, submit: &submit, ..koji() });
    assert_eq!(submitted(&run), Some(4));
    assert_eq!(
        run.effects,
        [Effect::SkipNoSrpm(1), Effect::SkipNoArch(2), Effect::SkipNoSrpm(3), Effect::Submitted(4),]
    );
    let table = render(&f.snap, now(), &run.effects);
    let plan_col: Vec<&str> =
        table.lines().skip(1).map(|l| l.rsplit("  ").next().unwrap_or("")).collect();
    assert_eq!(plan_col, ["skip: no SRPM", "skip: no arch", "skip: no SRPM", "submit", "290.00"]);
    // all skipped in one tick and nothing submitted: effects are still reported
    let none = |_: &PackageSnapshot| None;
    let run = drive(&f.snap, &Koji { headers: &none, ..koji() });
    assert_eq!(run.outcome, Outcome::NothingToSchedule);
    assert_eq!(run.effects.len(), 5);
}

#[test]
fn load_check_skipped_at_threshold_one_and_noarch_query() {
    let f = Fixture::new().pkg("rnv", 300, None, St::Ok).with(|s| s.load_threshold = 1.0);
    let run = drive(&f.snap, &Koji { load: 5.0, ..koji() });
    assert_eq!(run.calls, ["arches rnv", "submit rnv Some(\"x86_64\")"]);
    let f = Fixture::new().pkg("maven", 300, None, St::Ok);
    let noarch = |_: &PackageSnapshot| {
        Some(SrpmHeaders { build_archs: vec!["noarch".to_owned()], ..SrpmHeaders::default() })
    };
    let tag = ["armv7hl", "i686", "x86_64"].map(str::to_owned).to_vec();
    let run = drive(&f.snap, &Koji { headers: &noarch, tag_arches: tag, ..koji() });
    assert_eq!(run.calls, ["arches maven", "load armv7hl,i686,x86_64", "submit maven None"]);
}

#[test]
fn ties_break_by_id_and_nan_load_is_busy() {
    let f = Fixture::new().pkg("b", 300, None, St::Ok).pkg("a", 300, None, St::Ok);
    assert_eq!(submitted(&drive(&f.snap, &koji())), Some(1));
    let run = drive(&f.snap, &Koji { load: f64::NAN, ..koji() });
    assert!(matches!(run.outcome, Outcome::KojiBusy { .. }));
}

#[test]
fn backoff_and_no_srpm_reason_keep_a_package_out() {
    let streak = InconclusiveStreak { count: 2, last_at: now() - TimeDelta::minutes(59) };
    let f = Fixture::new()
        .pkg("rnv", 3000, None, St::Ok)
        .pkg("maven", 2000, None, St::Ok)
        .pkg("eclipse", 300, None, St::Ok)
        .with(|s| {
            s.packages[0].inconclusive = Some(streak);
            s.packages[1].scheduler_skip_reason = Some(SchedulerSkipReason::NoSrpm);
        });
    let run = drive(&f.snap, &koji());
    assert_eq!(submitted(&run), Some(3));
    let table = render(&f.snap, now(), &[]);
    assert!(table.contains(&SkipReason::RetryBackoff.text("")), "{table}");
    let over = InconclusiveStreak { last_at: now() - TimeDelta::minutes(60), ..streak };
    let f = f.with(|s| s.packages[0].inconclusive = Some(over));
    assert_eq!(submitted(&drive(&f.snap, &koji())), Some(1), "1 h backoff is over");
}

#[path = "plan_props.rs"]
mod props;
