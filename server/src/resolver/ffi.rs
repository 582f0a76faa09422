//! Hand-written FFI declarations for the system libsolv 0.7.23 (`libsolv.so.1`,
//! `libsolvext.so.1`): just the functions, constants and struct layouts the resolver uses,
//! plus an owned [`Queue`]. The safe wrapper is [`super::pool::Pool`].
//!
//! Only `Solvable` and `Queue` are declared in full; `Pool` is declared as its public prefix up
//! to `whatprovidesdata` (checked against the 0.7.23 x86_64 layout at compile time); all other
//! structs are opaque. Constants are copied from the 0.7.23 headers (knownid.h, solver.h,
//! selection.h, repo.h, rules.h).
//!
//! Must not: be used outside `crate::resolver`, hold state, or know Koschei rules.

use std::ffi::{c_char, c_int, c_uint, c_void};

/// libsolv's `Id` (string, relation or solvable number).
pub type Id = c_int;
pub(super) type Offset = c_uint;

/// `DISTTYPE_RPM`.
pub(super) const DISTTYPE_RPM: c_int = 0;
/// Relation flags (`REL_GT`, `REL_EQ`, `REL_LT`).
pub const REL_GT: c_int = 1;
/// `REL_EQ`.
pub const REL_EQ: c_int = 2;
/// `REL_LT`.
pub const REL_LT: c_int = 4;
/// Known ids (knownid.h of 0.7.23).
pub(super) const SOLVABLE_REQUIRES: Id = 9;
/// The dependency keys after `SOLVABLE_PROVIDES` (knownid.h order): obsoletes, conflicts,
/// requires, recommends, suggests, supplements, enhances.
pub(super) const SOLVABLE_OBSOLETES: Id = 7;
pub(super) const SOLVABLE_CONFLICTS: Id = 8;
pub(super) const SOLVABLE_RECOMMENDS: Id = 10;
pub(super) const SOLVABLE_SUGGESTS: Id = 11;
pub(super) const SOLVABLE_SUPPLEMENTS: Id = 12;
pub(super) const SOLVABLE_ENHANCES: Id = 13;
pub(super) const SOLVABLE_PREREQMARKER: Id = 15;
pub(super) const SOLVABLE_FILEMARKER: Id = 16;
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
pub(super) const SOLVER_RULE_UPDATE: c_int = 0x200;
pub(super) const SOLVER_RULE_JOB: c_int = 0x400;

#[repr(C)]
pub(super) struct RawQueue {
    pub(super) elements: *mut Id,
    pub(super) count: c_int,
    pub(super) alloc: *mut Id,
    pub(super) left: c_int,
}

#[repr(C)]
pub(super) struct RawSolvable {
    pub(super) name: Id,
    pub(super) arch: Id,
    pub(super) evr: Id,
    pub(super) vendor: Id,
    pub(super) repo: *mut c_void,
    pub(super) provides: Offset,
    pub(super) obsoletes: Offset,
    pub(super) conflicts: Offset,
    pub(super) requires: Offset,
    pub(super) recommends: Offset,
    pub(super) suggests: Offset,
    pub(super) supplements: Offset,
    pub(super) enhances: Offset,
}

#[repr(C)]
pub(super) struct RawStringpool {
    pub(super) strings: *mut Offset,
    pub(super) nstrings: c_int,
    pub(super) stringspace: *mut c_char,
    pub(super) sstrings: Offset,
    pub(super) stringhashtbl: *mut Id,
    pub(super) stringhashmask: c_uint,
}

