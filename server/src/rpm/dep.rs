//! Dependency expressions as RPM writes them: `name`, `name op evr`, and rich (boolean)
//! dependencies `(A and B)`, `or`, `if`, `if … else`, `unless`, `unless … else`, `with`,
//! `without`, nested with parentheses. Parsing follows RPM's `rpmrichParse` and rpmbuild's
//! dependency checks (`parseRCPOT`/`checkDep`) and rejects what they reject, with a typed
//! error carrying the byte position; [`Dep`]'s `Display` writes the canonical form back.
//!
//! Pure: no IO, no dependency on anything outside `crate::rpm`. Parsing never panics and
//! never recurses deeper than [`MAX_NESTING`] levels.
//!
//! Rules enforced (checked against rpm 4.18; error messages follow RPM's wording):
//! * tokens are separated by whitespace; commas count as whitespace inside rich deps;
//!   operator tokens are exactly `<`, `<=`, `=<`, `=`, `==`, `>=`, `=>`, `>` (canonically
//!   written `<`, `<=`, `=`, `>=`, `>`); an operator needs a version after it;
//! * names start with an ASCII alphanumeric, `_` or `/` (non-ASCII first bytes are not
//!   checked); file names (`/…`) cannot carry a version; versions must pass
//!   [`Evr::parse`]; inside rich deps a name may contain balanced parentheses
//!   (`perl(Foo::Bar)`);
//! * within one parenthesis level only `and`, `or` and `with` may be repeated, and not
//!   mixed; `if`/`unless` take one optional `else`; `without` takes two operands;
//! * `with`/`without` may only contain simple deps or `with`/`without`/`or` groups;
//! * `if` cannot sit in an `or`/`unless` context and `unless` cannot sit in an `and`/`if`
//!   context (conditions of `if`/`unless` are exempt); [`Dep::parse_for`] also applies the
//!   top-level rule of the dependency tag ([`DepContext`]).
//!
//! One deliberate difference: RPM's parser accepts a leading `else` (`(A else B)`), which
//! has no meaning; it is rejected here.

use std::fmt;

use super::evr::{Evr, EvrParseError, Op};

/// Deepest accepted nesting of parentheses in a rich dependency.
pub const MAX_NESTING: usize = 64;

/// A parsed dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dep {
    /// A plain dependency: a capability name with an optional version constraint.
    Simple {
        /// Capability name (package name, `perl(Foo)`, `/usr/bin/sh`, …).
        name: String,
        /// `op evr`, if versioned.
        constraint: Option<(Op, Evr)>,
    },
    /// A rich (boolean) dependency, always written in parentheses.
    Rich(RichDep),
}

/// A rich dependency. Operands are [`Dep`]s (nested rich deps are parenthesised).
/// Lists produced by the parser hold at least two operands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RichDep {
    /// `(A)`: a single operand in parentheses (RPM accepts this).
    Single(Box<Dep>),
    /// `(A and B and …)`: all operands.
    And(Vec<Dep>),
    /// `(A or B or …)`: at least one operand.
    Or(Vec<Dep>),
    /// `(A with B with …)`: one package satisfying all operands.
    With(Vec<Dep>),
    /// `(A without B)`: one package satisfying `A` but not `B`.
    Without(Box<Dep>, Box<Dep>),
    /// `(then if cond)` / `(then if cond else otherwise)`.
    If {
        /// Required when `cond` holds.
        then: Box<Dep>,
        /// The condition.
        cond: Box<Dep>,
        /// Required when `cond` does not hold.
        otherwise: Option<Box<Dep>>,
    },
    /// `(then unless cond)` / `(then unless cond else otherwise)`.
    Unless {
        /// Required when `cond` does not hold.
        then: Box<Dep>,
        /// The condition.
        cond: Box<Dep>,
        /// Required when `cond` holds.
        otherwise: Option<Box<Dep>>,
    },
}

/// The kind of dependency tag a string belongs to, for RPM's top-level rich-dep rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepContext {
    /// Requires, BuildRequires, Recommends, Suggests (`and`-like: a top-level `unless` is
    /// rejected).
    Requires,
    /// Conflicts, BuildConflicts, Supplements, Enhances (`or`-like: a top-level `if` is
    /// rejected).
    Conflicts,
}

