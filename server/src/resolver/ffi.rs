//! Hand-written, minimal FFI to the system libsolv 0.7.23 (`libsolv.so.1`, `libsolvext.so.1`),
//! wrapped in a safe [`Pool`] that owns its (optional) reusable solver.
//!
//! Only the functions the resolver needs are declared. The one C struct we read fields of is
//! `Pool`, declared as its public prefix up to `whatprovidesdata` (checked against the
//! 0.7.23 x86_64 layout at compile time), plus `Solvable` and `Queue` in full. Everything
//! else is opaque. Safety rests on three rules enforced by the API: every mutating libsolv
//! call takes `&mut Pool`; strings from libsolv's temporary space are copied at once; the
//! solver is stored inside the pool wrapper and freed before the pool. `Pool` is neither
//! `Send` nor `Sync` (libsolv pools are single-threaded): use one pool per worker thread.
//!
//! Must not: parse repository files itself, know Koschei rules, or leak raw pointers.

use std::ffi::{CStr, CString, c_char, c_int, c_uint, c_void};
use std::marker::PhantomData;
use std::path::Path;
use std::ptr::NonNull;

/// libsolv's `Id` (string, relation or solvable number).
pub type Id = c_int;
type Offset = c_uint;

/// `DISTTYPE_RPM`.
const DISTTYPE_RPM: c_int = 0;
/// Relation flags (`REL_GT`, `REL_EQ`, `REL_LT`).
pub const REL_GT: c_int = 1;
/// `REL_EQ`.
pub const REL_EQ: c_int = 2;
/// `REL_LT`.
pub const REL_LT: c_int = 4;
/// Known ids (knownid.h of 0.7.23).
const SOLVABLE_REQUIRES: Id = 9;
const SOLVABLE_PREREQMARKER: Id = 15;
/// Job selectors / commands (solver.h).
pub const SOLVER_SOLVABLE_PROVIDES: Id = 0x03;
/// `SOLVER_INSTALL`.
pub const SOLVER_INSTALL: Id = 0x0100;
/// Selection flags (selection.h).
pub const SELECTION_NAME: c_int = 1;
/// `SELECTION_FILELIST`.
pub const SELECTION_FILELIST: c_int = 1 << 2;
/// `REPO_EXTEND_SOLVABLES` (repo.h).
pub const REPO_EXTEND_SOLVABLES: c_int = 1 << 4;
/// Solver flags (solver.h).
pub const SOLVER_FLAG_ALLOW_VENDORCHANGE: c_int = 3;
/// `SOLVER_FLAG_IGNORE_RECOMMENDED`.
pub const SOLVER_FLAG_IGNORE_RECOMMENDED: c_int = 7;
/// `SOLVER_FLAG_BEST_OBEY_POLICY`.
pub const SOLVER_FLAG_BEST_OBEY_POLICY: c_int = 12;
/// `SOLVER_FLAG_KEEP_ORPHANS`.
pub const SOLVER_FLAG_KEEP_ORPHANS: c_int = 18;
/// `SOLVER_FLAG_YUM_OBSOLETES`.
pub const SOLVER_FLAG_YUM_OBSOLETES: c_int = 21;
/// Rule classes (rules.h) filtered out of problem descriptions like the bindings do.
const SOLVER_RULE_UPDATE: c_int = 0x200;
const SOLVER_RULE_JOB: c_int = 0x400;

#[repr(C)]
struct RawQueue {
    elements: *mut Id,
    count: c_int,
    alloc: *mut Id,
    left: c_int,
}

#[repr(C)]
struct RawSolvable {
    name: Id,
    arch: Id,
    evr: Id,
    vendor: Id,
    repo: *mut c_void,
    provides: Offset,
    obsoletes: Offset,
    conflicts: Offset,
    requires: Offset,
    recommends: Offset,
    suggests: Offset,
    supplements: Offset,
    enhances: Offset,
}

#[repr(C)]
struct RawStringpool {
    strings: *mut Offset,
    nstrings: c_int,
    stringspace: *mut c_char,
    sstrings: Offset,
    stringhashtbl: *mut Id,
    stringhashmask: c_uint,
}

