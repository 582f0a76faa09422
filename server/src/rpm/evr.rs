//! RPM version ordering: `rpmvercmp` exactly as RPM ≥ 4.15's C implementation (tilde and
//! caret included), epoch-version-release values ([`Evr`]) with RPM's ordering, the
//! range-overlap test RPM and libsolv use to match a dependency against a provide
//! ([`ranges_overlap`], [`satisfies`]), and package NEVRAs ([`Nevra`]).
//!
//! Pure and allocation-free on the comparison paths (the resolver compares millions of
//! EVRs). Must not do IO or depend on anything outside `crate::rpm`.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Compares two version (or release) strings the way RPM's `rpmvercmp` does.
///
/// Strings are split into maximal runs of ASCII digits or ASCII letters; every other byte
/// (including non-ASCII) separates runs, except `~` (sorts before everything, even the end
/// of the string) and `^` (sorts after the end of the string but before anything else).
/// Numeric runs compare numerically (leading zeros ignored, any length), alphabetic runs
/// bytewise, and a numeric run is newer than an alphabetic one. When all runs are equal,
/// the string with characters left over wins. A NUL byte ends the string, as in C.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    rpmvercmp_bytes(a.as_bytes(), b.as_bytes())
}

/// [`rpmvercmp`] on raw bytes (same rules; never allocates).
pub fn rpmvercmp_bytes(a: &[u8], b: &[u8]) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    // The C code walks NUL-terminated strings; `at` reproduces that (0 = end of string).
    #[inline]
    fn at(s: &[u8], i: usize) -> u8 {
        s.get(i).copied().unwrap_or(0)
    }
    #[inline]
    fn is_separator(c: u8) -> bool {
        c != 0 && !c.is_ascii_alphanumeric() && c != b'~' && c != b'^'
    }

    let (mut i, mut j) = (0usize, 0usize);
    while at(a, i) != 0 || at(b, j) != 0 {
        while is_separator(at(a, i)) {
            i += 1;
        }
        while is_separator(at(b, j)) {
            j += 1;
        }
        let (ca, cb) = (at(a, i), at(b, j));

        // Tilde sorts before everything else, including the end of the string.
        if ca == b'~' || cb == b'~' {
            if ca != b'~' {
                return Ordering::Greater;
            }
            if cb != b'~' {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }

        // Caret sorts after the end of the string, but before anything else.
        if ca == b'^' || cb == b'^' {
            if ca == 0 {
                return Ordering::Less;
            }
            if cb == 0 {
                return Ordering::Greater;
            }
            if ca != b'^' {
                return Ordering::Greater;
            }
            if cb != b'^' {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }

        if ca == 0 || cb == 0 {
            break;
        }

        // `ca` is ASCII alphanumeric here, so a's segment is never empty.
        let numeric = ca.is_ascii_digit();
        let (start_a, start_b) = (i, j);
        if numeric {
            while at(a, i).is_ascii_digit() {
                i += 1;
            }
            while at(b, j).is_ascii_digit() {
                j += 1;
            }
        } else {
            while at(a, i).is_ascii_alphabetic() {
                i += 1;
            }
            while at(b, j).is_ascii_alphabetic() {
                j += 1;
            }
        }
        if j == start_b {
            // Segments of different types: numeric is newer than alphabetic.
            return if numeric { Ordering::Greater } else { Ordering::Less };
        }
        let mut seg_a = &a[start_a..i];
        let mut seg_b = &b[start_b..j];
        if numeric {
            while let [b'0', rest @ ..] = seg_a {
                seg_a = rest;
            }
            while let [b'0', rest @ ..] = seg_b {
                seg_b = rest;
            }
            match seg_a.len().cmp(&seg_b.len()) {
                Ordering::Equal => {}
                longer_wins => return longer_wins,
            }
        }
        match seg_a.cmp(seg_b) {
            Ordering::Equal => {}
            other => return other,
        }
    }

    match (at(a, i), at(b, j)) {
        (0, 0) => Ordering::Equal, // only separators differed
        (0, _) => Ordering::Less,  // whichever has characters left over wins
        _ => Ordering::Greater,
    }
}

/// Compares two EVRs given as parts, without allocating: epoch (integer), then version,
/// then release with [`rpmvercmp`]; an absent release sorts below any present one.
///
/// This is the total order used for "is newer" decisions, not the dependency-matching
/// rule (see [`ranges_overlap`]).
pub fn cmp_evr_parts(
    a_epoch: u32,
    a_version: &str,
    a_release: Option<&str>,
    b_epoch: u32,
    b_version: &str,
    b_release: Option<&str>,
) -> Ordering {
    a_epoch.cmp(&b_epoch).then_with(|| rpmvercmp(a_version, b_version)).then_with(|| {
        match (a_release, b_release) {
            (Some(ra), Some(rb)) => rpmvercmp(ra, rb),
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
        }
    })
}

/// A dependency comparison operator. RPM stores these as the sense flags
/// `LESS` (2), `GREATER` (4) and `EQUAL` (8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `<`
    Lt,
    /// `<=` (RPM also accepts `=<`)
    Le,
    /// `=` (RPM also accepts `==`)
    Eq,
    /// `>=` (RPM also accepts `=>`)
    Ge,
    /// `>`
    Gt,
}