/// What is wrong with a dependency string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DepErrorKind {
    /// Nothing but whitespace.
    #[error("empty dependency")]
    Empty,
    /// A NUL byte (RPM's strings end there).
    #[error("NUL byte in dependency")]
    NulByte,
    /// A name was expected.
    #[error("name required")]
    NameRequired,
    /// The name starts with a character RPM does not allow there.
    #[error("dependency tokens must begin with alpha-numeric, '_' or '/' (found {0:?})")]
    BadNameStart(char),
    /// An operator without a version after it.
    #[error("version required after the comparison operator")]
    VersionRequired,
    /// A file name with a version constraint.
    #[error("versioned file name not permitted")]
    VersionedFileName,
    /// The version after the operator is invalid.
    #[error("invalid version: {0}")]
    InvalidEvr(EvrParseError),
    /// Text after a complete dependency (only one dependency is parsed).
    #[error("unexpected text after the dependency")]
    TrailingInput,
    /// `()`.
    #[error("empty rich dependency")]
    EmptyRich,
    /// An operator with nothing after it, as in `(A and )`.
    #[error("missing argument to rich dependency op")]
    MissingOperand,
    /// The input ended inside parentheses.
    #[error("unterminated rich dependency")]
    Unterminated,
    /// Something other than `and`, `or`, `if`, `unless`, `else`, `with`, `without`.
    #[error("unknown rich dependency op {0:?}")]
    UnknownOp(String),
    /// Different operators at one level, as in `(A and B or C)`.
    #[error("cannot chain different ops (add parentheses)")]
    MixedOps,
    /// A repeated operator that cannot be chained (`if`, `unless`, `else`, `without`).
    #[error("can only chain and/or/with ops (found a second {0:?})")]
    UnchainableOp(&'static str),
    /// `else` that does not follow `if` or `unless`.
    #[error("'else' must follow 'if' or 'unless'")]
    ElseWithoutCondition,
    /// `with`/`without` around `and`, `if`, `unless`, `else` groups.
    #[error("illegal ops in with/without")]
    IllegalOpsInWith,
    /// `unless` where an `and`-like context is required.
    #[error("illegal context for 'unless', please use 'or' instead")]
    UnlessInAndContext,
    /// `if` where an `or`-like context is required.
    #[error("illegal context for 'if', please use 'and' instead")]
    IfInOrContext,
    /// More than [`MAX_NESTING`] levels of parentheses.
    #[error("rich dependency nested deeper than {MAX_NESTING} levels")]
    TooDeep,
    /// A name inside a rich dependency with an unclosed `(`, as in `(foo( )`. RPM reads
    /// `foo(` as the name; we refuse it, because no text could write that name back
    /// unambiguously.
    #[error("unbalanced parenthesis in a name")]
    UnbalancedName,
}

/// A dependency string that RPM would reject, with the byte offset of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} (at byte {position})")]
pub struct DepParseError {
    /// Byte offset in the input where the problem was found.
    pub position: usize,
    /// What is wrong.
    pub kind: DepErrorKind,
}

impl Dep {
    /// Parses one dependency, applying every RPM rule that does not depend on the
    /// dependency tag (see the module docs). Surrounding whitespace is ignored.
    pub fn parse(s: &str) -> Result<Dep, DepParseError> {
        parse_dep(s, None)
    }

    /// Like [`Dep::parse`], plus RPM's top-level rule for the given kind of tag
    /// (`rpmrichParseForTag`): e.g. `(A unless B)` is rejected for Requires.
    pub fn parse_for(s: &str, context: DepContext) -> Result<Dep, DepParseError> {
        parse_dep(s, Some(context))
    }

    /// A simple dependency (no validation).
    pub fn simple(name: impl Into<String>, constraint: Option<(Op, Evr)>) -> Dep {
        Dep::Simple { name: name.into(), constraint }
    }

    /// Whether this is a simple dependency on a file path (name starts with `/`).
    pub fn is_file_dep(&self) -> bool {
        matches!(self, Dep::Simple { name, .. } if name.starts_with('/'))
    }

    /// Whether this is a rich (boolean) dependency.
    pub fn is_rich(&self) -> bool {
        matches!(self, Dep::Rich(_))
    }
}

impl fmt::Display for Dep {
    /// Canonical text: `name`, `name op evr` (canonical operator, epoch omitted when 0),
    /// or the rich dependency in parentheses with single spaces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dep::Simple { name, constraint: None } => f.write_str(name),
            Dep::Simple { name, constraint: Some((op, evr)) } => write!(f, "{name} {op} {evr}"),
            Dep::Rich(r) => r.fmt(f),
        }
    }
}

impl fmt::Display for RichDep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(f: &mut fmt::Formatter<'_>, items: &[Dep], op: &str) -> fmt::Result {
            f.write_str("(")?;
            for (i, d) in items.iter().enumerate() {
                if i > 0 {
                    write!(f, " {op} ")?;
                }
                d.fmt(f)?;
            }
            f.write_str(")")
        }
        fn cond(
            f: &mut fmt::Formatter<'_>,
            then: &Dep,
            op: &str,
            cond: &Dep,
            otherwise: Option<&Dep>,
        ) -> fmt::Result {
            write!(f, "({then} {op} {cond}")?;
            if let Some(o) = otherwise {
                write!(f, " else {o}")?;
            }
            f.write_str(")")
        }
        match self {
            RichDep::Single(d) => write!(f, "({d})"),
            RichDep::And(v) => list(f, v, "and"),
            RichDep::Or(v) => list(f, v, "or"),
            RichDep::With(v) => list(f, v, "with"),
            RichDep::Without(a, b) => write!(f, "({a} without {b})"),
            RichDep::If { then, cond: c, otherwise } => {
                cond(f, then, "if", c, otherwise.as_deref())
            }
            RichDep::Unless { then, cond: c, otherwise } => {
                cond(f, then, "unless", c, otherwise.as_deref())
            }
        }
    }
}

