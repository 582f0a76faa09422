//! Parse throughput and memory of the bookworm binary primary.xml (decompressed in memory).
//! Run: `cargo bench -p koschei --bench primary_parse [-- PATH_TO_primary.xml.zst]`.
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use koschei::repodata::{compress, primary};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let n = LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
        PEAK.fetch_max(n, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        if new > l.size() {
            let n = LIVE.fetch_add(new - l.size(), Ordering::Relaxed) + new - l.size();
            PEAK.fetch_max(n, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(l.size() - new, Ordering::Relaxed);
        }
        unsafe { System.realloc(p, l, new) }
    }
}
#[global_allocator]
static A: Counting = Counting;

/// Nanoseconds this thread has spent on a CPU (Linux schedstat), so that the figure is not
/// distorted by other processes competing for the 2 cores.
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    let path = std::env::args().skip(1).find(|a| !a.starts_with("--")).unwrap_or_else(|| {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/bench/debian-rpmmd/bookworm/binary/repodata"
        );
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with("-primary.xml.zst"))
            .unwrap()
            .display()
            .to_string()
    });
    let t = Instant::now();
    let (mut r, _) = compress::open_file(std::path::Path::new(&path)).unwrap();
    let mut xml = Vec::new();
    std::io::Read::read_to_end(&mut r, &mut xml).unwrap();
    let mb = xml.len() as f64 / 1e6;
    println!("decompressed {mb:.1} MB in {:.3} s", t.elapsed().as_secs_f64());

    // streaming (callback, nothing kept)
    let mut best_stream = f64::MAX;
    let mut best_stream_cpu = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let c = cpu_ns();
        let n = primary::parse_primary(&xml[..], "primary.xml", drop).unwrap();
        let s = t.elapsed().as_secs_f64();
        best_stream_cpu = best_stream_cpu.min((cpu_ns() - c) as f64 / 1e9);
        best_stream = best_stream.min(s);
        assert_eq!(n, 63_436);
    }
    // full load into Vec
    let mut best_load = f64::MAX;
    let mut best_load_cpu = f64::MAX;
    let mut live = 0;
    for _ in 0..3 {
        let before = LIVE.load(Ordering::Relaxed);
        let t = Instant::now();
        let c = cpu_ns();
        let pkgs = primary::read_primary(&xml[..], "primary.xml").unwrap();
        let s = t.elapsed().as_secs_f64();
        best_load_cpu = best_load_cpu.min((cpu_ns() - c) as f64 / 1e9);
        best_load = best_load.min(s);
        live = LIVE.load(Ordering::Relaxed) - before;
        let deps: usize = pkgs
            .iter()
            .map(|p| {
                p.provides.len()
                    + p.requires.len()
                    + p.conflicts.len()
                    + p.recommends.len()
                    + p.suggests.len()
                    + p.enhances.len()
            })
            .sum();
        if best_load == s {
            println!("{} packages, {deps} capabilities", pkgs.len());
        }
    }
    println!(
        "stream (parse, drop each package): best {best_stream:.3} s wall = {:.0} MB/s; {best_stream_cpu:.3} s CPU = {:.0} MB/s per CPU-second",
        mb / best_stream,
        mb / best_stream_cpu
    );
    println!(
        "load into Vec<RepoPackage>:        best {best_load:.3} s wall = {:.0} MB/s; {best_load_cpu:.3} s CPU = {:.0} MB/s per CPU-second",
        mb / best_load,
        mb / best_load_cpu
    );
    println!("heap held by Vec<RepoPackage>: {:.1} MiB", live as f64 / 1048576.0);
}
