//! The checksum algorithms a manifest may be written in, and hashing a file
//! in several of them in one read.

use crate::fixity::open_regular;
use crate::{Error, Result};
use digest::DynDigest;
use std::io::Read;
use std::path::Path;

/// A bag checksum algorithm (RFC 8493 §2.4). The names are those of the
/// manifest files: the common name lower-cased with its other characters
/// removed, and the spellings bagit-python writes (`sha3_256`), which are
/// Python's `hashlib` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sha3_224,
    Sha3_256,
    Sha3_384,
    Sha3_512,
    /// BLAKE2b with its full 64-byte digest, as `hashlib.blake2b()`.
    Blake2b,
    /// BLAKE2s with its full 32-byte digest, as `hashlib.blake2s()`.
    Blake2s,
}

impl Algorithm {
    pub const ALL: [Algorithm; 12] = [
        Algorithm::Md5,
        Algorithm::Sha1,
        Algorithm::Sha224,
        Algorithm::Sha256,
        Algorithm::Sha384,
        Algorithm::Sha512,
        Algorithm::Sha3_224,
        Algorithm::Sha3_256,
        Algorithm::Sha3_384,
        Algorithm::Sha3_512,
        Algorithm::Blake2b,
        Algorithm::Blake2s,
    ];

    /// The name in a manifest's file name, as diachi and bagit-python write it.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "md5",
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha224 => "sha224",
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha384 => "sha384",
            Algorithm::Sha512 => "sha512",
            Algorithm::Sha3_224 => "sha3_224",
            Algorithm::Sha3_256 => "sha3_256",
            Algorithm::Sha3_384 => "sha3_384",
            Algorithm::Sha3_512 => "sha3_512",
            Algorithm::Blake2b => "blake2b",
            Algorithm::Blake2s => "blake2s",
        }
    }

    /// The algorithm a manifest name stands for: its own name, or the
    /// RFC 8493 §2.4 normalisation of it (`sha3256` for `sha3_256`).
    pub fn from_name(name: &str) -> Option<Algorithm> {
        let folded: String = name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        Algorithm::ALL
            .into_iter()
            .find(|a| a.name() == name || a.name().replace('_', "") == folded)
    }

    /// Length of the hex digest.
    pub fn hex_len(self) -> usize {
        2 * match self {
            Algorithm::Md5 => 16,
            Algorithm::Sha1 => 20,
            Algorithm::Sha224 | Algorithm::Sha3_224 => 28,
            Algorithm::Sha256 | Algorithm::Sha3_256 | Algorithm::Blake2s => 32,
            Algorithm::Sha384 | Algorithm::Sha3_384 => 48,
            Algorithm::Sha512 | Algorithm::Sha3_512 | Algorithm::Blake2b => 64,
        }
    }

    fn hasher(self) -> Box<dyn DynDigest + Send> {
        match self {
            Algorithm::Md5 => Box::new(md5::Md5::default()),
            Algorithm::Sha1 => Box::new(sha1::Sha1::default()),
            Algorithm::Sha224 => Box::new(sha2::Sha224::default()),
            Algorithm::Sha256 => Box::new(sha2::Sha256::default()),
            Algorithm::Sha384 => Box::new(sha2::Sha384::default()),
            Algorithm::Sha512 => Box::new(sha2::Sha512::default()),
            Algorithm::Sha3_224 => Box::new(sha3::Sha3_224::default()),
            Algorithm::Sha3_256 => Box::new(sha3::Sha3_256::default()),
            Algorithm::Sha3_384 => Box::new(sha3::Sha3_384::default()),
            Algorithm::Sha3_512 => Box::new(sha3::Sha3_512::default()),
            Algorithm::Blake2b => Box::new(blake2::Blake2b512::default()),
            Algorithm::Blake2s => Box::new(blake2::Blake2s256::default()),
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Read buffer: large enough that hashing runs at memory speed.
const CHUNK: usize = 1 << 20;

/// The lower-case hex digests of a file inside a bag, in every one of
/// `algorithms`, from one read of it. A link or a special file is refused,
/// never opened ([`open_regular`]).
pub fn digest_file(path: &Path, algorithms: &[Algorithm]) -> Result<Vec<String>> {
    let mut file = open_regular(path, false)?;
    let mut hashers: Vec<_> = algorithms.iter().map(|a| a.hasher()).collect();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = file.read(&mut buf).map_err(Error::io(path))?;
        if n == 0 {
            break;
        }
        for h in &mut hashers {
            h.update(&buf[..n]);
        }
    }
    Ok(hashers
        .into_iter()
        .map(|h| hex::encode(h.finalize()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digests of "abc" from the algorithms' own test vectors
    /// (RFC 1321, FIPS 180-4, FIPS 202, RFC 7693).
    #[test]
    fn known_digests_of_abc() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abc");
        std::fs::write(&path, b"abc").unwrap();
        let got = digest_file(&path, &Algorithm::ALL).unwrap();
        let want = [
            "900150983cd24fb0d6963f7d28e17f72",
            "a9993e364706816aba3e25717850c26c9cd0d89d",
            "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf",
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
            "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25",
            "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0",
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
            "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982",
        ];
        for ((a, got), want) in Algorithm::ALL.iter().zip(&got).zip(want) {
            assert_eq!(got, want, "{a}");
            assert_eq!(got.len(), a.hex_len(), "{a}");
        }
    }

    #[test]
    fn names_round_trip_and_normalise() {
        for a in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(a.name()), Some(a));
        }
        assert_eq!(Algorithm::from_name("sha3256"), Some(Algorithm::Sha3_256));
        assert_eq!(Algorithm::from_name("SHA-256"), Some(Algorithm::Sha256));
        assert_eq!(Algorithm::from_name("crc32"), None);
    }
}
