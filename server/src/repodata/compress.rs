//! Transparent decompression of metadata files: plain, gzip (`.gz`), xz (`.xz`) and
//! zstd (`.zst`), chosen by magic bytes (the file name's extension is only a fallback
//! check), exposed as a streaming `Read`.
//!
//! Decoder errors are tagged so that the parsers can report them as
//! [`RepodataError::Decompress`]/[`RepodataError::Truncated`] rather than plain IO errors.
//! No checksum or XML knowledge lives here.

use std::fmt;
use std::io::{self, BufRead, Read};
use std::path::Path;

use super::error::RepodataError;

/// A compression format of a metadata file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Uncompressed XML.
    None,
    /// gzip (possibly several members).
    Gzip,
    /// xz (possibly several streams).
    Xz,
    /// zstd (possibly several frames).
    Zstd,
}

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const XZ_MAGIC: &[u8] = &[0xfd, b'7', b'z', b'X', b'Z', 0x00];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];
const BZIP2_MAGIC: &[u8] = b"BZh";

impl Compression {
    /// The format a file name's extension names (`.gz`, `.xz`, `.zst`/`.zstd`), else `None`.
    pub fn from_extension(path: &str) -> Compression {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".gz") {
            Compression::Gzip
        } else if lower.ends_with(".xz") {
            Compression::Xz
        } else if lower.ends_with(".zst") || lower.ends_with(".zstd") {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    /// The format whose magic number starts `head`, if any.
    pub fn from_magic(head: &[u8]) -> Option<Compression> {
        if head.starts_with(GZIP_MAGIC) {
            Some(Compression::Gzip)
        } else if head.starts_with(XZ_MAGIC) {
            Some(Compression::Xz)
        } else if head.starts_with(ZSTD_MAGIC) {
            Some(Compression::Zstd)
        } else {
            None
        }
    }
}

/// Marker payload of `io::Error`s produced by a decoder (see [`classify_io`]).
#[derive(Debug)]
pub struct DecompressFailure(pub String);

impl fmt::Display for DecompressFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecompressFailure {}

/// Turns an IO error met while reading a (possibly decompressed) metadata stream into the
/// right [`RepodataError`]: decoder failures become `Decompress`, or `Truncated` when the
/// compressed stream ended early; anything else is `Io`.
pub fn classify_io(file: &str, err: &io::Error) -> RepodataError {
    if let Some(inner) = err.get_ref().and_then(|e| e.downcast_ref::<DecompressFailure>()) {
        if err.kind() == io::ErrorKind::UnexpectedEof {
            return RepodataError::truncated(
                file,
                format!("compressed stream ends early ({inner})"),
            );
        }
        return RepodataError::Decompress { file: file.to_owned(), message: inner.0.clone() };
    }
    if err.kind() == io::ErrorKind::UnexpectedEof {
        return RepodataError::truncated(file, err.to_string());
    }
    RepodataError::Io { path: file.to_owned(), source: io::Error::new(err.kind(), err.to_string()) }
}

/// A decoder whose errors are tagged as [`DecompressFailure`].
struct Tagged<R>(R);

impl<R: Read> Read for Tagged<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            if e.get_ref().is_some_and(|i| i.is::<DecompressFailure>()) {
                return e;
            }
            let kind = match e.kind() {
                io::ErrorKind::UnexpectedEof => io::ErrorKind::UnexpectedEof,
                io::ErrorKind::Interrupted => return e,
                _ => io::ErrorKind::InvalidData,
            };
            io::Error::new(kind, DecompressFailure(e.to_string()))
        })
    }
}

/// Wraps `inner` in the decoder its magic bytes call for. `file` names the stream in
/// errors; its extension is used only to reject a `.gz`/`.xz`/`.zst` file whose content
/// is not in that format. bzip2 is recognised and rejected as unsupported.
pub fn decompress<R>(
    mut inner: R,
    file: &str,
) -> Result<(Box<dyn Read + Send>, Compression), RepodataError>
where
    R: BufRead + Send + 'static,
{
    let head = inner.fill_buf().map_err(|e| classify_io(file, &e))?;
    let by_ext = Compression::from_extension(file);
    let kind = match Compression::from_magic(head) {
        Some(kind) => kind,
        None if head.starts_with(BZIP2_MAGIC) => {
            return Err(RepodataError::Decompress {
                file: file.to_owned(),
                message: "bzip2 metadata is not supported".to_owned(),
            });
        }
        None if by_ext != Compression::None && !head.is_empty() => {
            return Err(RepodataError::Decompress {
                file: file.to_owned(),
                message: format!("content is not {by_ext:?} data"),
            });
        }
        None if by_ext != Compression::None => {
            return Err(RepodataError::truncated(file, "empty compressed file"));
        }
        None => Compression::None,
    };
    let reader: Box<dyn Read + Send> = match kind {
        Compression::None => Box::new(inner),
        Compression::Gzip => Box::new(Tagged(flate2::bufread::MultiGzDecoder::new(inner))),
        Compression::Xz => Box::new(Tagged(liblzma::bufread::XzDecoder::new_multi_decoder(inner))),
        Compression::Zstd => {
            let dec = zstd::stream::read::Decoder::with_buffer(inner).map_err(|e| {
                RepodataError::Decompress { file: file.to_owned(), message: e.to_string() }
            })?;
            Box::new(Tagged(dec))
        }
    };
    Ok((reader, kind))
}

/// Opens a metadata file and returns its decompressed content as a stream.
pub fn open_file(path: &Path) -> Result<(Box<dyn Read + Send>, Compression), RepodataError> {
    let f = std::fs::File::open(path).map_err(|e| RepodataError::io(path, e))?;
    let label = path.display().to_string();
    decompress(io::BufReader::with_capacity(128 * 1024, f), &label)
}