impl std::str::FromStr for Dep {
    type Err = DepParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dep::parse(s)
    }
}

/// Rich operators as RPM's parser sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RichOp {
    And,
    Or,
    If,
    Unless,
    Else,
    With,
    Without,
}

impl RichOp {
    fn from_token(t: &str) -> Option<RichOp> {
        Some(match t {
            "and" => RichOp::And,
            "or" => RichOp::Or,
            "if" => RichOp::If,
            "unless" => RichOp::Unless,
            "else" => RichOp::Else,
            "with" => RichOp::With,
            "without" => RichOp::Without,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            RichOp::And => "and",
            RichOp::Or => "or",
            RichOp::If => "if",
            RichOp::Unless => "unless",
            RichOp::Else => "else",
            RichOp::With => "with",
            RichOp::Without => "without",
        }
    }
}

// Context flags propagated out of a group (RPM's RICHPARSE_NO_*).
const NO_WITH: u8 = 1;
const NO_AND: u8 = 2;
const NO_OR: u8 = 4;

fn err(position: usize, kind: DepErrorKind) -> DepParseError {
    DepParseError { position, kind }
}

/// rpmbuild: "Tokens must begin with alphanumeric, _, or /" (only ASCII is checked).
fn check_name_start(name_pos: usize, name: &str) -> Result<char, DepParseError> {
    let first = name.chars().next().ok_or_else(|| err(name_pos, DepErrorKind::NameRequired))?;
    if first.is_ascii() && !(first.is_ascii_alphanumeric() || first == '_' || first == '/') {
        return Err(err(name_pos, DepErrorKind::BadNameStart(first)));
    }
    Ok(first)
}

/// RPM's `risspace`.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
}

