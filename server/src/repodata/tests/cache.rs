//! RepoCache tests against a local axum server on 127.0.0.1:0 that serves fixture
//! repositories, counts requests and can be told to fail mid-download.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{COMPS, FILELISTS, Meta, PRIMARY, write_repo};
use crate::repodata::cache::RepoCache;
use crate::repodata::compress::Compression;
use crate::repodata::error::RepodataError;
use crate::repodata::repo::LoadOptions;

const NORMAL: u8 = 0;
const DIE_MID_BODY: u8 = 1;

struct Srv {
    root: PathBuf,
    hits: Mutex<HashMap<String, usize>>,
    mode: AtomicU8,
}

async fn serve(State(s): State<Arc<Srv>>, Path(path): Path<String>) -> Response {
    *s.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
    if path.ends_with("repomd.xml") {
        // Widen the window in which concurrent callers overlap.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let Ok(data) = std::fs::read(s.root.join(&path)) else {
        return Response::builder().status(StatusCode::NOT_FOUND).body(Body::empty()).unwrap();
    };
    if s.mode.load(Ordering::SeqCst) == DIE_MID_BODY && path.contains("primary") {
        let half = Bytes::copy_from_slice(&data[..data.len() / 2]);
        let chunks: Vec<Result<Bytes, std::io::Error>> =
            vec![Ok(half), Err(std::io::Error::other("server died"))];
        return Response::builder()
            .header("content-length", data.len())
            .body(Body::from_stream(futures::stream::iter(chunks)))
            .unwrap();
    }
    Response::new(Body::from(data))
}

struct Fixture {
    srv: Arc<Srv>,
    base: String,
    _root: tempfile::TempDir,
}

impl Fixture {
    async fn start() -> Fixture {
        let root = tempfile::tempdir().unwrap();
        let files = |primary: &'static [u8]| {
            [
                Meta {
                    kind: "primary",
                    base_name: "primary.xml",
                    xml: primary,
                    how: Compression::Gzip,
                },
                Meta {
                    kind: "filelists",
                    base_name: "filelists.xml",
                    xml: FILELISTS.as_bytes(),
                    how: Compression::Zstd,
                },
                Meta {
                    kind: "group_gz",
                    base_name: "comps.xml",
                    xml: COMPS.as_bytes(),
                    how: Compression::Gzip,
                },
            ]
        };
        write_repo(&root.path().join("good"), &files(PRIMARY.as_bytes()));
        write_repo(
            &root.path().join("malformed"),
            &files(b"<metadata><package><name>x</nam></package></metadata>"),
        );
        write_repo(&root.path().join("badsum"), &files(PRIMARY.as_bytes()));
        let badsum = root.path().join("badsum/repodata");
        for entry in std::fs::read_dir(&badsum).unwrap() {
            let path = entry.unwrap().path();
            if path.to_string_lossy().contains("primary") {
                let mut data = std::fs::read(&path).unwrap();
                let n = data.len();
                data[n - 1] ^= 1;
                std::fs::write(&path, data).unwrap();
            }
        }
        let srv = Arc::new(Srv {
            root: root.path().to_path_buf(),
            hits: Mutex::default(),
            mode: AtomicU8::new(NORMAL),
        });
        let app = axum::Router::new()
            .route("/{*path}", axum::routing::get(serve))
            .with_state(srv.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Fixture { srv, base, _root: root }
    }

    fn url(&self, repo: &str) -> String {
        format!("{}/{repo}/", self.base)
    }

    fn hits(&self, suffix: &str) -> usize {
        self.srv
            .hits
            .lock()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.ends_with(suffix))
            .map(|(_, v)| v)
            .sum()
    }
}

fn leftovers(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_get_or_fetch_downloads_once() {
    let fx = Fixture::start().await;
    let dir = tempfile::tempdir().unwrap();
    let cache = RepoCache::new(dir.path(), 10).unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (cache, url) = (cache.clone(), fx.url("good"));
            tokio::spawn(async move { cache.get_or_fetch("primary-f40-build-1", &url).await })
        })
        .collect();
    for t in tasks {
        let repo = t.await.unwrap().unwrap();
        assert_eq!(repo.dir(), dir.path().join("primary-f40-build-1"));
    }
    assert_eq!(fx.hits("repomd.xml"), 1);
    assert_eq!(fx.hits("primary.xml.gz"), 1);
    assert_eq!(fx.hits("filelists.xml.zst"), 1);
    assert_eq!(fx.hits("comps.xml.gz"), 1);
    let repo = cache.get_or_fetch("primary-f40-build-1", &fx.url("good")).await.unwrap();
    let data = repo.load(&LoadOptions::default()).unwrap();
    assert_eq!((data.packages.len(), data.groups.len()), (3, 2));
    assert_eq!(fx.hits("repomd.xml"), 1);
    assert_eq!(cache.ready_keys(), ["primary-f40-build-1"]);
}

#[tokio::test]
async fn eviction_by_count_least_recently_used() {
    let fx = Fixture::start().await;
    let dir = tempfile::tempdir().unwrap();
    let cache = RepoCache::new(dir.path(), 2).unwrap();
    let url = fx.url("good");
    drop(cache.get_or_fetch("a", &url).await.unwrap());
    drop(cache.get_or_fetch("b", &url).await.unwrap());
    drop(cache.get_or_fetch("a", &url).await.unwrap()); // a is now more recent than b
    drop(cache.get_or_fetch("c", &url).await.unwrap());
    assert_eq!(cache.ready_keys(), ["a", "c"]);
    assert!(!dir.path().join("b").exists());
    assert!(dir.path().join("a/repodata/repomd.xml").exists());
    assert_eq!(fx.hits("repomd.xml"), 3);
    assert!(leftovers(dir.path()).is_empty());
}