/// The public prefix of `struct s_Pool` (pool.h, 0.7.23); never instantiated by Rust.
#[repr(C)]
pub(super) struct RawPool {
    pub(super) appdata: *mut c_void,
    pub(super) ss: RawStringpool,
    pub(super) rels: *mut c_void,
    pub(super) nrels: c_int,
    pub(super) repos: *mut *mut c_void,
    pub(super) nrepos: c_int,
    pub(super) urepos: c_int,
    pub(super) installed: *mut c_void,
    pub(super) solvables: *mut RawSolvable,
    pub(super) nsolvables: c_int,
    pub(super) languages: *mut *const c_char,
    pub(super) nlanguages: c_int,
    pub(super) disttype: c_int,
    pub(super) id2arch: *mut Id,
    pub(super) id2color: *mut u8,
    pub(super) lastarch: Id,
    pub(super) vendormap: RawQueue,
    pub(super) vendorclasses: *mut *const c_char,
    pub(super) whatprovides: *mut Offset,
    pub(super) whatprovides_rel: *mut Offset,
    pub(super) whatprovidesdata: *mut Id,
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
pub(super) struct RawRepo {
    pub(super) _opaque: [u8; 0],
}
#[repr(C)]
pub(super) struct RawSolver {
    pub(super) _opaque: [u8; 0],
}
#[repr(C)]
pub(super) struct RawTransaction {
    pub(super) _opaque: [u8; 0],
}
#[repr(C)]
pub(super) struct CFile {
    _opaque: [u8; 0],
}

#[link(name = "solvext")]
unsafe extern "C" {
    pub(super) fn solv_xfopen(fn_: *const c_char, mode: *const c_char) -> *mut CFile;
    pub(super) fn repo_add_rpmmd(
        repo: *mut RawRepo,
        fp: *mut CFile,
        lang: *const c_char,
        flags: c_int,
    ) -> c_int;
    pub(super) fn pool_parserpmrichdep(pool: *mut RawPool, dep: *const c_char) -> Id;
}

#[link(name = "solv")]
unsafe extern "C" {
    pub(super) fn pool_create() -> *mut RawPool;
    pub(super) fn pool_free(pool: *mut RawPool);
    pub(super) fn pool_setdisttype(pool: *mut RawPool, disttype: c_int) -> c_int;
    pub(super) fn pool_setarch(pool: *mut RawPool, arch: *const c_char);
    pub(super) fn pool_errstr(pool: *mut RawPool) -> *const c_char;
    pub(super) fn pool_str2id(pool: *mut RawPool, s: *const c_char, create: c_int) -> Id;
    pub(super) fn pool_rel2id(
        pool: *mut RawPool,
        name: Id,
        evr: Id,
        flags: c_int,
        create: c_int,
    ) -> Id;
    pub(super) fn pool_id2str(pool: *const RawPool, id: Id) -> *const c_char;
    pub(super) fn pool_dep2str(pool: *mut RawPool, id: Id) -> *const c_char;
    pub(super) fn pool_addfileprovides(pool: *mut RawPool);
    pub(super) fn pool_createwhatprovides(pool: *mut RawPool);
    pub(super) fn pool_addrelproviders(pool: *mut RawPool, d: Id) -> Id;
    pub(super) fn repo_create(pool: *mut RawPool, name: *const c_char) -> *mut RawRepo;
    pub(super) fn solvable_lookup_deparray(
        s: *mut RawSolvable,
        key: Id,
        q: *mut RawQueue,
        marker: Id,
    ) -> c_int;
    pub(super) fn selection_make(
        pool: *mut RawPool,
        sel: *mut RawQueue,
        name: *const c_char,
        flags: c_int,
    ) -> c_int;
    pub(super) fn selection_solvables(pool: *mut RawPool, sel: *mut RawQueue, pkgs: *mut RawQueue);
    pub(super) fn queue_init(q: *mut RawQueue);
    pub(super) fn queue_free(q: *mut RawQueue);
    pub(super) fn queue_insertn(q: *mut RawQueue, pos: c_int, n: c_int, elements: *const Id);
    pub(super) fn solver_create(pool: *mut RawPool) -> *mut RawSolver;
    pub(super) fn solver_free(solv: *mut RawSolver);
    pub(super) fn solver_set_flag(solv: *mut RawSolver, flag: c_int, value: c_int) -> c_int;
    pub(super) fn solver_solve(solv: *mut RawSolver, job: *mut RawQueue) -> c_int;
    pub(super) fn solver_problem_count(solv: *mut RawSolver) -> c_uint;
    pub(super) fn solver_findallproblemrules(
        solv: *mut RawSolver,
        problem: Id,
        rules: *mut RawQueue,
    );
    pub(super) fn solver_ruleclass(solv: *mut RawSolver, rid: Id) -> c_int;
    pub(super) fn solver_ruleinfo(
        solv: *mut RawSolver,
        rid: Id,
        from: *mut Id,
        to: *mut Id,
        dep: *mut Id,
    ) -> c_int;
    pub(super) fn solver_problemruleinfo2str(
        solv: *mut RawSolver,
        kind: c_int,
        source: Id,
        target: Id,
        dep: Id,
    ) -> *const c_char;
    pub(super) fn solver_create_transaction(solv: *mut RawSolver) -> *mut RawTransaction;
    pub(super) fn transaction_installedresult(
        trans: *mut RawTransaction,
        q: *mut RawQueue,
    ) -> c_int;
    pub(super) fn transaction_free(trans: *mut RawTransaction);
}

unsafe extern "C" {
    pub(super) fn fclose(f: *mut CFile) -> c_int;
}

/// An owned libsolv queue (freed on drop).
pub(super) struct Queue(pub(super) RawQueue);

impl Queue {
    pub(super) fn new() -> Queue {
        let mut q = RawQueue {
            elements: std::ptr::null_mut(),
            count: 0,
            alloc: std::ptr::null_mut(),
            left: 0,
        };
        // SAFETY: queue_init only writes the four fields of the struct we own.
        unsafe { queue_init(&mut q) };
        Queue(q)
    }
    pub(super) fn from_slice(ids: &[Id]) -> Queue {
        let mut q = Queue::new();
        if !ids.is_empty() {
            // SAFETY: `ids` is a valid slice of `len` Ids; libsolv copies them.
            unsafe { queue_insertn(&mut q.0, 0, ids.len() as c_int, ids.as_ptr()) };
        }
        q
    }
    pub(super) fn as_slice(&self) -> &[Id] {
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