/// The public prefix of `struct s_Pool` (pool.h, 0.7.23); never instantiated by Rust.
#[repr(C)]
struct RawPool {
    appdata: *mut c_void,
    ss: RawStringpool,
    rels: *mut c_void,
    nrels: c_int,
    repos: *mut *mut c_void,
    nrepos: c_int,
    urepos: c_int,
    installed: *mut c_void,
    solvables: *mut RawSolvable,
    nsolvables: c_int,
    languages: *mut *const c_char,
    nlanguages: c_int,
    disttype: c_int,
    id2arch: *mut Id,
    id2color: *mut u8,
    lastarch: Id,
    vendormap: RawQueue,
    vendorclasses: *mut *const c_char,
    whatprovides: *mut Offset,
    whatprovides_rel: *mut Offset,
    whatprovidesdata: *mut Id,
}

// Layout checks against the C headers of 0.7.23 (values printed by a C program on x86_64).
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(std::mem::size_of::<RawSolvable>() == 56);
    assert!(std::mem::offset_of!(RawPool, solvables) == 96);
    assert!(std::mem::offset_of!(RawPool, nsolvables) == 104);
    assert!(std::mem::offset_of!(RawPool, disttype) == 124);
    assert!(std::mem::offset_of!(RawPool, whatprovides) == 192);
    assert!(std::mem::offset_of!(RawPool, whatprovides_rel) == 200);
    assert!(std::mem::offset_of!(RawPool, whatprovidesdata) == 208);
};

#[repr(C)]
struct RawRepo {
    _opaque: [u8; 0],
}
#[repr(C)]
struct RawSolver {
    _opaque: [u8; 0],
}
#[repr(C)]
struct RawTransaction {
    _opaque: [u8; 0],
}
#[repr(C)]
struct CFile {
    _opaque: [u8; 0],
}

#[link(name = "solvext")]
unsafe extern "C" {
    fn solv_xfopen(fn_: *const c_char, mode: *const c_char) -> *mut CFile;
    fn repo_add_rpmmd(repo: *mut RawRepo, fp: *mut CFile, lang: *const c_char, flags: c_int) -> c_int;
    fn pool_parserpmrichdep(pool: *mut RawPool, dep: *const c_char) -> Id;
}

#[link(name = "solv")]
unsafe extern "C" {
    fn pool_create() -> *mut RawPool;
    fn pool_free(pool: *mut RawPool);
    fn pool_setdisttype(pool: *mut RawPool, disttype: c_int) -> c_int;
    fn pool_setarch(pool: *mut RawPool, arch: *const c_char);
    fn pool_errstr(pool: *mut RawPool) -> *const c_char;
    fn pool_str2id(pool: *mut RawPool, s: *const c_char, create: c_int) -> Id;
    fn pool_rel2id(pool: *mut RawPool, name: Id, evr: Id, flags: c_int, create: c_int) -> Id;
    fn pool_id2str(pool: *const RawPool, id: Id) -> *const c_char;
    fn pool_dep2str(pool: *mut RawPool, id: Id) -> *const c_char;
    fn pool_addfileprovides(pool: *mut RawPool);
    fn pool_createwhatprovides(pool: *mut RawPool);
    fn pool_addrelproviders(pool: *mut RawPool, d: Id) -> Id;
    fn repo_create(pool: *mut RawPool, name: *const c_char) -> *mut RawRepo;
    fn solvable_lookup_deparray(s: *mut RawSolvable, key: Id, q: *mut RawQueue, marker: Id)
    -> c_int;
    fn selection_make(pool: *mut RawPool, sel: *mut RawQueue, name: *const c_char, flags: c_int)
    -> c_int;
    fn queue_init(q: *mut RawQueue);
    fn queue_free(q: *mut RawQueue);
    fn queue_insertn(q: *mut RawQueue, pos: c_int, n: c_int, elements: *const Id);
    fn solver_create(pool: *mut RawPool) -> *mut RawSolver;
    fn solver_free(solv: *mut RawSolver);
    fn solver_set_flag(solv: *mut RawSolver, flag: c_int, value: c_int) -> c_int;
    fn solver_solve(solv: *mut RawSolver, job: *mut RawQueue) -> c_int;
    fn solver_problem_count(solv: *mut RawSolver) -> c_uint;
    fn solver_findallproblemrules(solv: *mut RawSolver, problem: Id, rules: *mut RawQueue);
    fn solver_ruleclass(solv: *mut RawSolver, rid: Id) -> c_int;
    fn solver_ruleinfo(
        solv: *mut RawSolver,
        rid: Id,
        from: *mut Id,
        to: *mut Id,
        dep: *mut Id,
    ) -> c_int;
    fn solver_problemruleinfo2str(
        solv: *mut RawSolver,
        kind: c_int,
        source: Id,
        target: Id,
        dep: Id,
    ) -> *const c_char;
    fn solver_create_transaction(solv: *mut RawSolver) -> *mut RawTransaction;
    fn transaction_installedresult(trans: *mut RawTransaction, q: *mut RawQueue) -> c_int;
    fn transaction_free(trans: *mut RawTransaction);
}

