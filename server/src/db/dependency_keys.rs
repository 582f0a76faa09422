//! Encoding of `build.dependency_keys` (spec §1.4): a set of `dependency.id`s stored as a
//! zlib-compressed sequence of big-endian u32 deltas, byte-compatible with the original.
//!
//! Pure functions only: no database access. NULL handling (`Option`) belongs to the caller;
//! these functions never see NULL. Inputs that the original would have crashed on (ids ≤ 0,
//! duplicates) and corrupt blobs are typed errors, never panics.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::bufread::ZlibDecoder;
use flate2::write::ZlibEncoder;
use thiserror::Error;

/// Why a key list could not be encoded or a blob decoded.
#[derive(Debug, Error)]
pub enum DependencyKeysError {
    /// Dependency ids are positive serials; 0 or negatives cannot be delta-encoded.
    #[error("dependency id {0} is not positive")]
    NonPositiveId(i32),
    /// The same id twice would need a zero delta, which the format forbids.
    #[error("dependency id {0} occurs more than once")]
    DuplicateId(i32),
    /// The blob is not a valid zlib stream.
    #[error("dependency keys are not a valid zlib stream: {0}")]
    Decompress(#[source] std::io::Error),
    /// Bytes after the end of the zlib stream.
    #[error("{0} unexpected bytes after the zlib stream")]
    TrailingData(usize),
    /// The decompressed payload is not a whole number of 4-byte values.
    #[error("decompressed payload of {0} bytes is not a multiple of 4")]
    RaggedPayload(usize),
    /// A zero delta (duplicate) or a running sum beyond `i32::MAX`.
    #[error("corrupt delta sequence at position {0}")]
    BadDelta(usize),
    /// Writing into the in-memory compressor failed (not expected in practice).
    #[error("compression failed: {0}")]
    Compress(#[source] std::io::Error),
}

/// Encode dependency ids: sort ascending, delta-encode (first value as is), write each delta as
/// a 4-byte big-endian unsigned integer, zlib-compress at the default level. The input order
/// does not matter; an empty list gives the compressed empty payload.
pub fn encode(ids: &[i32]) -> Result<Vec<u8>, DependencyKeysError> {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    let mut payload = Vec::with_capacity(sorted.len() * 4);
    let mut previous: i32 = 0;
    for (i, &id) in sorted.iter().enumerate() {
        if id <= 0 {
            return Err(DependencyKeysError::NonPositiveId(id));
        }
        if i > 0 && id == previous {
            return Err(DependencyKeysError::DuplicateId(id));
        }
        // id > previous >= 0, so the delta is positive and fits u32.
        let delta =
            u32::try_from(id - previous).map_err(|_| DependencyKeysError::NonPositiveId(id))?;
        payload.extend_from_slice(&delta.to_be_bytes());
        previous = id;
    }
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(&payload).map_err(DependencyKeysError::Compress)?;
    encoder.finish().map_err(DependencyKeysError::Compress)
}

/// Decode a blob written by [`encode`] (or by the original Koschei): zlib-decompress, read
/// big-endian u32 deltas, prefix-sum. Returns the ids in ascending order.
pub fn decode(blob: &[u8]) -> Result<Vec<i32>, DependencyKeysError> {
    let mut decoder = ZlibDecoder::new(blob);
    let mut payload = Vec::new();
    decoder.read_to_end(&mut payload).map_err(DependencyKeysError::Decompress)?;
    let rest = decoder.into_inner();
    if !rest.is_empty() {
        return Err(DependencyKeysError::TrailingData(rest.len()));
    }
    if payload.len() % 4 != 0 {
        return Err(DependencyKeysError::RaggedPayload(payload.len()));
    }
    let mut ids = Vec::with_capacity(payload.len() / 4);
    let mut sum: i64 = 0;
    for (i, chunk) in payload.chunks_exact(4).enumerate() {
        let delta = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        if delta == 0 {
            return Err(DependencyKeysError::BadDelta(i));
        }
        sum += i64::from(delta);
        let id = i32::try_from(sum).map_err(|_| DependencyKeysError::BadDelta(i))?;
        ids.push(id);
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Payload for ids {1, 3, 10}: deltas 1, 2, 7 as big-endian u32.
    const SMALL_PAYLOAD: [u8; 12] = [0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 7];

    /// The original's encoding of {1, 3, 10}, i.e. CPython `zlib.compress(SMALL_PAYLOAD)`
    /// (default level 6): header 78 9C, one final fixed-Huffman block, then the big-endian
    /// Adler-32 of the payload (0x0026000B, recomputed by `adler32` below).
    const SMALL_ENCODED: [u8; 18] = [
        0x78, 0x9c, 0x63, 0x60, 0x60, 0x60, 0x64, 0x60, 0x60, 0x60, 0x02, 0x62, 0x76, 0x00, 0x00,
        0x26, 0x00, 0x0b,
    ];

    /// CPython `zlib.compress(b"")`.
    const EMPTY_ENCODED: [u8; 8] = [0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01];

    fn adler32(data: &[u8]) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for &byte in data {
            a = (a + u32::from(byte)) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    }

    fn inflate(blob: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        ZlibDecoder::new(blob).read_to_end(&mut out).expect("valid zlib");
        out
    }

    #[test]
    fn small_example_is_bit_exact() {
        // The fixture's trailer is the Adler-32 of the hand-written payload.
        assert_eq!(SMALL_ENCODED[14..], adler32(&SMALL_PAYLOAD).to_be_bytes());
        assert_eq!(inflate(&SMALL_ENCODED), SMALL_PAYLOAD);
        assert_eq!(encode(&[1, 3, 10]).expect("encode"), SMALL_ENCODED);
        assert_eq!(decode(&SMALL_ENCODED).expect("decode"), vec![1, 3, 10]);
    }

    #[test]
    fn unsorted_input_is_sorted_first() {
        assert_eq!(encode(&[10, 1, 3]).expect("encode"), SMALL_ENCODED);
        assert_eq!(inflate(&encode(&[300, 7, 70_000]).expect("encode")), {
            let mut p = Vec::new();
            for d in [7u32, 293, 69_700] {
                p.extend_from_slice(&d.to_be_bytes());
            }
            p
        });
    }

    #[test]
    fn empty_list() {
        let blob = encode(&[]).expect("encode");
        assert_eq!(blob, EMPTY_ENCODED);
        assert!(inflate(&blob).is_empty());
        assert_eq!(decode(&blob).expect("decode"), Vec::<i32>::new());
    }

    #[test]
    fn round_trip() {
        let cases: Vec<Vec<i32>> = vec![
            vec![1],
            vec![i32::MAX],
            vec![1, i32::MAX],
            (1..2000).map(|i| i * 7 + (i % 13)).collect(),
            vec![5, 4, 3, 2, 1],
        ];
        for ids in cases {
            let mut expected = ids.clone();
            expected.sort_unstable();
            let blob = encode(&ids).expect("encode");
            assert_eq!(decode(&blob).expect("decode"), expected);
        }
    }

    #[test]
    fn invalid_ids_are_rejected() {
        assert!(matches!(encode(&[0]), Err(DependencyKeysError::NonPositiveId(0))));
        assert!(matches!(encode(&[4, -2]), Err(DependencyKeysError::NonPositiveId(-2))));
        assert!(matches!(encode(&[4, 9, 4]), Err(DependencyKeysError::DuplicateId(4))));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(matches!(decode(b"not zlib at all"), Err(DependencyKeysError::Decompress(_))));
        assert!(matches!(decode(&[]), Err(DependencyKeysError::Decompress(_))));
        // Truncated stream.
        assert!(matches!(decode(&SMALL_ENCODED[..10]), Err(DependencyKeysError::Decompress(_))));
        // Trailing bytes after a valid stream.
        let mut trailing = SMALL_ENCODED.to_vec();
        trailing.extend_from_slice(b"xx");
        assert!(matches!(decode(&trailing), Err(DependencyKeysError::TrailingData(2))));
        // Valid zlib, payload not a multiple of 4.
        let mut enc = ZlibEncoder::new(Vec::new(), Compression::default());
        enc.write_all(&[0, 0, 1]).expect("write");
        let ragged = enc.finish().expect("finish");
        assert!(matches!(decode(&ragged), Err(DependencyKeysError::RaggedPayload(3))));
        // Zero delta and overflow past i32::MAX.
        for payload in [vec![0, 0, 0, 1, 0, 0, 0, 0], vec![0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1]] {
            let mut enc = ZlibEncoder::new(Vec::new(), Compression::default());
            enc.write_all(&payload).expect("write");
            let blob = enc.finish().expect("finish");
            assert!(matches!(decode(&blob), Err(DependencyKeysError::BadDelta(1))));
        }
    }
}