impl<'a> Parser<'a> {
    /// The text between two byte offsets. Offsets always sit next to ASCII delimiters or at
    /// the ends, so they are char boundaries; `get` keeps this panic-free regardless.
    fn text(&self, from: usize, to: usize) -> &'a str {
        self.src.get(from..to).unwrap_or("")
    }

    fn at(&self, p: usize) -> Option<u8> {
        self.b.get(p).copied()
    }

    /// Whitespace only (top level).
    fn skip_space(&self, mut p: usize) -> usize {
        while self.at(p).is_some_and(is_space) {
            p += 1;
        }
        p
    }

    /// RPM's SKIPWHITE: whitespace and commas.
    fn skip_white(&self, mut p: usize) -> usize {
        while self.at(p).is_some_and(|c| is_space(c) || c == b',') {
            p += 1;
        }
        p
    }

    /// RPM's SKIPNONWHITE (top level): up to whitespace or a comma.
    fn skip_token(&self, mut p: usize) -> usize {
        while self.at(p).is_some_and(|c| !is_space(c) && c != b',') {
            p += 1;
        }
        p
    }

    /// RPM's SKIPNONWHITEX (inside rich deps): up to whitespace, a comma, or a `)` that
    /// does not close a `(` opened inside the token.
    fn skip_token_x(&self, mut p: usize) -> usize {
        let mut open = 0usize;
        while let Some(c) = self.at(p) {
            if is_space(c) || c == b',' {
                break;
            }
            if c == b')' {
                if open == 0 {
                    break;
                }
                open -= 1;
            } else if c == b'(' {
                open += 1;
            }
            p += 1;
        }
        p
    }

    /// rpmbuild's `checkDep` for one simple dependency, then builds it.
    fn simple(
        &self,
        name_pos: usize,
        name: &str,
        constraint: Option<(Op, usize, &str)>,
    ) -> Result<Dep, DepParseError> {
        let first = check_name_start(name_pos, name)?;
        let constraint = match constraint {
            None => None,
            Some((op, evr_pos, evr)) => {
                if first == '/' {
                    return Err(err(name_pos, DepErrorKind::VersionedFileName));
                }
                let evr = Evr::parse(evr).map_err(|e| err(evr_pos, DepErrorKind::InvalidEvr(e)))?;
                Some((op, evr))
            }
        };
        Ok(Dep::Simple { name: name.to_owned(), constraint })
    }

    /// A simple dependency inside a rich one (RPM's `parseSimpleDep`). Returns the dep and
    /// the offset after it.
    fn simple_in_rich(&self, start: usize) -> Result<(Dep, usize), DepParseError> {
        let name_end = self.skip_token_x(start);
        if name_end == start {
            return Err(err(start, DepErrorKind::NameRequired));
        }
        let name = self.text(start, name_end);
        if name.bytes().filter(|&c| c == b'(').count()
            != name.bytes().filter(|&c| c == b')').count()
        {
            return Err(err(start, DepErrorKind::UnbalancedName));
        }
        let q = self.skip_white(name_end);
        let mut end = name_end;
        let mut constraint = None;
        if q < self.b.len() {
            let op_end = self.skip_token_x(q);
            if let Some(op) = Op::from_token(self.text(q, op_end)) {
                let e = self.skip_white(op_end);
                let e_end = self.skip_token_x(e);
                if e_end == e {
                    return Err(err(e, DepErrorKind::VersionRequired));
                }
                constraint = Some((op, e, self.text(e, e_end)));
                end = e_end;
            }
        }
        Ok((self.simple(start, name, constraint)?, end))
    }

    /// One parenthesised group starting at `start` (which holds `(`), RPM's
    /// `rpmrichParseInternal` with checking on. Returns the group, the context flags it
    /// propagates, and the offset after its `)`.
    fn group(&self, start: usize, depth: usize) -> Result<(RichDep, u8, usize), DepParseError> {
        if depth > MAX_NESTING {
            return Err(err(start, DepErrorKind::TooDeep));
        }
        let mut p = start + 1;
        let mut operands: Vec<Dep> = Vec::new();
        let mut ops: Vec<RichOp> = Vec::new();
        let mut chain: Option<RichOp> = None;
        let mut check: u8 = 0;
        loop {
            p = self.skip_white(p);
            match self.at(p) {
                None => return Err(err(start, DepErrorKind::Unterminated)),
                Some(b')') => {
                    let kind = if ops.is_empty() {
                        DepErrorKind::EmptyRich
                    } else {
                        DepErrorKind::MissingOperand
                    };
                    return Err(err(p, kind));
                }
                Some(b'(') => {
                    let (sub, mut sub_check, next) = self.group(p, depth + 1)?;
                    if matches!(ops.last(), Some(RichOp::If | RichOp::Unless)) {
                        // The condition of if/unless may be of either polarity.
                        sub_check &= !(NO_AND | NO_OR);
                    }
                    check |= sub_check;
                    operands.push(Dep::Rich(sub));
                    p = next;
                }
                Some(_) => {
                    let (dep, next) = self.simple_in_rich(p)?;
                    operands.push(dep);
                    p = next;
                }
            }
            p = self.skip_white(p);
            match self.at(p) {
                None => return Err(err(start, DepErrorKind::Unterminated)),
                Some(b')') => {
                    p += 1;
                    break;
                }
                Some(_) => {}
            }
            let mut op_end = p;
            while self.at(op_end).is_some_and(|c| !is_space(c) && c != b')') {
                op_end += 1;
            }
            let token = self.text(p, op_end);
            let op = RichOp::from_token(token)
                .ok_or_else(|| err(p, DepErrorKind::UnknownOp(token.to_owned())))?;
            if op == RichOp::Else {
                match chain {
                    Some(RichOp::If | RichOp::Unless) => chain = None,
                    None => return Err(err(p, DepErrorKind::ElseWithoutCondition)),
                    Some(_) => {}
                }
            }
            if let Some(c) = chain {
                if op != c {
                    return Err(err(p, DepErrorKind::MixedOps));
                }
                if !matches!(op, RichOp::And | RichOp::Or | RichOp::With) {
                    return Err(err(p, DepErrorKind::UnchainableOp(op.name())));
                }
            }
            chain = Some(op);
            ops.push(op);
            p = op_end;
        }

        // RPM's rpmrichParseCheck on the group's first operator.
        let first = ops.first().copied();
        let last = ops.last().copied();
        if matches!(first, Some(RichOp::With | RichOp::Without)) && check & NO_WITH != 0 {
            return Err(err(start, DepErrorKind::IllegalOpsInWith));
        }
        if matches!(first, Some(RichOp::And | RichOp::If)) && check & NO_AND != 0 {
            return Err(err(start, DepErrorKind::UnlessInAndContext));
        }
        if matches!(first, Some(RichOp::Or | RichOp::Unless)) && check & NO_OR != 0 {
            return Err(err(start, DepErrorKind::IfInOrContext));
        }
        match first {
            Some(RichOp::If) => check |= NO_OR,
            Some(RichOp::Unless) => check |= NO_AND,
            _ => {}
        }
        if matches!(last, Some(RichOp::And | RichOp::Or)) {
            check &= !(NO_AND | NO_OR);
        }
        if !matches!(last, None | Some(RichOp::With | RichOp::Without | RichOp::Or)) {
            check |= NO_WITH;
        }

        let rich = build(start, &ops, operands)?;
        Ok((rich, check, p))
    }
}

