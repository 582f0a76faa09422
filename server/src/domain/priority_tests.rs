//! Priority vectors P1–P13 (koschei-tests.md §2.6), time/dependency priority values
//! (§2.3, §3.1), skip reasons and the inconclusive-retry backoff bounds.

use chrono::{NaiveDate, TimeDelta};
use proptest::prelude::*;

use super::*;

/// The test configuration (koschei-tests.md §0.1): package_update 20, rest default.
fn cfg() -> PrioritiesConfig {
    PrioritiesConfig { package_update: 20, ..PrioritiesConfig::default() }
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|d| d.and_hms_opt(h, mi, 0))
        .expect("valid date")
        .and_utc()
}

fn collection() -> CollectionSnapshot {
    CollectionSnapshot {
        id: 1,
        name: "f25".to_owned(),
        display_name: "Fedora Rawhide".to_owned(),
        priority_coefficient: 1.0,
        latest_repo_resolved: Some(true),
    }
}

/// PackagePriorityTest fixture: rnv tracked, resolved, one complete build started 10:00.
fn rnv() -> PackageSnapshot {
    PackageSnapshot {
        id: 1,
        name: "rnv".to_owned(),
        collection_id: 1,
        tracked: true,
        blocked: false,
        resolved: Some(true),
        skip_resolution: false,
        last_build: Some(LastBuild { id: 1, started: at(2017, 10, 10, 10, 0) }),
        last_complete_build_id: Some(1),
        manual_priority: 0,
        static_priority: 0,
        dependency_priority: 0,
        build_priority: 0,
        arch_override: None,
        scheduler_skip_reason: None,
        inconclusive: None,
    }
}

fn now() -> DateTime<Utc> {
    at(2017, 10, 10, 10, 0)
}

fn prio(p: &PackageSnapshot, c: &CollectionSnapshot) -> Result<f64, SkipReason> {
    current_priority_exact(&cfg(), p, c, now())
}

fn assert_close(got: Result<f64, SkipReason>, want: f64) {
    let got = got.expect("schedulable");
    assert!((got - want).abs() < 1e-9, "{got} vs {want}");
}

#[test]
fn time_priority_values() {
    let c = PrioritiesConfig::default();
    let cases = [
        (0.0, -30.0),
        (2.0, -30.0),
        (6.0, 0.0),
        (10.0, 39.24469800240976),
        (24.0, 106.50347401037283),
        (34.0, 133.26248998924953),
        (48.0, 159.75521101555924),
        (168.0, 256.0),
        (730.0, 368.8636075201325),
        (-5.0, -30.0),
    ];
    for (hours, want) in cases {
        let got = time_priority(&c, hours);
        assert!((got - want).abs() < 1e-9, "{hours} h: {got} vs {want}");
    }
    // just below ~4.06 h the floor applies, just above it does not
    assert_eq!(time_priority(&c, 4.0), -30.0);
    assert!(time_priority(&c, 4.2) > -30.0);
}

#[test]
fn p1_basic() {
    assert_close(prio(&rnv(), &collection()), -30.0);
    assert_eq!(current_priority(&cfg(), &rnv(), &collection(), now()), Ok(-30));
}

#[test]
fn p2_coefficient() {
    let p = PackageSnapshot {
        manual_priority: 10,
        static_priority: 20,
        dependency_priority: 40,
        build_priority: 50,
        ..rnv()
    };
    let c = CollectionSnapshot { priority_coefficient: 0.5, ..collection() };
    assert_close(prio(&p, &c), 60.0);
}

#[test]
fn p3_to_p6_time() {
    let with_start =
        |started| PackageSnapshot { last_build: Some(LastBuild { id: 1, started }), ..rnv() };
    assert_close(prio(&with_start(at(2017, 10, 10, 8, 0)), &collection()), -30.0);
    assert_close(prio(&with_start(at(2017, 10, 10, 0, 0)), &collection()), 39.2446980024098);
    assert_close(prio(&with_start(at(2017, 10, 9, 0, 0)), &collection()), 133.26248998925);
    assert_close(prio(&with_start(at(2017, 9, 10, 0, 0)), &collection()), 368.863607520133);
    let p = with_start(at(2017, 10, 9, 0, 0));
    assert_eq!(current_priority(&cfg(), &p, &collection(), now()), Ok(133));
}