unsafe extern "C" {
    fn fclose(f: *mut CFile) -> c_int;
}

/// Errors of the libsolv layer.
#[derive(Debug, thiserror::Error)]
pub enum SolvError {
    /// `pool_create` returned NULL.
    #[error("libsolv could not create a pool")]
    PoolCreate,
    /// This libsolv build cannot switch to RPM semantics.
    #[error("this libsolv build cannot use RPM semantics (built without MULTI_SEMANTICS)")]
    NoRpmSemantics,
    /// A string handed to libsolv contained a NUL byte.
    #[error("string contains a NUL byte: {0:?}")]
    Nul(String),
    /// The file could not be opened (missing, or unsupported compression).
    #[error("cannot open {0}")]
    Open(String),
    /// libsolv's rpm-md reader failed.
    #[error("reading {path} failed: {message}")]
    Parse {
        /// The file.
        path: String,
        /// libsolv's error string.
        message: String,
    },
    /// Queries were made before [`Pool::prepare`].
    #[error("pool is not prepared (call prepare() after loading repositories)")]
    NotPrepared,
}

/// An owned libsolv queue (freed on drop).
struct Queue(RawQueue);

impl Queue {
    fn new() -> Queue {
        let mut q =
            RawQueue { elements: std::ptr::null_mut(), count: 0, alloc: std::ptr::null_mut(), left: 0 };
        // SAFETY: queue_init only writes the four fields of the struct we own.
        unsafe { queue_init(&mut q) };
        Queue(q)
    }
    fn from_slice(ids: &[Id]) -> Queue {
        let mut q = Queue::new();
        if !ids.is_empty() {
            // SAFETY: `ids` is a valid slice of `len` Ids; libsolv copies them.
            unsafe { queue_insertn(&mut q.0, 0, ids.len() as c_int, ids.as_ptr()) };
        }
        q
    }
    fn as_slice(&self) -> &[Id] {
        if self.0.count <= 0 || self.0.elements.is_null() {
            return &[];
        }
        // SAFETY: libsolv keeps `count` initialised Ids at `elements`.
        unsafe { std::slice::from_raw_parts(self.0.elements, self.0.count as usize) }
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        // SAFETY: the queue was initialised by queue_init and is freed once.
        unsafe { queue_free(&mut self.0) };
    }
}

/// A libsolv solver; only ever lives inside a [`Pool`] (which frees it first).
struct Solver(NonNull<RawSolver>);

impl Drop for Solver {
    fn drop(&mut self) {
        // SAFETY: created by solver_create, freed once, before its pool (see Pool::drop).
        unsafe { solver_free(self.0.as_ptr()) };
    }
}

/// Handle of a repository inside one [`Pool`].
#[derive(Debug, Clone, Copy)]
pub struct RepoHandle(usize);

/// The result of one solve, read out of the solver at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SolveOutcome {
    /// One entry per solver problem: the de-duplicated rule descriptions, in libsolv order
    /// (job/update rules dropped unless nothing else is left, as the bindings do).
    pub problems: Vec<Vec<String>>,
    /// Solvable ids of the new installs (empty when there are problems).
    pub installs: Vec<Id>,
}

/// A libsolv pool with RPM semantics (plus the solver reused across solves, if any).
pub struct Pool {
    raw: NonNull<RawPool>,
    repos: Vec<NonNull<RawRepo>>,
    prepared: bool,
    solver: Option<Solver>,
    solver_flags: Vec<(c_int, c_int)>,
    _not_send: PhantomData<*mut ()>,
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.solver = None; // the solver points into the pool: free it first
        // SAFETY: the pool was created by pool_create and is freed exactly once.
        unsafe { pool_free(self.raw.as_ptr()) };
    }
}

fn cstring(s: &str) -> Result<CString, SolvError> {
    CString::new(s).map_err(|_| SolvError::Nul(s.to_owned()))
}