/// Turns a validated operator sequence and its operands into the typed form.
fn build(start: usize, ops: &[RichOp], operands: Vec<Dep>) -> Result<RichDep, DepParseError> {
    // The chaining rules leave only these shapes; anything else is an internal mismatch,
    // reported as an error rather than a panic.
    let shape_error = || err(start, DepErrorKind::MixedOps);
    let mut it = operands.into_iter();
    let mut next = || it.next().map(Box::new).ok_or_else(shape_error);
    Ok(match ops {
        [] => RichDep::Single(next()?),
        [RichOp::Without] => RichDep::Without(next()?, next()?),
        [RichOp::If] => RichDep::If { then: next()?, cond: next()?, otherwise: None },
        [RichOp::If, RichOp::Else] => {
            RichDep::If { then: next()?, cond: next()?, otherwise: Some(next()?) }
        }
        [RichOp::Unless] => RichDep::Unless { then: next()?, cond: next()?, otherwise: None },
        [RichOp::Unless, RichOp::Else] => {
            RichDep::Unless { then: next()?, cond: next()?, otherwise: Some(next()?) }
        }
        [first, rest @ ..] if rest.iter().all(|o| o == first) => {
            let items: Vec<Dep> = it.collect();
            match first {
                RichOp::And => RichDep::And(items),
                RichOp::Or => RichDep::Or(items),
                RichOp::With => RichDep::With(items),
                _ => return Err(shape_error()),
            }
        }
        _ => return Err(shape_error()),
    })
}