#[test]
fn p7_to_p13_unschedulable() {
    let c = collection();
    let check = |p: PackageSnapshot, want| assert_eq!(prio(&p, &c), Err(want));
    check(PackageSnapshot { tracked: false, ..rnv() }, SkipReason::NotTracked);
    check(PackageSnapshot { blocked: true, ..rnv() }, SkipReason::Blocked);
    check(PackageSnapshot { resolved: Some(false), ..rnv() }, SkipReason::Unresolvable);
    // P10: an extra running build started 11:00 becomes the last build
    let running = Some(LastBuild { id: 2, started: at(2017, 10, 10, 11, 0) });
    check(PackageSnapshot { last_build: running, ..rnv() }, SkipReason::RunningBuild);
    // P11: no builds at all
    let none = PackageSnapshot { last_build: None, last_complete_build_id: None, ..rnv() };
    check(none, SkipReason::NoBuild);
    check(PackageSnapshot { resolved: None, ..rnv() }, SkipReason::NotResolvedYet);
    // P13: resolution skipped
    let skipped = PackageSnapshot { resolved: None, skip_resolution: true, ..rnv() };
    assert_close(prio(&skipped, &c), -30.0);
}

#[test]
fn buildroot_state_blocks() {
    let broken = CollectionSnapshot { latest_repo_resolved: Some(false), ..collection() };
    assert_eq!(prio(&rnv(), &broken), Err(SkipReason::BuildrootUnresolvable));
    let unknown = CollectionSnapshot { latest_repo_resolved: None, ..collection() };
    assert_eq!(prio(&rnv(), &unknown), Err(SkipReason::BuildrootNotResolvedYet));
}

/// Spec §12.6 fixed: the only build is running (no complete build) and resolution is
/// skipped. The original's `!=` would have made this package schedulable while running.
#[test]
fn only_build_running_is_a_running_build() {
    let p = PackageSnapshot {
        resolved: None,
        skip_resolution: true,
        last_complete_build_id: None,
        ..rnv()
    };
    assert!(p.has_running_build());
    assert_eq!(prio(&p, &collection()), Err(SkipReason::RunningBuild));
}

#[test]
fn skip_reason_texts_and_order() {
    let p = PackageSnapshot {
        tracked: false,
        blocked: true,
        resolved: None,
        last_build: None,
        last_complete_build_id: None,
        scheduler_skip_reason: Some(SchedulerSkipReason::NoArch),
        ..rnv()
    };
    let c = CollectionSnapshot { latest_repo_resolved: Some(false), ..collection() };
    let texts: Vec<String> =
        skip_reasons(&p, &c, now()).into_iter().map(|r| r.text(&c.display_name)).collect();
    assert_eq!(
        texts,
        [
            "No build architecture allowed for SRPM",
            "Package is not tracked",
            "Package is blocked in koji",
            "Package dependencies were not resolved yet",
            "Package has no known build",
            "Base buildroot for Fedora Rawhide is not resolvable",
        ]
    );
    // NoArch is informational: the first *blocking* reason is reported
    assert_eq!(prio(&p, &c), Err(SkipReason::NotTracked));
    let srpm =
        PackageSnapshot { scheduler_skip_reason: Some(SchedulerSkipReason::NoSrpm), ..rnv() };
    assert_eq!(prio(&srpm, &collection()), Err(SkipReason::NoSrpm));
    assert_eq!(SkipReason::NoSrpm.text(""), "No suitable SRPM was found");
    assert_eq!(SkipReason::RunningBuild.text(""), "Package has a running build");
    assert_eq!(SkipReason::Unresolvable.text(""), "Package dependencies are not resolvable");
    assert_eq!(
        SkipReason::BuildrootNotResolvedYet.text("Fedora 41"),
        "Base buildroot for Fedora 41 was not resolved yet"
    );
    assert_eq!(SkipReason::RetryBackoff.text(""), "Waiting to retry after an inconclusive build");
    let no_arch =
        PackageSnapshot { scheduler_skip_reason: Some(SchedulerSkipReason::NoArch), ..rnv() };
    assert_close(prio(&no_arch, &collection()), -30.0);
    assert_eq!(SchedulerSkipReason::from_code(Some(2)), Some(SchedulerSkipReason::NoArch));
    assert_eq!(SchedulerSkipReason::from_code(Some(7)), None);
    assert_eq!(SchedulerSkipReason::NoSrpm.code(), 1);
}

