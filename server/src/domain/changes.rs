//! How dependency changes are shown (spec koschei-frontend §2.6): the `[E:]V-R` text, the
//! kind of a change by RPM EVR order, and the display order (distance, nulls last, then
//! name). Pure: the rows come from `db::package_detail`.

use std::cmp::Ordering;

use crate::resolver::diff::ChangeKind;
use crate::rpm::Evr;

/// One side of a change: the dependency's epoch, version and release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepEvr {
    /// NULL ≡ 0.
    pub epoch: Option<i32>,
    /// Version.
    pub version: String,
    /// Release.
    pub release: String,
}

impl DepEvr {
    /// `epoch:version-release`, with `epoch:` left out when it is 0 or unknown.
    pub fn display(&self) -> String {
        match self.epoch {
            Some(e) if e != 0 => format!("{e}:{}-{}", self.version, self.release),
            _ => format!("{}-{}", self.version, self.release),
        }
    }

    fn evr(&self) -> Evr {
        let epoch = self.epoch.and_then(|e| u32::try_from(e).ok()).unwrap_or(0);
        Evr::new(epoch, self.version.clone(), Some(self.release.clone()))
    }
}

/// Added (no previous), removed (no current), else upgraded / downgraded by RPM order of the
/// EVRs; `Changed` when they compare equal (e.g. only the arch changed).
pub fn change_kind(prev: Option<&DepEvr>, curr: Option<&DepEvr>) -> ChangeKind {
    match (prev, curr) {
        (None, _) => ChangeKind::Added,
        (Some(_), None) => ChangeKind::Removed,
        (Some(p), Some(c)) => match c.evr().rpm_cmp(&p.evr()) {
            Ordering::Greater => ChangeKind::Upgraded,
            Ordering::Less => ChangeKind::Downgraded,
            Ordering::Equal => ChangeKind::Changed,
        },
    }
}

/// Display order of changes: distance ascending with unknown distances last, then name.
pub fn display_order(a: (Option<i32>, &str), b: (Option<i32>, &str)) -> Ordering {
    let distance = |d: Option<i32>| (d.is_none(), d.unwrap_or(0));
    distance(a.0).cmp(&distance(b.0)).then_with(|| a.1.cmp(b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evr(s: &str) -> DepEvr {
        let (epoch, rest) = match s.split_once(':') {
            Some((e, rest)) => (Some(e.parse().unwrap()), rest),
            None => (None, s),
        };
        let (version, release) = rest.rsplit_once('-').unwrap();
        DepEvr { epoch, version: version.into(), release: release.into() }
    }

    #[test]
    fn the_epoch_is_shown_only_when_it_is_not_zero() {
        assert_eq!(evr("1.0-1.fc40").display(), "1.0-1.fc40");
        assert_eq!(evr("0:1.0-1.fc40").display(), "1.0-1.fc40");
        assert_eq!(evr("2:1.0-1.fc40").display(), "2:1.0-1.fc40");
    }

    #[test]
    fn kinds_follow_rpm_order() {
        let kind = |p: &str, c: &str| change_kind(Some(&evr(p)), Some(&evr(c)));
        assert_eq!(kind("1.9-1", "1.10-1"), ChangeKind::Upgraded, "numeric, not textual");
        assert_eq!(kind("1.10-1", "1.9-1"), ChangeKind::Downgraded);
        assert_eq!(kind("2:1.0-1", "1:9.0-1"), ChangeKind::Downgraded, "the epoch wins");
        assert_eq!(kind("1.0-1", "1.0~rc1-1"), ChangeKind::Downgraded, "tilde sorts before");
        assert_eq!(kind("1.0-1.fc40", "1.0-2.fc40"), ChangeKind::Upgraded);
        assert_eq!(kind("0:1.0-1", "1.0-1"), ChangeKind::Changed, "missing epoch is 0");
        assert_eq!(change_kind(None, Some(&evr("1-1"))), ChangeKind::Added);
        assert_eq!(change_kind(Some(&evr("1-1")), None), ChangeKind::Removed);
    }

    #[test]
    fn changes_sort_by_distance_with_unknown_last_then_name() {
        let mut rows = vec![
            (None, "zlib"),
            (Some(2), "b"),
            (None, "attr"),
            (Some(1), "python3"),
            (Some(2), "a"),
            (Some(1), "gcc"),
        ];
        rows.sort_by(|x, y| display_order(*x, *y));
        assert_eq!(
            rows,
            [
                (Some(1), "gcc"),
                (Some(1), "python3"),
                (Some(2), "a"),
                (Some(2), "b"),
                (None, "attr"),
                (None, "zlib")
            ]
        );
    }
}
