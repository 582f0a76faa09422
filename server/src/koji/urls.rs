//! Koji's file and web URL layout (koji-api.md §6.2, `koji.PathInfo`): task output
//! directories and logs, build and RPM paths (the SRPM path Koschei passes to `build`),
//! repo directories, and kojiweb links.
//!
//! Pure string functions: no IO, no URL validation. Bases (`topurl`, `weburl`, the
//! `srpm_relative_path_root`) are used as given, minus trailing slashes.

/// `base` without trailing slashes.
fn trim(base: &str) -> &str {
    base.trim_end_matches('/')
}

/// A task's directory relative to `<topdir>/work`: `tasks/<id % 10000>/<id>`.
pub fn task_relpath(task_id: i64) -> String {
    format!("tasks/{}/{}", task_id.rem_euclid(10000), task_id)
}

/// A task's output directory: `{topurl}/work/tasks/<id % 10000>/<id>` (the original's
/// `results_url`).
pub fn task_output_url(topurl: &str, task_id: i64) -> String {
    format!("{}/work/{}", trim(topurl), task_relpath(task_id))
}

/// A file in a task's output directory, e.g. `build.log` or `root.log`.
pub fn task_log_url(topurl: &str, task_id: i64, file_name: &str) -> String {
    format!("{}/{}", task_output_url(topurl, task_id), file_name)
}

/// The directory of a volume: `{topdir}` for the default volume (`DEFAULT` or none),
/// `{topdir}/vol/{volume}` otherwise.
pub fn volume_dir(topdir: &str, volume_name: Option<&str>) -> String {
    match volume_name {
        None | Some("DEFAULT") | Some("") => trim(topdir).to_string(),
        Some(volume) => format!("{}/vol/{volume}", trim(topdir)),
    }
}

/// The name/version/release (and volume) of a build, as `PathInfo.build` needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildNvr<'a> {
    /// Package name.
    pub name: &'a str,
    /// Version.
    pub version: &'a str,
    /// Release.
    pub release: &'a str,
    /// Volume name (`None`/`DEFAULT` = main volume).
    pub volume_name: Option<&'a str>,
}

/// A build's directory: `{volume dir}/packages/{name}/{version}/{release}`.
pub fn build_dir(topdir: &str, build: &BuildNvr<'_>) -> String {
    format!(
        "{}/packages/{}/{}/{}",
        volume_dir(topdir, build.volume_name),
        build.name,
        build.version,
        build.release
    )
}

/// An RPM's path inside its build directory: `{arch}/{name}-{version}-{release}.{arch}.rpm`.
pub fn rpm_relpath(name: &str, version: &str, release: &str, arch: &str) -> String {
    format!("{arch}/{name}-{version}-{release}.{arch}.rpm")
}

/// The path of a build's SRPM under `root`: with the config's `srpm_relative_path_root`
/// (default `..`) this is the `src` argument Koschei passes to `build`, relative to
/// `<topdir>/work` (`../packages/rnv/1.7.11/15.fc28/src/rnv-1.7.11-15.fc28.src.rpm`); with
/// `topurl` it is the SRPM's download URL. `srpm_name` etc. come from `listRPMs`.
pub fn srpm_path(
    root: &str,
    build: &BuildNvr<'_>,
    srpm_name: &str,
    srpm_version: &str,
    srpm_release: &str,
) -> String {
    format!(
        "{}/{}",
        build_dir(root, build),
        rpm_relpath(srpm_name, srpm_version, srpm_release, "src")
    )
}

/// A repo's directory: `{topurl}/repos/{tag}/{repo_id}`.
pub fn repo_dir_url(topurl: &str, tag_name: &str, repo_id: i64) -> String {
    format!("{}/repos/{tag_name}/{repo_id}", trim(topurl))
}

/// A repo's arch directory (what is downloaded for resolution; holds `repodata/`):
/// `{topurl}/repos/{tag}/{repo_id}/{arch}`.
pub fn repo_arch_url(topurl: &str, tag_name: &str, repo_id: i64, arch: &str) -> String {
    format!("{}/{arch}", repo_dir_url(topurl, tag_name, repo_id))
}

