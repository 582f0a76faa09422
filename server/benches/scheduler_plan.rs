//! Times `scheduler::plan::plan` + driving it to a submission over 30,000 packages.
//! Run: `cargo bench -p koschei --bench scheduler_plan`.

use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use koschei::config::PrioritiesConfig;
use koschei::domain::arches::SrpmHeaders;
use koschei::domain::priority::{CollectionSnapshot, LastBuild, PackageSnapshot};
use koschei::scheduler::plan::{Decision, SchedulerSnapshot, SubmitResult, plan};

fn snapshot(n: usize, now: DateTime<Utc>, all_above: bool) -> SchedulerSnapshot {
    let packages = (0..n)
        .map(|i| {
            let id = i as i32 + 1;
            let hours =
                if all_above { ((i * 7919) % 400) as i64 } else { ((i * 7919) % 100) as i64 };
            PackageSnapshot {
                id,
                name: format!("package-{i}"),
                collection_id: 1 + (i % 3) as i32,
                tracked: i % 17 != 0,
                blocked: i % 101 == 0,
                resolved: Some(i % 13 != 0),
                skip_resolution: false,
                last_build: Some(LastBuild { id: id * 10, started: now - TimeDelta::hours(hours) }),
                last_complete_build_id: Some(if i % 29 == 0 { id * 10 - 1 } else { id * 10 }),
                manual_priority: 0,
                static_priority: 0,
                dependency_priority: if all_above { 3000 } else { ((i * 104_729) % 300) as i32 },
                build_priority: 0,
                arch_override: None,
                scheduler_skip_reason: None,
                inconclusive: None,
            }
        })
        .collect();
    let coll = |id: i32| CollectionSnapshot {
        id,
        name: format!("f{id}"),
        display_name: format!("Fedora {id}"),
        priority_coefficient: 1.0,
        latest_repo_resolved: Some(true),
    };
    SchedulerSnapshot {
        packages,
        collections: vec![coll(1), coll(2), coll(3)],
        running_builds: 3,
        max_builds: 30,
        load_threshold: 0.5,
        build_arches: vec!["i386".into(), "x86_64".into(), "armhfp".into()],
        priorities: PrioritiesConfig::default(),
    }
}

fn tick(snap: &SchedulerSnapshot, now: DateTime<Utc>, tag: &[String]) -> Option<i32> {
    let headers = SrpmHeaders::default();
    let mut p = plan(snap, now);
    loop {
        let step = match p.decision() {
            Decision::NeedArches { .. } => p.provide_arches(tag, Some(&headers)),
            Decision::NeedLoad { .. } => p.provide_load(0.2),
            Decision::Submit { package, .. } => {
                let id = package.id;
                p.provide_submit(SubmitResult::Submitted).ok()?;
                return Some(id);
            }
            Decision::Finished(_) => return None,
        };
        step.ok()?;
    }
}

fn main() {
    let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
    let tag: Vec<String> = ["x86_64", "i686", "armv7hl"].map(String::from).to_vec();
    for (label, all_above) in
        [("mixed (half above threshold)", false), ("worst (all schedulable above)", true)]
    {
        let snap = snapshot(30_000, now, all_above);
        let stats = plan(&snap, now).stats();
        let mut times = Vec::new();
        let mut chosen = None;
        for _ in 0..200 {
            let t = Instant::now();
            chosen = tick(&snap, now, &tag);
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "{label}: {} packages, {} schedulable, {} candidates → submit {:?}; min {:?}, median {:?}, max {:?}",
            stats.packages,
            stats.schedulable,
            stats.candidates,
            chosen,
            times[0],
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
}
