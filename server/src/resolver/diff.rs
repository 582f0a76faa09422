//! The dependency-change diff between two install sets (Koschei's
//! `create_dependency_changes`, spec §4.1, quirks §12.9–10), its classification by RPM EVR
//! order, and the resulting `dependency_priority`.
//!
//! Rules kept from the original:
//! * either side empty → no changes at all;
//! * set difference by full NEVRA `(name, epoch, version, release, arch)` in each direction;
//! * changes are keyed by **name**: only-in-prev gives `(prev, None, distance None)`,
//!   only-in-curr gives `(None, curr, curr.distance)`, both gives `(prev, curr,
//!   curr.distance)`; an arch-only change with identical EVR is a change;
//! * multilib collisions (`foo.x86_64` / `foo.i686` under one name): last one wins.
//!
//! Deliberate fix: Python iterated *sets*, so which colliding entry was "last" was
//! arbitrary. Here both differences are walked in NEVRA order (name, epoch, version, release,
//! arch — textual), so the winner is deterministic: the entry sorting last. The result is
//! sorted by name.
//!
//! Pure; must not touch the sack, the database or Koji.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use crate::rpm::Nevra;

/// One resolved dependency of a package: its NEVRA and (when known) its distance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedDep {
    /// The installed package.
    pub nevra: Nevra,
    /// BFS distance 1..=4 from the BuildRequires, if reached.
    pub distance: Option<u8>,
}

/// One dependency change between two resolutions of the same package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyChange {
    /// The dependency's name (the key).
    pub name: String,
    /// The previous NEVRA (None = newly added).
    pub prev: Option<Nevra>,
    /// The current NEVRA (None = removed).
    pub curr: Option<Nevra>,
    /// Distance of the current NEVRA (always None for removals).
    pub distance: Option<u8>,
}

/// What kind of change a [`DependencyChange`] is (consumers compare EVRs in RPM order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Only in the current set.
    Added,
    /// Only in the previous set.
    Removed,
    /// Current EVR is newer.
    Upgraded,
    /// Current EVR is older.
    Downgraded,
    /// EVRs compare equal (arch change, or textually different but RPM-equal EVRs).
    Changed,
}

impl DependencyChange {
    /// Classifies the change by RPM EVR order.
    pub fn kind(&self) -> ChangeKind {
        match (&self.prev, &self.curr) {
            (None, _) => ChangeKind::Added,
            (Some(_), None) => ChangeKind::Removed,
            (Some(p), Some(c)) => match c.cmp_evr(p) {
                Ordering::Greater => ChangeKind::Upgraded,
                Ordering::Less => ChangeKind::Downgraded,
                Ordering::Equal => ChangeKind::Changed,
            },
        }
    }
}

type Key<'a> = (&'a str, u32, &'a str, &'a str, &'a str);

fn key(n: &Nevra) -> Key<'_> {
    (&n.name, n.epoch, &n.version, &n.release, &n.arch)
}

/// Koschei's `create_dependency_changes(prev, curr)` (see the module docs), sorted by name.
pub fn create_dependency_changes(
    prev: &[ResolvedDep],
    curr: &[ResolvedDep],
) -> Vec<DependencyChange> {
    if prev.is_empty() || curr.is_empty() {
        return Vec::new();
    }
    let prev_keys: BTreeSet<Key<'_>> = prev.iter().map(|d| key(&d.nevra)).collect();
    let curr_keys: BTreeSet<Key<'_>> = curr.iter().map(|d| key(&d.nevra)).collect();
    let mut old: Vec<&ResolvedDep> =
        prev.iter().filter(|d| !curr_keys.contains(&key(&d.nevra))).collect();
    let mut new: Vec<&ResolvedDep> =
        curr.iter().filter(|d| !prev_keys.contains(&key(&d.nevra))).collect();
    old.sort_by(|a, b| key(&a.nevra).cmp(&key(&b.nevra)));
    new.sort_by(|a, b| key(&a.nevra).cmp(&key(&b.nevra)));
    let mut changes: BTreeMap<&str, DependencyChange> = BTreeMap::new();
    for d in old {
        changes.insert(
            &d.nevra.name,
            DependencyChange {
                name: d.nevra.name.clone(),
                prev: Some(d.nevra.clone()),
                curr: None,
                distance: None,
            },
        );
    }
    for d in new {
        let c = changes.entry(&d.nevra.name).or_insert_with(|| DependencyChange {
            name: d.nevra.name.clone(),
            prev: None,
            curr: None,
            distance: None,
        });
        c.curr = Some(d.nevra.clone());
        c.distance = d.distance;
    }
    changes.into_values().collect()
}