#[tokio::test]
async fn entries_in_use_are_never_evicted() {
    let fx = Fixture::start().await;
    let dir = tempfile::tempdir().unwrap();
    let cache = RepoCache::new(dir.path(), 1).unwrap();
    let url = fx.url("good");
    let held = cache.get_or_fetch("a", &url).await.unwrap();
    let err = cache.get_or_fetch("b", &url).await.unwrap_err();
    assert!(matches!(err, RepodataError::CacheExhausted { capacity: 1 }), "{err:?}");
    // The held handle stays usable.
    assert_eq!(held.load(&LoadOptions::default()).unwrap().packages.len(), 3);
    let clone = held.clone();
    drop(held);
    assert!(cache.get_or_fetch("b", &url).await.is_err(), "a clone still holds a");
    drop(clone);
    cache.get_or_fetch("b", &url).await.unwrap();
    assert_eq!(cache.ready_keys(), ["b"]);
    assert!(!dir.path().join("a").exists());
}

#[tokio::test]
async fn server_dying_mid_download_leaves_nothing_ready_and_next_call_retries() {
    let fx = Fixture::start().await;
    let dir = tempfile::tempdir().unwrap();
    let cache = RepoCache::new(dir.path(), 5).unwrap();
    fx.srv.mode.store(DIE_MID_BODY, Ordering::SeqCst);
    let err = cache.get_or_fetch("r", &fx.url("good")).await.unwrap_err();
    assert!(matches!(err, RepodataError::Http { status: None, .. }), "{err:?}");
    assert!(cache.ready_keys().is_empty());
    assert!(!dir.path().join("r").exists());
    assert!(leftovers(dir.path()).is_empty(), "{:?}", leftovers(dir.path()));
    fx.srv.mode.store(NORMAL, Ordering::SeqCst);
    cache.get_or_fetch("r", &fx.url("good")).await.unwrap();
    assert_eq!(cache.ready_keys(), ["r"]);
    assert_eq!(fx.hits("repomd.xml"), 2);
}

#[tokio::test]
async fn bad_metadata_is_never_ready() {
    let fx = Fixture::start().await;
    let dir = tempfile::tempdir().unwrap();
    let cache = RepoCache::new(dir.path(), 5).unwrap();
    let err = cache.get_or_fetch("s", &fx.url("badsum")).await.unwrap_err();
    assert!(
        matches!(&err, RepodataError::ChecksumMismatch { file, .. } if file.contains("primary")),
        "{err:?}"
    );
    let err = cache.get_or_fetch("m", &fx.url("malformed")).await.unwrap_err();
    assert!(matches!(err, RepodataError::Malformed { .. }), "{err:?}");
    let err = cache.get_or_fetch("n", &fx.url("nonexistent")).await.unwrap_err();
    assert!(
        matches!(&err, RepodataError::Http { status: Some(404), url, .. } if url.ends_with("repomd.xml")),
        "{err:?}"
    );
    assert!(cache.ready_keys().is_empty());
    assert!(leftovers(dir.path()).is_empty());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // A failed key is fetched again on the next call.
    let _ = cache.get_or_fetch("m", &fx.url("malformed")).await.unwrap_err();
    assert_eq!(fx.hits("malformed/repodata/repomd.xml"), 2);
}

#[tokio::test]
async fn restart_adopts_ready_entries_and_removes_partial_ones() {
    let fx = Fixture::start().await;
    let dir = tempfile::tempdir().unwrap();
    {
        let cache = RepoCache::new(dir.path(), 5).unwrap();
        cache.get_or_fetch("a", &fx.url("good")).await.unwrap();
    }
    std::fs::create_dir_all(dir.path().join(".tmp-b-1-0/repodata")).unwrap();
    std::fs::create_dir_all(dir.path().join("c/repodata")).unwrap(); // no repomd.xml: not ready
    let cache = RepoCache::new(dir.path(), 5).unwrap();
    assert_eq!(cache.ready_keys(), ["a"]);
    assert!(leftovers(dir.path()).is_empty());
    cache.get_or_fetch("a", &fx.url("good")).await.unwrap();
    assert_eq!(fx.hits("repomd.xml"), 1);
}

#[tokio::test]
async fn local_directory_bypasses_cache_and_keys_are_checked() {
    let fx = Fixture::start().await;
    let dir = tempfile::tempdir().unwrap();
    let cache = RepoCache::new(dir.path(), 5).unwrap();
    let local = super::shared("conformance/koschei/test/repos/primary-f25-build-123");
    let repo = cache.get_or_fetch("ignored", local.to_str().unwrap()).await.unwrap();
    assert_eq!(repo.load(&LoadOptions::default()).unwrap().packages.len(), 15);
    assert!(cache.ready_keys().is_empty());
    for key in ["", "../x", ".tmp-a", "a/b"] {
        let err = cache.get_or_fetch(key, &fx.url("good")).await.unwrap_err();
        assert!(matches!(err, RepodataError::InvalidKey { .. }), "{key:?}: {err:?}");
    }
    assert_eq!(fx.hits("repomd.xml"), 0);
}
