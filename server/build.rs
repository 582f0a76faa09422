//! Build script: links the system libsolv (solver core) and libsolvext (rpm-md reader,
//! `solv_xfopen`, rich-dependency parser) through pkg-config for `crate::resolver::ffi`.
//! Must not compile or download anything.

fn main() {
    for lib in ["libsolvext", "libsolv"] {
        if let Err(e) = pkg_config::Config::new().atleast_version("0.7.20").probe(lib) {
            panic!("{lib} not found via pkg-config (install libsolv-dev libsolvext-dev): {e}");
        }
    }
}
