//! Build state codes and the package state string rules (spec §2.1, §2.2), as pure code.
//!
//! Nothing here touches the database. The integer codes are Koschei's own (2/3/5, plus 6 for
//! inconclusive); do not confuse them with Koji's task or build states.

use thiserror::Error;

/// Koschei's `build.state` codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BuildState {
    /// Submitted / still running in Koji.
    Running = 2,
    /// Finished successfully (Koji CLOSED / COMPLETE).
    Complete = 3,
    /// Finished with a failure (Koji FAILED).
    Failed = 5,
    /// Ended without a verdict (Koji fault, timeout, missing repo id, cancel). New in this
    /// rewrite: the original deleted such builds; they are kept as evidence but are invisible
    /// to the package's last-build pointers.
    Inconclusive = 6,
}

/// An integer that is not a build state code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[error("unknown build state code {0}")]
pub struct UnknownBuildState(pub i32);

impl BuildState {
    /// Every state, in code order.
    pub const ALL: [BuildState; 4] =
        [BuildState::Running, BuildState::Complete, BuildState::Failed, BuildState::Inconclusive];

    /// The database code.
    pub fn as_i32(self) -> i32 {
        self as i32
    }

    /// Complete or failed: the build has a verdict.
    pub fn is_finished(self) -> bool {
        matches!(self, BuildState::Complete | BuildState::Failed)
    }

    /// Whether a (not untagged) build in this state can be a package's last build.
    pub fn counts_for_last_build(self) -> bool {
        !matches!(self, BuildState::Inconclusive)
    }

    /// Lower-case name as used by the original (`running`, `complete`, `failed`) plus
    /// `inconclusive`.
    pub fn as_str(self) -> &'static str {
        match self {
            BuildState::Running => "running",
            BuildState::Complete => "complete",
            BuildState::Failed => "failed",
            BuildState::Inconclusive => "inconclusive",
        }
    }
}

impl TryFrom<i32> for BuildState {
    type Error = UnknownBuildState;

    fn try_from(code: i32) -> Result<Self, Self::Error> {
        match code {
            2 => Ok(BuildState::Running),
            3 => Ok(BuildState::Complete),
            5 => Ok(BuildState::Failed),
            6 => Ok(BuildState::Inconclusive),
            other => Err(UnknownBuildState(other)),
        }
    }
}

impl From<BuildState> for i32 {
    fn from(state: BuildState) -> i32 {
        state.as_i32()
    }
}

/// The package state string shown to users (spec §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PackageState {
    /// Last complete build succeeded.
    Ok,
    /// Last complete build failed.
    Failing,
    /// Dependencies are not installable.
    Unresolved,
    /// Blocked (or absent) in the Koji tag.
    Blocked,
    /// Not tracked by Koschei.
    Untracked,
    /// None of the above (no complete build; resolution unknown or fine).
    Unknown,
}

impl PackageState {
    /// The original's string.
    pub fn as_str(self) -> &'static str {
        match self {
            PackageState::Ok => "ok",
            PackageState::Failing => "failing",
            PackageState::Unresolved => "unresolved",
            PackageState::Blocked => "blocked",
            PackageState::Untracked => "untracked",
            PackageState::Unknown => "unknown",
        }
    }

    /// State used in published messages: the state if `ok`/`failing`/`unresolved`, else
    /// `ignored`.
    pub fn msg_str(self) -> &'static str {
        match self {
            PackageState::Ok | PackageState::Failing | PackageState::Unresolved => self.as_str(),
            PackageState::Blocked | PackageState::Untracked | PackageState::Unknown => "ignored",
        }
    }
}

/// Package state with the original's precedence: blocked → untracked → unresolved (resolved
/// is FALSE, not NULL) → ok (last complete build state 3) → failing (5) → unknown.
pub fn package_state(
    blocked: bool,
    tracked: bool,
    resolved: Option<bool>,
    last_complete_build_state: Option<i32>,
) -> PackageState {
    if blocked {
        PackageState::Blocked
    } else if !tracked {
        PackageState::Untracked
    } else if resolved == Some(false) {
        PackageState::Unresolved
    } else if last_complete_build_state == Some(BuildState::Complete.as_i32()) {
        PackageState::Ok
    } else if last_complete_build_state == Some(BuildState::Failed.as_i32()) {
        PackageState::Failing
    } else {
        PackageState::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_state_round_trips_and_rejects_unknown_codes() {
        for state in BuildState::ALL {
            assert_eq!(BuildState::try_from(state.as_i32()), Ok(state));
            assert_eq!(i32::from(state), state as i32);
        }
        assert_eq!(
            BuildState::ALL.map(BuildState::as_i32),
            [2, 3, 5, 6],
            "codes are fixed by the schema"
        );
        for bad in [-1, 0, 1, 4, 7, i32::MAX] {
            assert_eq!(BuildState::try_from(bad), Err(UnknownBuildState(bad)));
        }
        assert!(BuildState::Complete.is_finished() && BuildState::Failed.is_finished());
        assert!(!BuildState::Running.is_finished() && !BuildState::Inconclusive.is_finished());
        assert!(!BuildState::Inconclusive.counts_for_last_build());
        assert!(BuildState::Running.counts_for_last_build());
        assert_eq!(BuildState::Inconclusive.as_str(), "inconclusive");
    }

    #[test]
    fn package_state_precedence() {
        use PackageState::*;
        /// (blocked, tracked, resolved, last_complete_build_state, expected)
        type Case = (bool, bool, Option<bool>, Option<i32>, PackageState);
        let cases: &[Case] = &[
            // blocked wins over everything
            (true, false, Some(false), Some(3), Blocked),
            (true, true, Some(true), Some(5), Blocked),
            // then untracked
            (false, false, Some(false), Some(3), Untracked),
            (false, false, None, None, Untracked),
            // then unresolved (only FALSE, not NULL)
            (false, true, Some(false), Some(3), Unresolved),
            (false, true, Some(false), None, Unresolved),
            // then the last complete build's state
            (false, true, Some(true), Some(3), Ok),
            (false, true, None, Some(3), Ok),
            (false, true, Some(true), Some(5), Failing),
            (false, true, None, Some(5), Failing),
            // otherwise unknown
            (false, true, None, None, Unknown),
            (false, true, Some(true), None, Unknown),
            (false, true, Some(true), Some(2), Unknown),
            (false, true, Some(true), Some(6), Unknown),
        ];
        for &(blocked, tracked, resolved, lcbs, expected) in cases {
            assert_eq!(
                package_state(blocked, tracked, resolved, lcbs),
                expected,
                "blocked={blocked} tracked={tracked} resolved={resolved:?} lcbs={lcbs:?}"
            );
        }
    }

    #[test]
    fn package_state_strings() {
        let all = [
            (PackageState::Ok, "ok", "ok"),
            (PackageState::Failing, "failing", "failing"),
            (PackageState::Unresolved, "unresolved", "unresolved"),
            (PackageState::Blocked, "blocked", "ignored"),
            (PackageState::Untracked, "untracked", "ignored"),
            (PackageState::Unknown, "unknown", "ignored"),
        ];
        for (state, s, msg) in all {
            assert_eq!(state.as_str(), s);
            assert_eq!(state.msg_str(), msg);
        }
    }
}
