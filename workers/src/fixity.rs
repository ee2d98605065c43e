//! SHA-256 fixity: the digest of every original, taken before anything else
//! reads it, and checked again while the master is copied into the bag.

use crate::{Error, Result};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

/// Read buffer: large enough that hashing runs at memory speed.
const CHUNK: usize = 1 << 20;

/// Opens `path` for reading only if it is a regular file. Opening a named
/// pipe blocks until something writes to it, and a device can be endless:
/// either would hang a batch or a verify. With `follow_links`, a link to a
/// regular file is followed (a batch may link its scans); without, a link
/// is refused too (a bag's payload must not point out of the bag).
pub fn open_regular(path: &Path, follow_links: bool) -> Result<File> {
    let meta = if follow_links {
        std::fs::metadata(path)
    } else {
        std::fs::symlink_metadata(path)
    }
    .map_err(Error::io(path))?;
    if let Some(what) = not_regular(meta.file_type()) {
        return Err(Error::NotRegular {
            path: path.to_path_buf(),
            what,
        });
    }
    File::open(path).map_err(Error::io(path))
}

/// What a file that is not a regular file is, in words ("a named pipe");
/// `None` for a regular file.
pub fn not_regular(t: std::fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    Some(if t.is_file() {
        return None;
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_fifo() {
        "a named pipe"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else if t.is_dir() {
        "a folder"
    } else {
        "not a file"
    })
}

/// The bytes of `path`, a regular file or a link to one ([`open_regular`]).
pub fn read_regular(path: &Path) -> Result<Vec<u8>> {
    read_open(open_regular(path, true)?, path)
}

/// The bytes of a file inside a bag: a link is refused, never followed
/// out of the bag ([`open_regular`]).
pub fn read_bag_file(path: &Path) -> Result<Vec<u8>> {
    read_open(open_regular(path, false)?, path)
}

fn read_open(mut file: File, path: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(Error::io(path))?;
    Ok(bytes)
}

/// Lower-case hex SHA-256 of a byte slice.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Lower-case hex SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> Result<String> {
    digest_file::<Sha256>(path)
}

/// Lower-case hex digest of a file with any RustCrypto hash, streamed.
pub fn digest_file<D: Digest>(path: &Path) -> Result<String> {
    digest_open::<D>(open_regular(path, true)?, path)
}

/// [`digest_file`] of a file inside a bag: a link is refused, never
/// followed out of the bag.
pub fn digest_bag_file<D: Digest>(path: &Path) -> Result<String> {
    digest_open::<D>(open_regular(path, false)?, path)
}

fn digest_open<D: Digest>(mut file: File, path: &Path) -> Result<String> {
    let mut hasher = D::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = file.read(&mut buf).map_err(Error::io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Copies `from` to `to`, hashing the bytes as they pass, and fails with
/// [`Error::FixityMismatch`] (removing the copy) when the digest differs from
/// `expected`, the digest taken at ingest. The copy is fsynced, so a bag that
/// is renamed into place after this holds the bytes on disk.
pub fn copy_verified(from: &Path, to: &Path, expected: &str) -> Result<u64> {
    let mut src = open_regular(from, true)?;
    let mut dst = File::create(to).map_err(Error::io(to))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = src.read(&mut buf).map_err(Error::io(from))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        dst.write_all(&buf[..n]).map_err(Error::io(to))?;
        total += n as u64;
    }
    dst.sync_all().map_err(Error::io(to))?;
    let actual = hex::encode(hasher.finalize());
    if actual != expected {
        drop(dst);
        let _ = std::fs::remove_file(to);
        return Err(Error::FixityMismatch {
            path: from.to_path_buf(),
            expected: expected.to_string(),
            actual,
        });
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digest() {
        // FIPS 180-2 test vector.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn copy_checks_digest() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::write(&a, b"abc").unwrap();
        let good = sha256_file(&a).unwrap();
        assert_eq!(good, sha256_hex(b"abc"));
        let b = dir.path().join("b");
        assert_eq!(copy_verified(&a, &b, &good).unwrap(), 3);
        assert_eq!(std::fs::read(&b).unwrap(), b"abc");

        let c = dir.path().join("c");
        let err = copy_verified(&a, &c, &sha256_hex(b"abd")).unwrap_err();
        assert!(matches!(err, Error::FixityMismatch { .. }), "{err}");
        assert!(err.to_string().contains("/a"), "{err}");
        assert!(!c.exists(), "a failed copy must not be left behind");
    }
}