impl Op {
    /// RPMSENSE_LESS.
    pub const LESS: u32 = 1 << 1;
    /// RPMSENSE_GREATER.
    pub const GREATER: u32 = 1 << 2;
    /// RPMSENSE_EQUAL.
    pub const EQUAL: u32 = 1 << 3;

    /// The RPM sense flags of this operator.
    pub fn flags(self) -> u32 {
        match self {
            Op::Lt => Self::LESS,
            Op::Le => Self::LESS | Self::EQUAL,
            Op::Eq => Self::EQUAL,
            Op::Ge => Self::GREATER | Self::EQUAL,
            Op::Gt => Self::GREATER,
        }
    }

    /// The operator for RPM sense flags (other bits ignored). `None` for no comparison
    /// bits and for `LESS|GREATER` combinations, which no operator spells.
    pub fn from_flags(flags: u32) -> Option<Op> {
        match flags & (Self::LESS | Self::GREATER | Self::EQUAL) {
            f if f == Self::LESS => Some(Op::Lt),
            f if f == Self::LESS | Self::EQUAL => Some(Op::Le),
            f if f == Self::EQUAL => Some(Op::Eq),
            f if f == Self::GREATER | Self::EQUAL => Some(Op::Ge),
            f if f == Self::GREATER => Some(Op::Gt),
            _ => None,
        }
    }

    /// Parses an operator token exactly as RPM's `rpmParseDSFlags`: `<=`, `=<`, `<`, `==`,
    /// `=`, `>=`, `=>`, `>`. Anything else (e.g. `!=`, `<>`, `>=1`) is `None`.
    pub fn from_token(token: &str) -> Option<Op> {
        match token {
            "<=" | "=<" => Some(Op::Le),
            "<" => Some(Op::Lt),
            "==" | "=" => Some(Op::Eq),
            ">=" | "=>" => Some(Op::Ge),
            ">" => Some(Op::Gt),
            _ => None,
        }
    }

