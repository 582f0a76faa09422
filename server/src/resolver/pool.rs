//! Safe wrapper over libsolv: a [`Pool`] with RPM semantics that owns its repositories and
//! its (optional) reusable solver.
//!
//! Safety rests on three rules enforced by the API: every libsolv call that may add strings,
//! relations or providers takes `&mut Pool`; strings from libsolv's temporary space are
//! copied at once; the solver lives inside the pool wrapper and is freed before the pool.
//! `Pool` is neither `Send` nor `Sync` (libsolv pools are single-threaded): use one pool per
//! worker thread.
//!
//! Must not: parse repository files itself, know Koschei rules, or leak raw pointers.

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::marker::PhantomData;
use std::path::Path;
use std::ptr::NonNull;

use super::ffi::*;

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

/// A selection: `(how, what)` job pairs and the solvables it covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Job pairs (`SOLVER_SOLVABLE_NAME`, name id), … as `selection_make` built them.
    pub jobs: Vec<(Id, Id)>,
    /// The solvables the selection covers (`selection_solvables`).
    pub solvables: Vec<Id>,
}

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
    pub fn add_rpmmd(
        &mut self,
        repo: RepoHandle,
        path: &Path,
        flags: c_int,
    ) -> Result<(), SolvError> {
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

    /// The name id of a solvable.
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
        self.solvable_deps(p, SOLVABLE_REQUIRES, out);
    }

    /// The dependency array `key` (`SOLVABLE_REQUIRES`, `SOLVABLE_CONFLICTS`, …) of a
    /// solvable, markers dropped, appended to `out`.
    pub(super) fn solvable_deps(&self, p: Id, key: Id, out: &mut Vec<Id>) {
        let raw = self.raw();
        if self.solvable(p).is_none() {
            return;
        }
        let mut q = Queue::new();
        // SAFETY: p is in bounds; looking up the in-memory requires array only reads repo
        // data (no string or solvable is added).
        unsafe { solvable_lookup_deparray(raw.solvables.add(p as usize), key, &mut q.0, 0) };
        out.extend(
            q.as_slice()
                .iter()
                .copied()
                .filter(|&d| d != SOLVABLE_PREREQMARKER && d != SOLVABLE_FILEMARKER),
        );
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
            let mut off: Id = if dep >= 0 {
                *(*raw).whatprovides.add(dep as usize) as Id
            } else {
                let v = (dep as u32 ^ 0x8000_0000) as usize;
                *(*raw).whatprovides_rel.add(v) as Id
            };
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

    /// `selection_make(name, flags)`: the selection as `(how, what)` pairs, plus the
    /// solvables it covers (`selection_solvables`).
    pub fn select(&mut self, name: &str, flags: c_int) -> Result<Selection, SolvError> {
        if !self.prepared {
            return Err(SolvError::NotPrepared);
        }
        let c = cstring(name)?;
        let mut q = Queue::new();
        let mut pkgs = Queue::new();
        // SAFETY: valid pool, string and queues.
        unsafe {
            selection_make(self.raw.as_ptr(), &mut q.0, c.as_ptr(), flags);
            selection_solvables(self.raw.as_ptr(), &mut q.0, &mut pkgs.0);
        }
        let jobs = q.as_slice().chunks_exact(2).map(|w| (w[0], w[1])).collect();
        Ok(Selection { jobs, solvables: pkgs.as_slice().to_vec() })
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
        let raw = NonNull::new(unsafe { solver_create(self.raw.as_ptr()) })
            .ok_or(SolvError::PoolCreate)?;
        let solver = Solver(raw);
        for &(flag, value) in &self.solver_flags {
            // SAFETY: valid solver.
            unsafe { solver_set_flag(solver.0.as_ptr(), flag, value) };
        }
        Ok(solver)
    }

    /// Frees the cached solver (the next [`Pool::solve`] starts from a fresh one).
    pub fn drop_solver(&mut self) {
        self.solver = None;
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