#[test]
fn dependency_priority_values() {
    let full = PrioritiesConfig::default();
    assert_eq!(dependency_priority(&full, &[Some(1)]), 256);
    assert_eq!(dependency_priority(&full, &[Some(2)]), 128);
    assert_eq!(dependency_priority(&full, &[Some(3)]), 85);
    assert_eq!(dependency_priority(&full, &[Some(4)]), 64);
    assert_eq!(dependency_priority(&full, &[None]), 32);
    assert_eq!(dependency_priority(&full, &[Some(0)]), 32, "Python's `0 or 8`");
    assert_eq!(dependency_priority(&full, &[Some(3), Some(3), Some(3)]), 256);
    assert_eq!(
        dependency_priority(&full, &[Some(1), None, Some(3), Some(4), Some(2), Some(0)]),
        597
    );
    assert_eq!(dependency_priority(&full, &[]), 0);
    // D1: C and E at distance 2 with package_update 20
    assert_eq!(dependency_priority(&cfg(), &[Some(2), Some(2)]), 20);
    assert_eq!(dependency_priority(&cfg(), &[Some(3)]), 6, "truncation of 6.67");
}

/// Spec §12.1 fixed: only the previous build of the same package matters.
#[test]
fn failed_build_bonus_rules() {
    let c = cfg();
    assert_eq!(failed_build_bonus(&c, true, None), Some(200));
    assert_eq!(failed_build_bonus(&c, true, Some(false)), Some(200));
    assert_eq!(failed_build_bonus(&c, true, Some(true)), None);
    assert_eq!(failed_build_bonus(&c, false, Some(false)), None);
}

#[test]
fn backoff_delays() {
    let t = at(2024, 1, 1, 0, 0);
    assert_eq!(retry_not_before(0, t), t);
    let mins: Vec<i64> = (1..=9).map(|n| (retry_not_before(n, t) - t).num_minutes()).collect();
    assert_eq!(mins, [30, 60, 120, 240, 480, 960, 1440, 1440, 1440]);
    assert_eq!(retry_delay(u32::MAX), RETRY_BACKOFF_MAX);
}

#[test]
fn backoff_blocks_until_due() {
    let last_at = at(2017, 10, 10, 9, 45);
    let p =
        PackageSnapshot { inconclusive: Some(InconclusiveStreak { count: 1, last_at }), ..rnv() };
    assert_eq!(prio(&p, &collection()), Err(SkipReason::RetryBackoff));
    let later = last_at + TimeDelta::minutes(30);
    assert!(current_priority_exact(&cfg(), &p, &collection(), later).is_ok());
    // other reasons win over the backoff (display order)
    let untracked = PackageSnapshot { tracked: false, ..p };
    assert_eq!(prio(&untracked, &collection()), Err(SkipReason::NotTracked));
}

/// Submissions of one package in a streak where every build ends inconclusive after
/// `build_minutes`, retried as soon as the backoff allows.
fn submissions(build_minutes: i64, days: i64) -> Vec<DateTime<Utc>> {
    let start = at(2024, 1, 1, 0, 0);
    let end = start + TimeDelta::days(days);
    let (mut t, mut count, mut out) = (start, 0_u32, Vec::new());
    while t < end {
        out.push(t);
        let ended = t + TimeDelta::minutes(build_minutes);
        count += 1;
        t = retry_not_before(count, ended);
    }
    out
}

#[test]
fn never_more_than_six_submissions_a_day() {
    for build_minutes in [0, 1, 10, 60] {
        let subs = submissions(build_minutes, 30);
        for (i, first) in subs.iter().enumerate() {
            let in_day = subs[i..].iter().take_while(|t| **t < *first + TimeDelta::days(1));
            assert!(in_day.count() <= 6, "build of {build_minutes} min");
        }
        // and the streak settles at one retry a day
        let last_two = &subs[subs.len() - 2..];
        assert!(last_two[1] - last_two[0] >= RETRY_BACKOFF_MAX);
    }
}

proptest! {
    #[test]
    fn backoff_is_monotonic_and_bounded(n in 0u32..200) {
        let d = retry_delay(n);
        prop_assert!(d <= RETRY_BACKOFF_MAX);
        prop_assert!(retry_delay(n + 1) >= d);
        prop_assert!(n == 0 || d >= RETRY_BACKOFF_BASE);
    }

    #[test]
    fn time_priority_is_monotonic(h1 in 0.0f64..10_000.0, dh in 0.0f64..1000.0) {
        let c = PrioritiesConfig::default();
        prop_assert!(time_priority(&c, h1 + dh) >= time_priority(&c, h1));
        prop_assert!(time_priority(&c, h1) >= TIME_PRIORITY_FLOOR);
    }

    #[test]
    fn dependency_priority_matches_float_sum(ds in proptest::collection::vec(proptest::option::of(0i32..9), 0..40)) {
        let c = PrioritiesConfig::default();
        let manual: f64 = ds.iter().map(|d| 256.0 / f64::from(d.filter(|d| *d > 0).unwrap_or(8))).sum();
        prop_assert_eq!(dependency_priority(&c, &ds), manual.trunc() as i64);
    }
}
