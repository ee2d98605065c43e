//! The verdict on a bag: what was found wrong or worth a word, by path
//! and kind, and how much was checked.

use super::algorithm::Algorithm;
use super::tagfile::Version;

/// How much of a bag to check, as bagit-python's options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Everything: tag files, completeness, and every checksum. The default.
    #[default]
    Full,
    /// The tag files and the Payload-Oxum (byte and file counts) only:
    /// bagit-python's `--fast`. A bag without a Payload-Oxum fails it.
    Fast,
    /// Everything but the checksums: every listed file present, none
    /// unlisted (bagit-python's `--completeness-only`).
    CompletenessOnly,
}

/// What is wrong, or worth a word, about one path of a bag.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// Relative to the bag's base folder: a payload file, a tag file, or
    /// the path a manifest line gives.
    pub path: String,
    pub kind: Kind,
}

/// The kinds of finding. [`Kind::code`] names each for scripts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Listed in a manifest, absent from the bag. `hint` names a file that
    /// differs only in letter case (a bag made on a case-blind disk).
    Missing { hint: Option<String> },
    /// Listed in a manifest and in fetch.txt, not fetched yet: the bag is
    /// incomplete (RFC 8493 §2.2.3, §3).
    Unfetched { url: String },
    /// Present, but its checksum differs from the manifest's.
    Changed { algorithm: Algorithm },
    /// In the payload but in no payload manifest.
    Unexpected,
    /// In the payload and some manifests, but not this one: every payload
    /// manifest must list every payload file (RFC 8493 §2.1.3).
    NotInManifest { manifest: String },
    /// A link or a special file: never followed nor opened.
    Unsafe(&'static str),
    /// A manifest or fetch.txt names a path outside the bag, or outside
    /// where it may point.
    OutsideBag { listed_in: String, why: String },
    /// A manifest lists the path twice (after Unicode normalisation).
    ListedTwice { manifest: String, conflicting: bool },
    /// A tag file that breaks RFC 8493, with why.
    Malformed(String),
    /// Payload-Oxum disagrees with the payload.
    PayloadOxum { declared: String, found: String },
    /// Something diachi could not check (an unknown algorithm).
    Unchecked(String),
    /// A deviation the specification or common practice tolerates
    /// (a `./` prefix, an md5sum `*`, a repeated Bagging-Date).
    Quirk(String),
}

impl Kind {
    /// A stable name for scripts (`--json`).
    pub fn code(&self) -> &'static str {
        match self {
            Kind::Missing { .. } => "missing",
            Kind::Unfetched { .. } => "unfetched",
            Kind::Changed { .. } => "changed",
            Kind::Unexpected => "unexpected",
            Kind::NotInManifest { .. } => "not-in-manifest",
            Kind::Unsafe(_) => "unsafe",
            Kind::OutsideBag { .. } => "outside-bag",
            Kind::ListedTwice { .. } => "listed-twice",
            Kind::Malformed(_) => "malformed",
            Kind::PayloadOxum { .. } => "payload-oxum",
            Kind::Unchecked(_) => "unchecked",
            Kind::Quirk(_) => "quirk",
        }
    }

    /// The finding's own words, after its path; empty when the code says it.
    pub fn detail(&self) -> String {
        match self {
            Kind::Missing { hint: Some(h) } => {
                format!("only {h} is there, which differs in letter case")
            }
            Kind::Unfetched { url } => format!("listed in fetch.txt, not fetched yet from {url}"),
            Kind::Changed { algorithm } => format!("its {algorithm} checksum differs"),
            Kind::NotInManifest { manifest } => format!("not listed in {manifest}"),
            Kind::Unsafe(what) => format!("{what}, never opened"),
            Kind::OutsideBag { listed_in, why } => format!("{why}, in {listed_in}"),
            Kind::ListedTwice {
                manifest,
                conflicting,
            } => format!(
                "listed twice in {manifest}, {}",
                if *conflicting {
                    "with different checksums"
                } else {
                    "with the same checksum"
                }
            ),
            Kind::PayloadOxum { declared, found } => {
                format!("Payload-Oxum {declared}, but the payload is {found}")
            }
            Kind::Malformed(why) | Kind::Unchecked(why) | Kind::Quirk(why) => why.clone(),
            Kind::Missing { hint: None } | Kind::Unexpected => String::new(),
        }
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.path)?;
        match self.kind.detail() {
            d if d.is_empty() => Ok(()),
            d => write!(f, ": {d}"),
        }
    }
}

/// The outcome of verifying one bag.
#[derive(Debug, Default)]
pub struct Verification {
    /// As `bagit.txt` declares it; `None` when it cannot be read.
    pub version: Option<Version>,
    pub mode: Mode,
    /// The algorithms whose manifests were read.
    pub algorithms: Vec<Algorithm>,
    /// Files whose every listed checksum was recomputed and matched.
    pub files_checked: usize,
    pub bytes_checked: u64,
    /// What makes the bag invalid or incomplete.
    pub problems: Vec<Finding>,
    /// What is worth saying but leaves the bag valid.
    pub warnings: Vec<Finding>,
}

impl Verification {
    /// Complete and, unless the mode skipped them, every checksum right.
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }

    pub(super) fn problem(&mut self, path: impl Into<String>, kind: Kind) {
        self.problems.push(Finding {
            path: path.into(),
            kind,
        });
    }

    pub(super) fn warning(&mut self, path: impl Into<String>, kind: Kind) {
        self.warnings.push(Finding {
            path: path.into(),
            kind,
        });
    }

    /// A problem in a bag of `version` 1.0 or later; a warning in an
    /// older one, whose drafts allowed it or said nothing.
    pub(super) fn strict(&mut self, version: Version, path: impl Into<String>, kind: Kind) {
        if version >= Version::V1_0 {
            self.problem(path, kind)
        } else {
            self.warning(path, kind)
        }
    }
}