/// Copies a C string owned by libsolv (NULL → empty).
fn copy_cstr(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: libsolv returns NUL-terminated strings valid until the next pool mutation;
    // we copy immediately.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

impl Pool {
    /// Creates a pool with RPM semantics (`pool_setdisttype` before `pool_setarch`, as
    /// Debian's MULTI_SEMANTICS build requires) for the given architecture.
    pub fn new_rpm(arch: &str) -> Result<Pool, SolvError> {
        let arch = cstring(arch)?;
        // SAFETY: plain constructor; NULL is checked.
        let raw = NonNull::new(unsafe { pool_create() }).ok_or(SolvError::PoolCreate)?;
        let pool = Pool {
            raw,
            repos: Vec::new(),
            prepared: false,
            solver: None,
            solver_flags: Vec::new(),
            _not_send: PhantomData,
        };
        // SAFETY: valid pool; -1 means the build lacks MULTI_SEMANTICS.
        if unsafe { pool_setdisttype(pool.raw.as_ptr(), DISTTYPE_RPM) } == -1 {
            return Err(SolvError::NoRpmSemantics);
        }
        // SAFETY: valid pool and NUL-terminated arch string.
        unsafe { pool_setarch(pool.raw.as_ptr(), arch.as_ptr()) };
        Ok(pool)
    }

    fn raw(&self) -> &RawPool {
        // SAFETY: the pointer is valid for the life of self; we only read public fields.
        unsafe { self.raw.as_ref() }
    }

    /// Adds an empty repository.
    pub fn add_repo(&mut self, name: &str) -> Result<RepoHandle, SolvError> {
        let name = cstring(name)?;
        // SAFETY: valid pool; libsolv copies the name.
        let repo = unsafe { repo_create(self.raw.as_ptr(), name.as_ptr()) };
        let repo = NonNull::new(repo).ok_or(SolvError::PoolCreate)?;
        self.repos.push(repo);
        self.prepared = false;
        Ok(RepoHandle(self.repos.len() - 1))
    }

    /// Reads an rpm-md file (primary or filelists; plain, .gz, .xz, .bz2 or .zst) into `repo`.
    pub fn add_rpmmd(&mut self, repo: RepoHandle, path: &Path, flags: c_int) -> Result<(), SolvError> {
        let shown = path.display().to_string();
        let repo = *self.repos.get(repo.0).ok_or_else(|| SolvError::Open(shown.clone()))?;
        let cpath = cstring(&path.to_string_lossy())?;
        // SAFETY: valid NUL-terminated strings; NULL checked.
        let fp = unsafe { solv_xfopen(cpath.as_ptr(), c"r".as_ptr()) };
        if fp.is_null() {
            return Err(SolvError::Open(shown));
        }
        // SAFETY: repo belongs to this pool; fp is an open FILE closed right after.
        let rc = unsafe { repo_add_rpmmd(repo.as_ptr(), fp, std::ptr::null(), flags) };
        // SAFETY: fp came from solv_xfopen and is closed once.
        unsafe { fclose(fp) };
        self.prepared = false;
        if rc != 0 {
            // SAFETY: valid pool; the error string is copied at once.
            let message = copy_cstr(unsafe { pool_errstr(self.raw.as_ptr()) });
            return Err(SolvError::Parse { path: shown, message });
        }
        Ok(())
    }

    /// `pool_addfileprovides` + `pool_createwhatprovides`: call after the last load and
    /// before any query or solve.
    pub fn prepare(&mut self) {
        self.solver = None;
        // SAFETY: valid pool.
        unsafe {
            pool_addfileprovides(self.raw.as_ptr());
            pool_createwhatprovides(self.raw.as_ptr());
        }
        self.prepared = true;
    }

    /// Number of solvable slots (ids `2..nsolvables` may be packages).
    pub fn nsolvables(&self) -> Id {
        self.raw().nsolvables
    }

    fn solvable(&self, p: Id) -> Option<&RawSolvable> {
        let raw = self.raw();
        if p < 2 || p >= raw.nsolvables || raw.solvables.is_null() {
            return None;
        }
        // SAFETY: bounds checked against nsolvables.
        let s = unsafe { &*raw.solvables.add(p as usize) };
        (!s.repo.is_null()).then_some(s)
    }

    /// Ids of the solvables that belong to `repo`.
    pub fn repo_solvables(&self, repo: RepoHandle) -> Vec<Id> {
        let Some(r) = self.repos.get(repo.0) else { return Vec::new() };
        let target = r.as_ptr() as *mut c_void;
        (2..self.nsolvables())
            .filter(|&p| self.solvable(p).is_some_and(|s| s.repo == target))
            .collect()
    }

    /// The string of a (non-relation) id; empty for unknown ids.
    pub fn id2str(&self, id: Id) -> &str {
        if id < 0 || id >= self.raw().ss.nstrings {
            return "";
        }
        // SAFETY: id is a valid string id; the string lives in the pool's string space,
        // which is only reallocated by calls that take `&mut self`.
        let p = unsafe { pool_id2str(self.raw.as_ptr(), id) };
        if p.is_null() {
            return "";
        }
        // SAFETY: as above; NUL-terminated.
        unsafe { CStr::from_ptr(p) }.to_str().unwrap_or("")
    }

    /// A dependency id as text (`name`, `name >= evr`, rich `(a or b)`).
    pub fn dep2str(&mut self, id: Id) -> String {
        // SAFETY: valid pool; result is in tmp space and copied at once.
        copy_cstr(unsafe { pool_dep2str(self.raw.as_ptr(), id) })
    }

    /// Name id, EVR string and arch string of a solvable.
    pub fn solvable_name_id(&self, p: Id) -> Option<Id> {
        self.solvable(p).map(|s| s.name)
    }

    /// `(name, evr, arch)` of a solvable.
    pub fn solvable_nevra(&self, p: Id) -> Option<(&str, &str, &str)> {
        let s = self.solvable(p)?;
        Some((self.id2str(s.name), self.id2str(s.evr), self.id2str(s.arch)))
    }

    /// All requires of a solvable (pre-requires included, marker dropped), appended to `out`.
    pub fn solvable_requires(&self, p: Id, out: &mut Vec<Id>) {
        let raw = self.raw();
        if self.solvable(p).is_none() {
            return;
        }
        let mut q = Queue::new();
        // SAFETY: p is in bounds; looking up the in-memory requires array only reads repo
        // data (no string or solvable is added).
        unsafe { solvable_lookup_deparray(raw.solvables.add(p as usize), SOLVABLE_REQUIRES, &mut q.0, 0) };
        out.extend(q.as_slice().iter().copied().filter(|&d| d != SOLVABLE_PREREQMARKER));
    }

    /// `pool_str2id(s, create)`; 0 when absent and not created.
    pub fn str2id(&mut self, s: &str, create: bool) -> Result<Id, SolvError> {
        let c = cstring(s)?;
        // SAFETY: valid pool and string.
        Ok(unsafe { pool_str2id(self.raw.as_ptr(), c.as_ptr(), c_int::from(create)) })
    }

    /// `pool_rel2id(name, evr, flags, create=1)`.
    pub fn rel2id(&mut self, name: Id, evr: Id, flags: c_int) -> Id {
        // SAFETY: valid pool; ids come from this pool.
        unsafe { pool_rel2id(self.raw.as_ptr(), name, evr, flags, 1) }
    }

    /// Parses an RPM rich dependency `(…)`; None when libsolv cannot parse it.
    pub fn parse_rich_dep(&mut self, s: &str) -> Result<Option<Id>, SolvError> {
        let c = cstring(s)?;
        // SAFETY: valid pool and string.
        let id = unsafe { pool_parserpmrichdep(self.raw.as_ptr(), c.as_ptr()) };
        Ok((id != 0).then_some(id))
    }

    /// Providers of a dependency (libsolv's `pool_whatprovides`), appended to `out`.
    pub fn whatprovides(&mut self, dep: Id, out: &mut Vec<Id>) -> Result<(), SolvError> {
        if !self.prepared {
            return Err(SolvError::NotPrepared);
        }
        let raw = self.raw.as_ptr();
        // SAFETY: after prepare(), whatprovides / whatprovides_rel cover every id the pool
        // created (libsolv grows them in pool_str2id / pool_rel2id); otherwise we fall back
        // to pool_addrelproviders exactly like the C inline function pool_whatprovides.
        unsafe {
            let mut off: Id = 0;
            if dep >= 0 {
                off = *(*raw).whatprovides.add(dep as usize) as Id;
            } else {
                let v = (dep as u32 ^ 0x8000_0000) as usize;
                off = *(*raw).whatprovides_rel.add(v) as Id;
            }
            if off == 0 {
                off = pool_addrelproviders(raw, dep);
            }
            let mut p = (*raw).whatprovidesdata.add(off as usize);
            while *p != 0 {
                out.push(*p);
                p = p.add(1);
            }
        }
        Ok(())
    }

    /// `selection_make(name, flags)`: the selection as `(how, what)` pairs.
    pub fn select(&mut self, name: &str, flags: c_int) -> Result<Vec<(Id, Id)>, SolvError> {
        if !self.prepared {
            return Err(SolvError::NotPrepared);
        }
        let c = cstring(name)?;
        let mut q = Queue::new();
        // SAFETY: valid pool, string and queue.
        unsafe { selection_make(self.raw.as_ptr(), &mut q.0, c.as_ptr(), flags) };
        Ok(q.as_slice().chunks_exact(2).map(|w| (w[0], w[1])).collect())
    }

    /// Sets the solver flags used for every later solve (drops a cached solver).
    pub fn set_solver_flags(&mut self, flags: &[(c_int, c_int)]) {
        self.solver = None;
        self.solver_flags = flags.to_vec();
    }

    fn new_solver(&mut self) -> Result<Solver, SolvError> {
        if !self.prepared {
            return Err(SolvError::NotPrepared);
        }
        // SAFETY: valid prepared pool.
        let raw = NonNull::new(unsafe { solver_create(self.raw.as_ptr()) }).ok_or(SolvError::PoolCreate)?;
        let solver = Solver(raw);
        for &(flag, value) in &self.solver_flags {
            // SAFETY: valid solver.
            unsafe { solver_set_flag(solver.0.as_ptr(), flag, value) };
        }
        Ok(solver)
    }

    /// Solves `jobs` (flat `(how, what)` pairs). With `reuse` the same solver object serves
    /// every call (libsolv resets it per solve); otherwise a fresh solver is made each time,
    /// as hawkey does.
    pub fn solve(&mut self, jobs: &[Id], reuse: bool) -> Result<SolveOutcome, SolvError> {
        let solver = match self.solver.take() {
            Some(s) if reuse => s,
            _ => self.new_solver()?,
        };
        let out = Self::run(&solver, jobs);
        if reuse {
            self.solver = Some(solver);
        }
        Ok(out)
    }

    fn run(solver: &Solver, jobs: &[Id]) -> SolveOutcome {
        let sp = solver.0.as_ptr();
        let mut job = Queue::from_slice(jobs);
        let mut out = SolveOutcome::default();
        // SAFETY: valid solver of this pool; the job queue is owned by us.
        unsafe { solver_solve(sp, &mut job.0) };
        // SAFETY: valid solver.
        let nproblems = unsafe { solver_problem_count(sp) } as Id;
        for problem in 1..=nproblems {
            let mut rules = Queue::new();
            // SAFETY: problem id in 1..=count.
            unsafe { solver_findallproblemrules(sp, problem, &mut rules.0) };
            let all = rules.as_slice();
            // SAFETY (closure): rule ids come from libsolv for this solver.
            let kept: Vec<Id> = all
                .iter()
                .copied()
                .filter(|&r| {
                    let class = unsafe { solver_ruleclass(sp, r) };
                    class != SOLVER_RULE_UPDATE && class != SOLVER_RULE_JOB
                })
                .collect();
            let chosen = if kept.is_empty() { all } else { &kept[..] };
            let mut texts: Vec<String> = Vec::new();
            for &rid in chosen {
                let (mut from, mut to, mut dep) = (0, 0, 0);
                // SAFETY: valid rule id; the text lives in tmp space and is copied at once.
                let text = unsafe {
                    let kind = solver_ruleinfo(sp, rid, &mut from, &mut to, &mut dep);
                    copy_cstr(solver_problemruleinfo2str(sp, kind, from, to, dep))
                };
                if !texts.contains(&text) {
                    texts.push(text);
                }
            }
            out.problems.push(texts);
        }
        if nproblems == 0 {
            // SAFETY: valid solver; the transaction is freed below.
            let trans = unsafe { solver_create_transaction(sp) };
            if !trans.is_null() {
                let mut q = Queue::new();
                // SAFETY: valid transaction; returns the count of new solvables.
                let cut = unsafe { transaction_installedresult(trans, &mut q.0) };
                let all = q.as_slice();
                let cut = usize::try_from(cut).unwrap_or(0).min(all.len());
                out.installs.extend_from_slice(&all[..cut]);
                // SAFETY: freed once.
                unsafe { transaction_free(trans) };
            }
        }
        out
    }
}