/// Kojiweb task page: `{weburl}/taskinfo?taskID={id}`.
pub fn taskinfo_url(weburl: &str, task_id: i64) -> String {
    format!("{}/taskinfo?taskID={task_id}", trim(weburl))
}

/// Kojiweb build page: `{weburl}/buildinfo?buildID={id}`.
pub fn buildinfo_url(weburl: &str, build_id: i64) -> String {
    format!("{}/buildinfo?buildID={build_id}", trim(weburl))
}

/// Kojiweb package page: `{weburl}/packageinfo?packageID={id or name}` (kojiweb accepts
/// either; names are query-escaped).
pub fn packageinfo_url(weburl: &str, package: &str) -> String {
    let escaped: String = url::form_urlencoded::byte_serialize(package.as_bytes()).collect();
    format!("{}/packageinfo?packageID={escaped}", trim(weburl))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOP: &str = "https://primary-koji.test";
    const WEB: &str = "https://primary-koji.test/koji";

    #[test]
    fn task_urls_use_the_modulo_10000_layout() {
        assert_eq!(task_relpath(14), "tasks/14/14");
        assert_eq!(task_relpath(25560834), "tasks/834/25560834");
        assert_eq!(task_relpath(41110000), "tasks/0/41110000");
        assert_eq!(
            task_output_url(TOP, 9107739),
            "https://primary-koji.test/work/tasks/7739/9107739"
        );
        assert_eq!(
            task_log_url("https://kojipkgs.example/", 25560834, "build.log"),
            "https://kojipkgs.example/work/tasks/834/25560834/build.log"
        );
    }

    #[test]
    fn srpm_path_matches_the_recorded_build_argument() {
        // koschei-tests.md §3.3: build args[0] of BackendTest/test_submit_build.
        let b = BuildNvr {
            name: "rnv",
            version: "1.7.11",
            release: "15.fc28",
            volume_name: Some("DEFAULT"),
        };
        assert_eq!(
            srpm_path("..", &b, "rnv", "1.7.11", "15.fc28"),
            "../packages/rnv/1.7.11/15.fc28/src/rnv-1.7.11-15.fc28.src.rpm"
        );
        let m = BuildNvr { name: "maven", version: "3.5.3", release: "2.fc29", volume_name: None };
        assert_eq!(
            srpm_path("..", &m, "maven", "3.5.3", "2.fc29"),
            "../packages/maven/3.5.3/2.fc29/src/maven-3.5.3-2.fc29.src.rpm"
        );
        assert_eq!(
            srpm_path(TOP, &m, "maven", "3.5.3", "2.fc29"),
            "https://primary-koji.test/packages/maven/3.5.3/2.fc29/src/maven-3.5.3-2.fc29.src.rpm"
        );
        let v = BuildNvr { volume_name: Some("archive"), ..m };
        assert_eq!(
            build_dir(TOP, &v),
            "https://primary-koji.test/vol/archive/packages/maven/3.5.3/2.fc29"
        );
        assert_eq!(
            rpm_relpath("foo", "1.1", "1.fc99", "x86_64"),
            "x86_64/foo-1.1-1.fc99.x86_64.rpm"
        );
    }

    #[test]
    fn repo_urls() {
        assert_eq!(
            repo_dir_url(TOP, "f25-build", 123),
            "https://primary-koji.test/repos/f25-build/123"
        );
        assert_eq!(
            repo_arch_url("https://secondary-koji.test/", "f29-build", 888027, "x86_64"),
            "https://secondary-koji.test/repos/f29-build/888027/x86_64"
        );
    }

    #[test]
    fn kojiweb_links() {
        assert_eq!(taskinfo_url(WEB, 1337), "https://primary-koji.test/koji/taskinfo?taskID=1337");
        assert_eq!(
            buildinfo_url(WEB, 548392),
            "https://primary-koji.test/koji/buildinfo?buildID=548392"
        );
        assert_eq!(
            packageinfo_url(WEB, "rnv"),
            "https://primary-koji.test/koji/packageinfo?packageID=rnv"
        );
        assert_eq!(
            packageinfo_url(WEB, "a+b c"),
            "https://primary-koji.test/koji/packageinfo?packageID=a%2Bb+c"
        );
    }
}