fn parse_dep(s: &str, context: Option<DepContext>) -> Result<Dep, DepParseError> {
    if let Some(pos) = s.bytes().position(|c| c == 0) {
        return Err(err(pos, DepErrorKind::NulByte));
    }
    let p = Parser { src: s, b: s.as_bytes() };
    let start = p.skip_space(0);
    let len = s.len();
    match p.at(start) {
        None => Err(err(start, DepErrorKind::Empty)),
        Some(b'(') => {
            let (rich, check, end) = p.group(start, 1)?;
            match context {
                Some(DepContext::Requires) if check & NO_AND != 0 => {
                    return Err(err(start, DepErrorKind::UnlessInAndContext));
                }
                Some(DepContext::Conflicts) if check & NO_OR != 0 => {
                    return Err(err(start, DepErrorKind::IfInOrContext));
                }
                _ => {}
            }
            let end = p.skip_space(end);
            if end != len {
                return Err(err(end, DepErrorKind::TrailingInput));
            }
            Ok(Dep::Rich(rich))
        }
        Some(_) => {
            let name_end = p.skip_token(start);
            let name = p.text(start, name_end);
            check_name_start(start, name)?;
            let q = p.skip_space(name_end);
            let mut constraint = None;
            let mut end = q;
            if q < len {
                let op_end = p.skip_token(q);
                let op = Op::from_token(p.text(q, op_end))
                    .ok_or_else(|| err(q, DepErrorKind::TrailingInput))?;
                let e = p.skip_space(op_end);
                let e_end = p.skip_token(e);
                if e_end == e {
                    return Err(err(e, DepErrorKind::VersionRequired));
                }
                constraint = Some((op, e, p.text(e, e_end)));
                end = p.skip_space(e_end);
            }
            let dep = p.simple(start, name, constraint)?;
            if end != len {
                return Err(err(end, DepErrorKind::TrailingInput));
            }
            Ok(dep)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn canon(s: &str) -> String {
        match Dep::parse(s) {
            Ok(d) => d.to_string(),
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    fn kind(s: &str) -> DepErrorKind {
        match Dep::parse(s) {
            Ok(d) => panic!("{s:?} should not parse, got {d:?}"),
            Err(e) => e.kind,
        }
    }

    #[test]
    fn simple_deps() {
        assert_eq!(
            Dep::parse("foo").unwrap(),
            Dep::Simple { name: "foo".into(), constraint: None }
        );
        let d = Dep::parse("pkgconfig(glib-2.0) >= 1:2.50-3").unwrap();
        let Dep::Simple { name, constraint: Some((op, evr)) } = &d else { panic!("{d:?}") };
        assert_eq!((name.as_str(), *op), ("pkgconfig(glib-2.0)", Op::Ge));
        assert_eq!(
            (evr.epoch, evr.version.as_str(), evr.release.as_deref()),
            (1, "2.50", Some("3"))
        );
        assert_eq!(canon("  foo   =>  0:1.0 "), "foo >= 1.0");
        assert_eq!(canon("foo == 1"), "foo = 1");
        assert_eq!(canon("foo =< 1"), "foo <= 1");
        assert_eq!(canon("perl(Foo::Bar) > 0.5"), "perl(Foo::Bar) > 0.5");
        assert_eq!(canon("libc.so.6(GLIBC_2.2.5)(64bit)"), "libc.so.6(GLIBC_2.2.5)(64bit)");
        assert_eq!(canon("_foo"), "_foo");
        assert!(Dep::parse("/usr/bin/sh").unwrap().is_file_dep());
        assert!(!Dep::parse("sh").unwrap().is_file_dep());
        assert!(!Dep::parse("(/usr/bin/sh or zsh)").unwrap().is_file_dep());
        assert!(Dep::parse("(a or b)").unwrap().is_rich());
    }

    #[test]
    fn rich_deps_valid() {
        for (input, canonical) in [
            ("(foo)", "(foo)"),
            ("(foo >= 1.0)", "(foo >= 1.0)"),
            ("(a and b)", "(a and b)"),
            ("(a and b and c)", "(a and b and c)"),
            ("(pkgA >= 3.2 or pkgB)", "(pkgA >= 3.2 or pkgB)"),
            ("(a or (b and c))", "(a or (b and c))"),
            ("(myPkg-langCZ if langsupportCZ)", "(myPkg-langCZ if langsupportCZ)"),
            (
                "(backend-mariaDB if mariaDB else sqlite)",
                "(backend-mariaDB if mariaDB else sqlite)",
            ),
            ("(a unless b)", "(a unless b)"),
            ("(a unless b else c)", "(a unless b else c)"),
            ("(pkgA-foo with pkgA-bar)", "(pkgA-foo with pkgA-bar)"),
            ("(a with b with c)", "(a with b with c)"),
            ("(pkgA-foo without pkgA-bar)", "(pkgA-foo without pkgA-bar)"),
            ("(a with (b or c))", "(a with (b or c))"),
            ("(a with (b with c))", "(a with (b with c))"),
            ("(a without (b without c))", "(a without (b without c))"),
            ("((a with b) and c)", "((a with b) and c)"),
            ("(foo and (lang-cz or lang-all))", "(foo and (lang-cz or lang-all))"),
            ("((driverA and tools) unless driverB)", "((driverA and tools) unless driverB)"),
            ("(a if (b or c))", "(a if (b or c))"),
            ("(a if (b unless c))", "(a if (b unless c))"),
            ("((a if b) and c)", "((a if b) and c)"),
            ("((a unless b) or c)", "((a unless b) or c)"),
            ("(perl(Foo::Bar) >= 1.0 or perl(Baz))", "(perl(Foo::Bar) >= 1.0 or perl(Baz))"),
            ("( a ,and ,b, )", "(a and b)"),
            ("(a\tand\nb)", "(a and b)"),
            ("(a = 1:2-3 and b == 0:4)", "(a = 1:2-3 and b = 4)"),
            ("(/usr/bin/sh or zsh)", "(/usr/bin/sh or zsh)"),
            ("(and and or)", "(and and or)"),
            ("(((a)))", "(((a)))"),
            ("  (a or b)  ", "(a or b)"),
        ] {
            assert_eq!(canon(input), canonical, "{input}");
            assert_eq!(canon(canonical), canonical, "canonical form {canonical} re-parses");
        }
        let d = Dep::parse("(a if b else (c or d))").unwrap();
        let Dep::Rich(RichDep::If { then, cond, otherwise: Some(o) }) = d else { panic!() };
        assert_eq!(
            (then.to_string(), cond.to_string(), o.to_string()),
            ("a".into(), "b".into(), "(c or d)".into())
        );
    }

    #[test]
    fn invalid_deps() {
        use DepErrorKind::*;
        let cases: Vec<(&str, DepErrorKind)> = vec![
            ("", Empty),
            ("   ", Empty),
            ("foo >=", VersionRequired),
            ("foo >= ", VersionRequired),
            ("foo bar", TrailingInput),
            ("foo >= 1 bar", TrailingInput),
            ("foo, bar", TrailingInput),
            ("foo >=1", TrailingInput),
            ("foo != 1", TrailingInput),
            ("-foo", BadNameStart('-')),
            (">= 1", BadNameStart('>')),
            ("/usr/bin/sh >= 1", VersionedFileName),
            ("foo >= 1..2", InvalidEvr(EvrParseError::DoubleDot)),
            ("foo >= a:1", InvalidEvr(EvrParseError::InvalidEpoch)),
            ("foo >= 1-2-3", InvalidEvr(EvrParseError::DoubleSeparator('-'))),
            ("foo = 1@2", InvalidEvr(EvrParseError::IllegalChar { ch: '@', position: 1 })),
            ("foo\0", NulByte),
            ("()", EmptyRich),
            ("( )", EmptyRich),
            ("(1( )", UnbalancedName),
            ("(perl(Foo and b)", UnbalancedName),
            ("(a and )", MissingOperand),
            ("(a and", Unterminated),
            ("(a", Unterminated),
            ("(a and b", Unterminated),
            ("((a and b)", Unterminated),
            ("(a b)", UnknownOp("b".into())),
            ("(a AND b)", UnknownOp("AND".into())),
            ("(a and, b)", UnknownOp("and,".into())),
            ("(a >=1)", UnknownOp(">=1".into())),
            ("(a and b or c)", MixedOps),
            ("(a or b and c)", MixedOps),
            ("(a if b or c)", MixedOps),
            ("(a if b if c)", UnchainableOp("if")),
            ("(a without b without c)", UnchainableOp("without")),
            ("(a if b else c else d)", UnchainableOp("else")),
            ("(a unless b else c and d)", MixedOps),
            ("(a else b)", ElseWithoutCondition),
            ("(a >= )", VersionRequired),
            ("(/bin/sh >= 1 or b)", VersionedFileName),
            ("(-a or b)", BadNameStart('-')),
            ("(a or b) c", TrailingInput),
            ("(a or b))", TrailingInput),
            ("(a with (b and c))", IllegalOpsInWith),
            ("((b if c) with a)", IllegalOpsInWith),
            ("(a without (b and c) )", IllegalOpsInWith),
            ("(((a and b) or c) with d)", IllegalOpsInWith),
            ("((a if b) or c)", IfInOrContext),
            ("((a if b) unless c)", IfInOrContext),
            ("((a unless b) and c)", UnlessInAndContext),
            ("((a unless b) if c)", UnlessInAndContext),
        ];
        for (input, expected) in cases {
            assert_eq!(kind(input), expected, "{input:?}");
        }
        // Positions point at the problem.
        assert_eq!(Dep::parse("(a and b or c)").unwrap_err().position, 9);
        assert_eq!(Dep::parse("foo >= 1..2").unwrap_err().position, 7);
        assert_eq!(Dep::parse("(a and").unwrap_err().position, 0);
        let e = Dep::parse("(a and (b or c) xor d)").unwrap_err();
        assert_eq!((e.position, e.kind.clone()), (16, UnknownOp("xor".into())));
        assert!(e.to_string().contains("at byte 16"));
    }

    #[test]
    fn tag_context() {
        use DepContext::*;
        assert!(Dep::parse_for("(a if b)", Requires).is_ok());
        assert!(Dep::parse_for("(a if b else c)", Requires).is_ok());
        assert_eq!(
            Dep::parse_for("(a unless b)", Requires).unwrap_err().kind,
            DepErrorKind::UnlessInAndContext
        );
        assert_eq!(
            Dep::parse_for("(a and (b unless c))", Requires).unwrap_err().kind,
            DepErrorKind::UnlessInAndContext
        );
        assert!(Dep::parse_for("(a unless b)", Conflicts).is_ok());
        assert!(Dep::parse_for("((driverA and tools) unless driverB)", Conflicts).is_ok());
        assert_eq!(
            Dep::parse_for("(a if b)", Conflicts).unwrap_err().kind,
            DepErrorKind::IfInOrContext
        );
        // An 'or'/'and' group resets the polarity.
        assert!(Dep::parse_for("((a unless b) or c)", Requires).is_ok());
        assert!(Dep::parse_for("((a if b) and c)", Conflicts).is_ok());
        // Simple deps are unaffected.
        assert!(Dep::parse_for("foo >= 1", Conflicts).is_ok());
        // Context-free parsing accepts both.
        assert!(Dep::parse("(a unless b)").is_ok() && Dep::parse("(a if b)").is_ok());
    }

    #[test]
    fn nesting_is_capped() {
        let ok = format!("{}a{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert!(Dep::parse(&ok).is_ok());
        let deep = format!("{}a{}", "(".repeat(MAX_NESTING + 1), ")".repeat(MAX_NESTING + 1));
        assert_eq!(Dep::parse(&deep).unwrap_err().kind, DepErrorKind::TooDeep);
        // Far deeper input (would overflow the stack if recursion were unbounded).
        let huge = format!("{}a{}", "(".repeat(1_000_000), ")".repeat(1_000_000));
        assert_eq!(Dep::parse(&huge).unwrap_err().kind, DepErrorKind::TooDeep);
        let unbalanced = "(a and ".repeat(100_000);
        assert_eq!(Dep::parse(&unbalanced).unwrap_err().kind, DepErrorKind::TooDeep);
        // Nesting through operators counts too.
        let mut s = String::from("x");
        for _ in 0..200 {
            s = format!("(a or {s})");
        }
        assert_eq!(Dep::parse(&s).unwrap_err().kind, DepErrorKind::TooDeep);
    }

    // ---- property tests ----

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[a-zA-Z0-9_][a-zA-Z0-9_.+-]{0,8}",
            1 => "[a-z]{1,5}\\([A-Za-z:]{1,6}\\)",
            1 => Just("and".to_owned()),
            1 => Just("if".to_owned()),
        ]
    }

    fn evr() -> impl Strategy<Value = Evr> {
        (
            prop_oneof![3 => Just(0u32), 1 => 0u32..100],
            "[0-9a-z]{1,3}([._~^+][0-9a-z]{1,3}){0,3}",
            proptest::option::of("[0-9a-z]{1,3}(\\.[0-9a-z]{1,3}){0,2}"),
        )
            .prop_map(|(e, v, r)| Evr::new(e, v, r))
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![Just(Op::Lt), Just(Op::Le), Just(Op::Eq), Just(Op::Ge), Just(Op::Gt)]
    }

    fn simple_dep() -> impl Strategy<Value = Dep> {
        prop_oneof![
            (name(), proptest::option::of((op(), evr())))
                .prop_map(|(n, c)| Dep::Simple { name: n, constraint: c }),
            "/[a-z]{1,4}(/[a-z]{1,4}){0,2}".prop_map(|n| Dep::Simple { name: n, constraint: None }),
        ]
    }

    fn any_dep() -> impl Strategy<Value = Dep> {
        simple_dep().prop_recursive(5, 40, 4, |inner| {
            let list = proptest::collection::vec(inner.clone(), 2..4);
            prop_oneof![
                inner.clone().prop_map(|d| RichDep::Single(Box::new(d))),
                list.clone().prop_map(RichDep::And),
                list.clone().prop_map(RichDep::Or),
                list.prop_map(RichDep::With),
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| RichDep::Without(Box::new(a), Box::new(b))),
                (inner.clone(), inner.clone(), proptest::option::of(inner.clone())).prop_map(
                    |(t, c, o)| RichDep::If {
                        then: Box::new(t),
                        cond: Box::new(c),
                        otherwise: o.map(Box::new)
                    }
                ),
                (inner.clone(), inner.clone(), proptest::option::of(inner)).prop_map(
                    |(t, c, o)| RichDep::Unless {
                        then: Box::new(t),
                        cond: Box::new(c),
                        otherwise: o.map(Box::new)
                    }
                ),
            ]
            .prop_map(Dep::Rich)
        })
    }

    /// Structural identity (Evr's `==` is RPM equality, which is looser than text).
    fn same_text(a: &Dep, b: &Dep) -> bool {
        a.to_string() == b.to_string() && a == b
    }

    #[test]
    fn generated_trees_mostly_parse() {
        // Guards the round-trip property against passing vacuously (all errors).
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = any_dep();
        let (mut ok, mut rich_ok) = (0, 0);
        for _ in 0..1000 {
            let d = strategy.new_tree(&mut runner).expect("generate").current();
            if let Ok(parsed) = Dep::parse(&d.to_string()) {
                assert!(same_text(&parsed, &d), "{d}");
                ok += 1;
                rich_ok += usize::from(parsed.is_rich());
            }
        }
        assert!(ok >= 300 && rich_ok >= 150, "only {ok} ({rich_ok} rich) of 1000 parsed");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

        #[test]
        fn display_parse_round_trip(d in any_dep()) {
            let text = d.to_string();
            match Dep::parse(&text) {
                Ok(parsed) => prop_assert!(same_text(&parsed, &d), "{} -> {}", text, parsed),
                // Generated trees may break RPM's with/if/unless context rules; nothing else.
                Err(e) => prop_assert!(
                    matches!(e.kind, DepErrorKind::IllegalOpsInWith
                        | DepErrorKind::UnlessInAndContext | DepErrorKind::IfInOrContext),
                    "{}: {}", text, e
                ),
            }
        }

        #[test]
        fn parse_display_parse_is_stable(s in "[ (),a-c<=>:.0-9/-]{0,30}|(\\(| |\\)|and|or|if|unless|else|with|without|a|b|=|>=|1)*") {
            if let Ok(d) = Dep::parse(&s) {
                let text = d.to_string();
                let again = Dep::parse(&text);
                prop_assert!(again.is_ok(), "{:?} -> {:?} fails: {:?}", s, text, again);
                if let Ok(again) = again {
                    prop_assert!(same_text(&again, &d), "{:?} -> {:?}", s, text);
                }
            }
        }

        #[test]
        fn random_strings_never_panic(s in "\\PC{0,60}", ctx in prop_oneof![Just(DepContext::Requires), Just(DepContext::Conflicts)]) {
            let plain = Dep::parse(&s);
            let ctxd = Dep::parse_for(&s, ctx);
            // The tag rule only ever adds rejections.
            if ctxd.is_ok() {
                prop_assert!(plain.is_ok());
            }
            if let Err(e) = plain {
                prop_assert!(e.position <= s.len());
            }
        }
    }
}