    /// The canonical spelling (`<`, `<=`, `=`, `>=`, `>`).
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "=",
            Op::Ge => ">=",
            Op::Gt => ">",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a string is not a valid `[epoch:]version[-release]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvrParseError {
    /// Nothing (or only an epoch/release) where a version was expected.
    #[error("version required")]
    EmptyVersion,
    /// A character rpmbuild does not allow in an EVR (ASCII alphanumerics and `._+%{}~^-:`).
    #[error("illegal char {ch:?} at byte {position} of the version")]
    IllegalChar {
        /// The offending character.
        ch: char,
        /// Its byte offset in the EVR string.
        position: usize,
    },
    /// rpmbuild rejects `..` in versions.
    #[error("illegal sequence \"..\" in the version")]
    DoubleDot,
    /// More than one `-` or more than one `:`.
    #[error("invalid version (double separator '{0}')")]
    DoubleSeparator(char),
    /// Something other than digits before the `:`.
    #[error("invalid version (epoch must be an unsigned integer)")]
    InvalidEpoch,
    /// The epoch does not fit in 32 bits.
    #[error("epoch {0} is too large")]
    EpochOverflow(String),
}

/// An epoch-version-release, as in a package header or a dependency's version.
///
/// Equality and ordering follow RPM (epoch as integer, then [`rpmvercmp`] on version and
/// release; an absent release sorts below any present one), so `1.0 == 1.00` and
/// `2_0 == 2.0`. There is deliberately no `Hash` (it could not agree with this equality);
/// compare the fields for textual identity.
#[derive(Debug, Clone)]
pub struct Evr {
    /// The epoch; a missing epoch is 0.
    pub epoch: u32,
    /// The version (never empty when produced by [`Evr::parse`]).
    pub version: String,
    /// The release, if any (an empty release is normalised to `None`, as RPM and libsolv
    /// treat them the same).
    pub release: Option<String>,
}

impl Evr {
    /// Builds an EVR from parts without validation (for data already split, e.g. from
    /// repository metadata or the database). An empty release becomes `None`.
    pub fn new(epoch: u32, version: impl Into<String>, release: Option<String>) -> Evr {
        let release = release.filter(|r| !r.is_empty());
        Evr { epoch, version: version.into(), release }
    }

    /// Parses `[epoch:]version[-release]` the way RPM splits an EVR (`parseEVR`), with
    /// rpmbuild's validity checks for dependency versions: only ASCII alphanumerics and
    /// `._+%{}~^-:`, no `..`, at most one `-` and one `:`, digits-only epoch (an empty
    /// epoch, as in `:1.0`, is 0). The version must not be empty; an empty release
    /// (`1.0-`) is treated as absent.
    pub fn parse(s: &str) -> Result<Evr, EvrParseError> {
        for (position, ch) in s.char_indices() {
            if !(ch.is_ascii_alphanumeric() || "._+%{}~^-:".contains(ch)) {
                return Err(EvrParseError::IllegalChar { ch, position });
            }
        }
        if s.contains("..") {
            return Err(EvrParseError::DoubleDot);
        }
        for sep in ['-', ':'] {
            if s.matches(sep).nth(1).is_some() {
                return Err(EvrParseError::DoubleSeparator(sep));
            }
        }
        let (epoch, rest) = match s.split_once(':') {
            Some((e, rest)) => {
                if !e.bytes().all(|c| c.is_ascii_digit()) {
                    return Err(EvrParseError::InvalidEpoch);
                }
                let epoch = if e.is_empty() {
                    0
                } else {
                    e.parse::<u32>().map_err(|_| EvrParseError::EpochOverflow(e.to_owned()))?
                };
                (epoch, rest)
            }
            None => (0, s),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => (v, Some(r)),
            None => (rest, None),
        };
        if version.is_empty() {
            return Err(EvrParseError::EmptyVersion);
        }
        Ok(Evr::new(epoch, version, release.map(str::to_owned)))
    }

    /// RPM's total order on EVRs (same as `Ord`), without allocating.
    pub fn rpm_cmp(&self, other: &Evr) -> Ordering {
        cmp_evr_parts(
            self.epoch,
            &self.version,
            self.release.as_deref(),
            other.epoch,
            &other.version,
            other.release.as_deref(),
        )
    }
}

impl PartialEq for Evr {
    fn eq(&self, other: &Self) -> bool {
        self.rpm_cmp(other) == Ordering::Equal
    }
}

impl Eq for Evr {}

impl PartialOrd for Evr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Evr {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rpm_cmp(other)
    }
}

impl fmt::Display for Evr {
    /// `[epoch:]version[-release]`, the epoch omitted when 0.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.epoch != 0 {
            write!(f, "{}:", self.epoch)?;
        }
        f.write_str(&self.version)?;
        if let Some(r) = &self.release {
            write!(f, "-{r}")?;
        }
        Ok(())
    }
}

impl FromStr for Evr {
    type Err = EvrParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Evr::parse(s)
    }
}

/// Whether the version range `a_op a` overlaps `b_op b`, following RPM's `rpmdsCompare`
/// (`rpmverOverlap`) and libsolv's `pool_match_flags_evr` (they agree): a missing epoch
/// counts as 0; epochs, then versions are compared; releases are compared only when both
/// sides have one. If exactly one side lacks a release and the versions are equal, the
/// ranges overlap when that side's operator includes `=` (so `foo = 1.0` matches a
/// provide `foo = 1.0-3`, but `foo < 1.0` does not).
pub fn ranges_overlap(a_op: Op, a: &Evr, b_op: Op, b: &Evr) -> bool {
    let (fa, fb) = (a_op.flags(), b_op.flags());
    let mut sense = a.epoch.cmp(&b.epoch);
    if sense == Ordering::Equal {
        sense = rpmvercmp(&a.version, &b.version);
        if sense == Ordering::Equal {
            match (a.release.as_deref(), b.release.as_deref()) {
                (Some(ra), Some(rb)) if !ra.is_empty() && !rb.is_empty() => {
                    sense = rpmvercmp(ra, rb);
                }
                (ra, rb) => {
                    let a_has = ra.is_some_and(|r| !r.is_empty());
                    let b_has = rb.is_some_and(|r| !r.is_empty());
                    if (a_has && fb & Op::EQUAL != 0) || (b_has && fa & Op::EQUAL != 0) {
                        return true;
                    }
                }
            }
        }
    }
    match sense {
        Ordering::Less => fa & Op::GREATER != 0 || fb & Op::LESS != 0,
        Ordering::Greater => fa & Op::LESS != 0 || fb & Op::GREATER != 0,
        Ordering::Equal => fa & fb != 0,
    }
}

/// Whether a versioned provide `= provide` satisfies the requirement `op req`
/// (see [`ranges_overlap`]; a requirement without a release matches any release when its
/// operator includes `=`). Unversioned provides/requirements always match by name; that
/// case is decided before EVRs are looked at and is not covered here.
pub fn satisfies(provide: &Evr, op: Op, req: &Evr) -> bool {
    ranges_overlap(Op::Eq, provide, op, req)
}

/// Why a string is not a valid NEVRA.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NevraParseError {
    /// A part is missing or empty.
    #[error("NEVRA {0:?} lacks a {1}")]
    Missing(String, &'static str),
    /// Whitespace or control characters are not allowed in a NEVRA.
    #[error("NEVRA {0:?} contains whitespace or control characters")]
    IllegalChar(String),
    /// The epoch is not an unsigned 32-bit integer.
    #[error("NEVRA {0:?} has an invalid epoch")]
    InvalidEpoch(String),
}

/// A package's name, epoch, version, release and architecture.
///
/// Equality and hashing are textual (the exact NEVRA, as a dependency row is keyed);
/// use [`Nevra::cmp_evr`] for RPM version ordering.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nevra {
    /// Package name.
    pub name: String,
    /// Epoch (0 when absent).
    pub epoch: u32,
    /// Version.
    pub version: String,
    /// Release.
    pub release: String,
    /// Architecture (`x86_64`, `noarch`, `src`, …).
    pub arch: String,
}

impl Nevra {
    /// Parses `name-[epoch:]version-release.arch` (the name may contain `-`; the release
    /// is after the last `-`, the arch after the last `.`).
    pub fn parse(s: &str) -> Result<Nevra, NevraParseError> {
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(NevraParseError::IllegalChar(s.to_owned()));
        }
        let missing = |what| NevraParseError::Missing(s.to_owned(), what);
        let (nvr, arch) = s.rsplit_once('.').ok_or_else(|| missing("arch"))?;
        let (nv, release) = nvr.rsplit_once('-').ok_or_else(|| missing("release"))?;
        let (name, ev) = nv.rsplit_once('-').ok_or_else(|| missing("version"))?;
        let (epoch, version) = match ev.split_once(':') {
            Some((e, v)) => {
                if e.is_empty() || !e.bytes().all(|c| c.is_ascii_digit()) {
                    return Err(NevraParseError::InvalidEpoch(s.to_owned()));
                }
                let epoch =
                    e.parse::<u32>().map_err(|_| NevraParseError::InvalidEpoch(s.to_owned()))?;
                (epoch, v)
            }
            None => (0, ev),
        };
        for (part, what) in
            [(name, "name"), (version, "version"), (release, "release"), (arch, "arch")]
        {
            if part.is_empty() {
                return Err(missing(what));
            }
        }
        if version.contains(':') {
            return Err(NevraParseError::InvalidEpoch(s.to_owned()));
        }
        Ok(Nevra {
            name: name.to_owned(),
            epoch,
            version: version.to_owned(),
            release: release.to_owned(),
            arch: arch.to_owned(),
        })
    }

    /// This package's EVR (allocates; see [`Nevra::cmp_evr`] for comparisons).
    pub fn evr(&self) -> Evr {
        Evr::new(self.epoch, self.version.clone(), Some(self.release.clone()))
    }

    /// RPM ordering of the two packages' EVRs (names and arches are ignored).
    pub fn cmp_evr(&self, other: &Nevra) -> Ordering {
        cmp_evr_parts(
            self.epoch,
            &self.version,
            Some(&self.release),
            other.epoch,
            &other.version,
            Some(&other.release),
        )
    }
}

impl fmt::Display for Nevra {
    /// libsolv's form: `name-[epoch:]version-release.arch`, the epoch omitted when 0.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-", self.name)?;
        if self.epoch != 0 {
            write!(f, "{}:", self.epoch)?;
        }
        write!(f, "{}-{}.{}", self.version, self.release, self.arch)
    }
}

impl FromStr for Nevra {
    type Err = NevraParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Nevra::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VECTORS_PATH: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/koschei/derived/rpmvercmp-vectors.tsv"
    );

    fn ord(n: i32) -> Ordering {
        n.cmp(&0)
    }

    #[test]
    fn all_91_rpm_vectors() {
        let data = std::fs::read_to_string(VECTORS_PATH).expect("read the vector file");
        let mut count = 0;
        for (lineno, line) in data.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 3, "line {}: {line:?}", lineno + 1);
            let expected: i32 = cols[2].parse().expect("expected value");
            assert_eq!(
                rpmvercmp(cols[0], cols[1]),
                ord(expected),
                "rpmvercmp({:?}, {:?}) (line {})",
                cols[0],
                cols[1],
                lineno + 1
            );
            count += 1;
        }
        assert_eq!(count, 91, "the vector file must hold exactly 91 vectors");
    }

    #[test]
    fn corners_beyond_the_vectors() {
        use Ordering::*;
        // Where the C algorithm and Koschei's SQL port differ (spec §11.2): follow C.
        assert_eq!(rpmvercmp("1.0^a", "1.0a"), Less);
        assert_eq!(rpmvercmp("", "abc"), Less);
        assert_eq!(rpmvercmp("B", "a"), Less); // bytewise, not collation
        assert_eq!(rpmvercmp("1.0", "1.0~"), Greater);
        assert_eq!(rpmvercmp("1~", "1^"), Less);
        assert_eq!(rpmvercmp("1^", "1.0"), Less);
        assert_eq!(rpmvercmp("1", "1."), Equal);
        assert_eq!(rpmvercmp("1a", "1.a"), Equal);
        // Arbitrarily long numbers do not overflow.
        assert_eq!(rpmvercmp("1.99999999999999999999999", "1.100000000000000000000000"), Less);
        assert_eq!(rpmvercmp("000", "0"), Equal);
        // Non-ASCII bytes are separators; a NUL ends the string like in C.
        assert_eq!(rpmvercmp("1é2", "1.2"), Equal);
        assert_eq!(rpmvercmp("1.0\0zzz", "1.0"), Equal);
    }

    #[test]
    fn evr_parse_and_display() {
        let e = Evr::parse("1:2.3-4").unwrap();
        assert_eq!((e.epoch, e.version.as_str(), e.release.as_deref()), (1, "2.3", Some("4")));
        assert_eq!(e.to_string(), "1:2.3-4");
        let e = Evr::parse("0:2.3").unwrap();
        assert_eq!((e.epoch, e.release.clone()), (0, None));
        assert_eq!(e.to_string(), "2.3");
        assert_eq!(Evr::parse(":2.3").unwrap().epoch, 0);
        assert_eq!(Evr::parse("2.3-").unwrap().release, None);
        assert_eq!(Evr::parse("1.0~rc1^git2+x_y").unwrap().version, "1.0~rc1^git2+x_y");

        assert_eq!(Evr::parse(""), Err(EvrParseError::EmptyVersion));
        assert_eq!(Evr::parse("1:"), Err(EvrParseError::EmptyVersion));
        assert_eq!(Evr::parse("-1"), Err(EvrParseError::EmptyVersion));
        assert_eq!(Evr::parse("a:1"), Err(EvrParseError::InvalidEpoch));
        assert_eq!(Evr::parse("1:2:3"), Err(EvrParseError::DoubleSeparator(':')));
        assert_eq!(Evr::parse("1-2-3"), Err(EvrParseError::DoubleSeparator('-')));
        assert_eq!(Evr::parse("1..2"), Err(EvrParseError::DoubleDot));
        assert_eq!(Evr::parse("1.0(x)"), Err(EvrParseError::IllegalChar { ch: '(', position: 3 }));
        assert_eq!(Evr::parse("1 0"), Err(EvrParseError::IllegalChar { ch: ' ', position: 1 }));
        assert!(matches!(Evr::parse("99999999999:1"), Err(EvrParseError::EpochOverflow(_))));
    }

    #[test]
    fn evr_ordering_spec_vectors() {
        let p = |s: &str| Evr::parse(s).unwrap();
        // rpmvercmp_evr(0,'1.1','11.fc26', NULL,'1.1','8.fc26') = 1
        assert!(p("0:1.1-11.fc26") > p("1.1-8.fc26"));
        // is_build_newer data points from koschei-tests.md §2.1
        assert!(p("1.7.11-14.fc28") < p("1.7.11-15.fc28"));
        assert!(p("4.7.2-2.fc28") < p("1:4.7.3-2.fc29"));
        assert!(p("3.5.3-1.fc29") < p("1:3.5.3-1.fc29"));
        assert!(p("1.7.25-3.fc28") < p("0:1.7.25-4.fc29"));
        assert!(p("2.5-11.fc28") > p("2.5-10.fc28"));
        assert!(p("1.7.11-30.fc29") > p("1.7.11-15.fc28"));
        // Epoch dominates; absent release sorts first; RPM equality.
        assert!(p("1:0.1-1") > p("9.9-9"));
        assert!(p("1.0") < p("1.0-0"));
        assert_eq!(p("1.00-1"), p("1.0-1"));
        assert_eq!(p("0:1.0"), p("1.0"));
    }

    #[test]
    fn op_tokens_and_flags() {
        for (tok, op) in [
            ("<", Op::Lt),
            ("<=", Op::Le),
            ("=<", Op::Le),
            ("=", Op::Eq),
            ("==", Op::Eq),
            (">=", Op::Ge),
            ("=>", Op::Ge),
            (">", Op::Gt),
        ] {
            assert_eq!(Op::from_token(tok), Some(op), "{tok}");
            assert_eq!(Op::from_flags(op.flags()), Some(op));
            assert_eq!(Op::from_token(op.as_str()), Some(op));
        }
        for bad in ["", "!=", "<>", "=>=", ">=1", "~=", "eq"] {
            assert_eq!(Op::from_token(bad), None, "{bad}");
        }
        assert_eq!(Op::from_flags(0), None);
        assert_eq!(Op::from_flags(Op::LESS | Op::GREATER), None);
        assert_eq!(Op::from_flags(Op::GREATER | Op::EQUAL | (1 << 14)), Some(Op::Ge));
    }

    #[test]
    fn dependency_matching() {
        let p = |s: &str| Evr::parse(s).unwrap();
        // Requirement without release matches any release when it includes '='.
        assert!(satisfies(&p("1.0-3"), Op::Eq, &p("1.0")));
        assert!(satisfies(&p("1.0-3"), Op::Ge, &p("1.0")));
        assert!(satisfies(&p("1.0-3"), Op::Le, &p("1.0")));
        assert!(!satisfies(&p("1.0-3"), Op::Lt, &p("1.0")));
        assert!(!satisfies(&p("1.0-3"), Op::Gt, &p("1.0")));
        // Provide without release, requirement with release: the provide's '=' matches.
        assert!(satisfies(&p("1.0"), Op::Eq, &p("1.0-3")));
        assert!(satisfies(&p("1.0"), Op::Gt, &p("1.0-3")));
        // Both releases present: compared.
        assert!(!satisfies(&p("1.0-3"), Op::Eq, &p("1.0-4")));
        assert!(satisfies(&p("1.0-3"), Op::Lt, &p("1.0-4")));
        assert!(!satisfies(&p("1.0-4"), Op::Lt, &p("1.0-4")));
        assert!(satisfies(&p("1.0-4"), Op::Le, &p("1.0-4")));
        // Missing epoch is 0.
        assert!(satisfies(&p("0:1.0-1"), Op::Eq, &p("1.0-1")));
        assert!(!satisfies(&p("1:1.0-1"), Op::Eq, &p("1.0-1")));
        assert!(satisfies(&p("1:0.5-1"), Op::Ge, &p("2.0")));
        assert!(!satisfies(&p("0.5-1"), Op::Ge, &p("1:0.1")));
        // Versions decide before releases.
        assert!(satisfies(&p("2.0-1"), Op::Gt, &p("1.9-99")));
        assert!(satisfies(&p("1.0~rc1-1"), Op::Lt, &p("1.0")));
        // Two ranges (e.g. a ranged provide) pointing the same way always overlap.
        assert!(ranges_overlap(Op::Ge, &p("5"), Op::Ge, &p("1")));
        assert!(ranges_overlap(Op::Lt, &p("1"), Op::Le, &p("5")));
        assert!(!ranges_overlap(Op::Lt, &p("1"), Op::Gt, &p("5")));
        assert!(ranges_overlap(Op::Gt, &p("1"), Op::Lt, &p("5")));
        // An empty release (from_parts) counts as absent.
        let empty_rel = Evr { epoch: 0, version: "1.0".into(), release: Some(String::new()) };
        assert!(satisfies(&p("1.0-7"), Op::Eq, &empty_rel));
    }

    #[test]
    fn nevra_parse_and_display() {
        let n = Nevra::parse("rnv-1:1.7.11-14.fc28.x86_64").unwrap();
        assert_eq!(
            n,
            Nevra {
                name: "rnv".into(),
                epoch: 1,
                version: "1.7.11".into(),
                release: "14.fc28".into(),
                arch: "x86_64".into()
            }
        );
        assert_eq!(n.to_string(), "rnv-1:1.7.11-14.fc28.x86_64");
        let n = Nevra::parse("python3-foo-bar-0:2.0-1.noarch").unwrap();
        assert_eq!((n.name.as_str(), n.epoch), ("python3-foo-bar", 0));
        assert_eq!(n.to_string(), "python3-foo-bar-2.0-1.noarch");
        assert!(
            Nevra::parse("a-1-1.x86_64").unwrap().cmp_evr(&Nevra::parse("a-1-2.i686").unwrap())
                == Ordering::Less
        );
        for bad in [
            "",
            "foo",
            "foo.x86_64",
            "foo-1.x86_64",
            "-1-1.x86_64",
            "foo--1.x86_64",
            "foo-1-1.",
            "foo-x:1-1.x86_64",
            "foo-:1-1.x86_64",
            "foo-1:-1.noarch",
            "foo-99999999999:1-1.x86_64",
            "foo bar-1-1.x86_64",
        ] {
            assert!(Nevra::parse(bad).is_err(), "{bad:?} should not parse");
        }
    }

    fn version_string() -> impl Strategy<Value = String> {
        prop_oneof![
            // Realistic: segments joined by separators, with tilde/caret.
            proptest::collection::vec(("[0-9]{1,3}|[a-z]{1,3}|0[0-9]", "[._+~^]?"), 1..5).prop_map(
                |segs| segs.into_iter().map(|(s, sep)| format!("{s}{sep}")).collect::<String>()
            ),
            // Dense small alphabet to hit equal prefixes and corner cases often.
            "[0-2ab._~^+]{0,6}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn reflexive(a in version_string()) {
            prop_assert_eq!(rpmvercmp(&a, &a), Ordering::Equal);
            let copy = a.clone();
            prop_assert_eq!(rpmvercmp(&a, &copy), Ordering::Equal);
        }

        #[test]
        fn antisymmetric(a in version_string(), b in version_string()) {
            prop_assert_eq!(rpmvercmp(&a, &b), rpmvercmp(&b, &a).reverse());
        }

        #[test]
        fn transitive(a in version_string(), b in version_string(), c in version_string()) {
            let (ab, bc, ac) = (rpmvercmp(&a, &b), rpmvercmp(&b, &c), rpmvercmp(&a, &c));
            if ab != Ordering::Greater && bc != Ordering::Greater {
                prop_assert_ne!(ac, Ordering::Greater, "{:?} <= {:?} <= {:?}", a, b, c);
            }
            if ab == Ordering::Equal && bc == Ordering::Equal {
                prop_assert_eq!(ac, Ordering::Equal);
            }
            if ab == Ordering::Less && bc != Ordering::Greater {
                prop_assert_eq!(ac, Ordering::Less);
            }
        }

        #[test]
        fn sorted_sequences_are_consistent(mut v in proptest::collection::vec(version_string(), 0..12)) {
            v.sort_by(|a, b| rpmvercmp(a, b));
            for i in 0..v.len() {
                for j in i + 1..v.len() {
                    prop_assert_ne!(rpmvercmp(&v[i], &v[j]), Ordering::Greater, "{:?}", v);
                }
            }
        }

        #[test]
        fn separators_are_interchangeable(a in "[0-9a-z]{1,4}", b in "[0-9a-z]{1,4}",
                                          s1 in "[._+]{1,2}", s2 in "[._+]{1,2}") {
            prop_assert_eq!(rpmvercmp(&format!("{a}{s1}{b}"), &format!("{a}{s2}{b}")), Ordering::Equal);
        }

        #[test]
        fn evr_display_round_trips(e in 0u32..5, v in "[0-9a-z]{1,3}([._~^+][0-9a-z]{1,3}){0,3}",
                                   r in proptest::option::of("[0-9a-z]{1,3}(\\.[0-9a-z]{1,3}){0,2}")) {
            let evr = Evr::new(e, v.clone(), r.clone());
            let again = Evr::parse(&evr.to_string()).unwrap();
            prop_assert_eq!((again.epoch, &again.version, &again.release), (e, &v, &r));
        }

        #[test]
        fn evr_parse_never_panics(s in "\\PC{0,20}") {
            let _ = Evr::parse(&s);
            let _ = Nevra::parse(&s);
        }
    }
}