/// Koschei's `dependency_priority`: `int(Σ package_update / (distance or 8))` (truncated
/// toward zero; a missing distance counts as 8). Summed in name order.
pub fn dependency_priority(changes: &[DependencyChange], package_update: f64) -> i64 {
    let sum: f64 =
        changes.iter().map(|c| package_update / f64::from(c.distance.unwrap_or(8))).sum();
    sum.trunc() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(s: &str, distance: Option<u8>) -> ResolvedDep {
        ResolvedDep { nevra: Nevra::parse(s).expect("nevra"), distance }
    }

    /// FOO_DEPS of the conformance tests (R1) with the given distances.
    fn foo_deps() -> Vec<ResolvedDep> {
        vec![
            dep("A-1-1.fc22.x86_64", Some(1)),
            dep("B-4.1-2.fc22.noarch", Some(2)),
            dep("C-1:3-1.fc22.x86_64", Some(2)),
            dep("D-2:8.b-1.rc1.fc22.x86_64", Some(3)),
            dep("E-0.1-1.fc22.1.noarch", Some(2)),
            dep("F-1-1.fc22.noarch", Some(1)),
            dep("R-3.3-2.fc22.x86_64", None),
        ]
    }

    #[test]
    fn vector_d1() {
        let mut prev: Vec<ResolvedDep> =
            foo_deps().into_iter().filter(|d| d.nevra.name != "E" && d.nevra.name != "C").collect();
        prev.push(dep("C-1:2-1.fc22.x86_64", None));
        let changes = create_dependency_changes(&prev, &foo_deps());
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].name, "C");
        assert_eq!(
            changes[0].prev.as_ref().map(ToString::to_string).as_deref(),
            Some("C-1:2-1.fc22.x86_64")
        );
        assert_eq!(
            changes[0].curr.as_ref().map(ToString::to_string).as_deref(),
            Some("C-1:3-1.fc22.x86_64")
        );
        assert_eq!(changes[0].distance, Some(2));
        assert_eq!(changes[0].kind(), ChangeKind::Upgraded);
        assert_eq!(changes[1].name, "E");
        assert_eq!(changes[1].prev, None);
        assert_eq!(changes[1].distance, Some(2));
        assert_eq!(changes[1].kind(), ChangeKind::Added);
        assert_eq!(dependency_priority(&changes, 20.0), 20);
    }

    #[test]
    fn empty_side_gives_nothing() {
        assert!(create_dependency_changes(&[], &foo_deps()).is_empty());
        assert!(create_dependency_changes(&foo_deps(), &[]).is_empty());
        assert!(create_dependency_changes(&foo_deps(), &foo_deps()).is_empty());
    }

    #[test]
    fn removal_downgrade_and_arch_change() {
        let prev = vec![
            dep("a-2-1.x86_64", Some(1)),
            dep("b-1-1.x86_64", Some(1)),
            dep("c-1-1.x86_64", Some(3)),
        ];
        let curr = vec![dep("a-1.9-1.x86_64", None), dep("b-1-1.noarch", Some(4))];
        let changes = create_dependency_changes(&prev, &curr);
        let kinds: Vec<(&str, ChangeKind, Option<u8>)> =
            changes.iter().map(|c| (c.name.as_str(), c.kind(), c.distance)).collect();
        assert_eq!(
            kinds,
            [
                ("a", ChangeKind::Downgraded, None),
                ("b", ChangeKind::Changed, Some(4)),
                ("c", ChangeKind::Removed, None)
            ]
        );
        // 20/8 + 20/4 + 20/8 = 10
        assert_eq!(dependency_priority(&changes, 20.0), 10);
    }

    #[test]
    fn multilib_collision_last_wins_deterministically() {
        let prev =
            vec![dep("x-1-1.x86_64", None), dep("x-1-1.i686", None), dep("keep-1-1.noarch", None)];
        let curr = vec![
            dep("x-2-1.x86_64", Some(1)),
            dep("x-2-1.i686", Some(2)),
            dep("keep-1-1.noarch", None),
        ];
        for (p, c) in [
            (prev.clone(), curr.clone()),
            (prev.iter().rev().cloned().collect(), curr.iter().rev().cloned().collect()),
        ] {
            let changes = create_dependency_changes(&p, &c);
            assert_eq!(changes.len(), 1, "keyed by name");
            assert_eq!(changes[0].prev.as_ref().map(|n| n.arch.as_str()), Some("x86_64"));
            assert_eq!(changes[0].curr.as_ref().map(|n| n.arch.as_str()), Some("x86_64"));
            assert_eq!(changes[0].distance, Some(1));
        }
    }

    #[test]
    fn priority_truncates() {
        let c = |d| DependencyChange { name: "n".into(), prev: None, curr: None, distance: d };
        assert_eq!(dependency_priority(&[c(Some(3)), c(Some(3))], 20.0), 13);
        assert_eq!(dependency_priority(&[c(None)], 20.0), 2);
    }
}
