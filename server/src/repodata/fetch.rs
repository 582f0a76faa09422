//! Downloading a repository's metadata over HTTP(S): `repodata/repomd.xml` plus the
//! primary, filelists and comps files it names, each streamed to disk while its checksum
//! is computed and then compared with `repomd.xml`.
//!
//! Network and file IO only into the directory it is given; it never decides what is
//! "ready" (the cache does that) and never leaves files outside that directory.

use std::path::Path;
use std::time::Duration;

use tokio::io::AsyncWriteExt;

use super::checksum::{Checksum, Hasher};
use super::error::RepodataError;
use super::repomd::{Repomd, RepomdData};

/// What to download besides primary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchOptions {
    /// Also download filelists (needed for file dependencies outside primary's subset).
    pub filelists: bool,
    /// Also download comps.
    pub groups: bool,
}

impl Default for FetchOptions {
    fn default() -> FetchOptions {
        FetchOptions { filelists: true, groups: true }
    }
}

/// An HTTP(S) client for repository metadata.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    options: FetchOptions,
}

fn http_error(url: &str, err: &reqwest::Error) -> RepodataError {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    RepodataError::Http { url: url.to_owned(), status: err.status().map(|s| s.as_u16()), message }
}

/// `base` joined with a relative `href`.
pub fn join_url(base: &str, href: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), href.trim_start_matches('/'))
}

impl Fetcher {
    /// A fetcher with its own client (rustls; 30 s connect and 120 s read timeouts).
    pub fn new(options: FetchOptions) -> Result<Fetcher, RepodataError> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(30))
            .read_timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| http_error("(client)", &e))?;
        Ok(Fetcher { client, options })
    }

    /// A fetcher over an existing client.
    pub fn with_client(client: reqwest::Client, options: FetchOptions) -> Fetcher {
        Fetcher { client, options }
    }

    /// The options.
    pub fn options(&self) -> FetchOptions {
        self.options
    }

    /// Downloads the repository at `base_url` into `dest` (created if needed), keeping the
    /// layout of the hrefs, and verifies each file's checksum. On error `dest` may hold a
    /// partial download; the caller removes it.
    pub async fn download_repo(
        &self,
        base_url: &str,
        dest: &Path,
    ) -> Result<Repomd, RepodataError> {
        let repodata = dest.join("repodata");
        tokio::fs::create_dir_all(&repodata).await.map_err(|e| RepodataError::io(&repodata, e))?;
        let repomd_url = join_url(base_url, "repodata/repomd.xml");
        let repomd_path = repodata.join("repomd.xml");
        self.download_to(&repomd_url, &repomd_path, "repodata/repomd.xml", None).await?;
        let bytes =
            tokio::fs::read(&repomd_path).await.map_err(|e| RepodataError::io(&repomd_path, e))?;
        let repomd = Repomd::parse(&bytes[..], "repodata/repomd.xml")?;
        let mut wanted: Vec<&RepomdData> = vec![repomd.primary()?];
        if self.options.filelists {
            wanted.extend(repomd.filelists());
        }
        if self.options.groups {
            wanted.extend(repomd.group());
        }
        for data in wanted {
            let rel = data.relative_path()?;
            if rel == Path::new("repodata/repomd.xml") {
                return Err(RepodataError::malformed(
                    "repodata/repomd.xml",
                    0,
                    "an entry points at repomd.xml",
                ));
            }
            let path = dest.join(&rel);
            if let Some(parent) = path.parent() {
                tokio::fs::create_dir_all(parent)
                    .await
                    .map_err(|e| RepodataError::io(parent, e))?;
            }
            let url = join_url(base_url, &data.location_href);
            self.download_to(&url, &path, &data.location_href, data.checksum.as_ref()).await?;
        }
        Ok(repomd)
    }

    /// Streams `url` into `path`, hashing on the way; checks `checksum` if given.
    async fn download_to(
        &self,
        url: &str,
        path: &Path,
        label: &str,
        checksum: Option<&Checksum>,
    ) -> Result<(), RepodataError> {
        let mut hasher: Option<Hasher> = checksum.map(|c| c.hasher(label)).transpose()?;
        let mut response = self.client.get(url).send().await.map_err(|e| http_error(url, &e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(RepodataError::Http {
                url: url.to_owned(),
                status: Some(status.as_u16()),
                message: status.canonical_reason().unwrap_or("unsuccessful status").to_owned(),
            });
        }
        let mut file =
            tokio::fs::File::create(path).await.map_err(|e| RepodataError::io(path, e))?;
        while let Some(chunk) = response.chunk().await.map_err(|e| http_error(url, &e))? {
            if let Some(h) = &mut hasher {
                h.update(&chunk);
            }
            file.write_all(&chunk).await.map_err(|e| RepodataError::io(path, e))?;
        }
        file.flush().await.map_err(|e| RepodataError::io(path, e))?;
        file.sync_all().await.map_err(|e| RepodataError::io(path, e))?;
        if let (Some(expected), Some(h)) = (checksum, hasher) {
            expected.check(label, h)?;
        }
        Ok(())
    }
}
