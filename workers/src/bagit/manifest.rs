//! Manifest and fetch file lines (RFC 8493 §2.1.3, §2.2.1, §2.2.3), and the
//! file paths they hold.

/// RFC 8493 §2.1.3: in a manifest, CR, LF and % in a file path are
/// percent-encoded, and only those.
pub fn encode_path(path: &str) -> String {
    path.replace('%', "%25")
        .replace('\n', "%0A")
        .replace('\r', "%0D")
}

/// The inverse of [`encode_path`]. Any other `%` sequence is taken as it
/// stands (`data/%7Etest1.txt` names a file called `%7Etest1.txt`).
pub fn decode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest.get(i + 1..i + 3).map(str::to_ascii_uppercase);
        match code.as_deref() {
            Some("0A") => out.push('\n'),
            Some("0D") => out.push('\r'),
            Some("25") => out.push('%'),
            _ => {
                out.push('%');
                rest = &rest[i + 1..];
                continue;
            }
        }
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    out
}

/// A file path read from a manifest or fetch file, made safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanPath {
    /// Relative to the bag's base folder, `/`-separated, with no `.`
    /// or empty components.
    pub path: String,
    /// It was written with a leading `./` or other `.` components, which
    /// bagit-python and the conformance suite tolerate with a warning.
    pub had_dots: bool,
}

/// Checks a decoded path from a manifest or fetch file: relative, inside
/// the bag. An absolute path, a `~` (a shell's home folder), a `..`
/// component or a backslash (a Windows separator: RFC 8493 §2.1.3 allows
/// only `/`) is refused, with why.
pub fn clean_path(path: &str) -> Result<CleanPath, &'static str> {
    if path.starts_with('/') {
        return Err("an absolute path");
    }
    if path.starts_with('~') {
        return Err("a path from a home folder (~)");
    }
    if path.contains('\\') {
        return Err("a path with a backslash, which is no BagIt separator");
    }
    let mut parts = Vec::new();
    let mut had_dots = false;
    for part in path.split('/') {
        match part {
            ".." => return Err("a path that climbs out with '..'"),
            "." | "" => had_dots = true,
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Err("an empty path");
    }
    Ok(CleanPath {
        path: parts.join("/"),
        had_dots,
    })
}

/// One line of a manifest: `checksum filepath`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based.
    pub number: usize,
    /// Lower-cased.
    pub digest: String,
    /// Percent-decoded, not yet checked ([`clean_path`]).
    pub path: String,
    /// Written md5sum-style, `checksum *filepath` (binary mode): accepted
    /// with a warning, as RFC 8493 §8 asks.
    pub binary_marker: bool,
}

/// Splits a manifest line at the first run of spaces or tabs. `None` for a
/// line that is not `hex-checksum whitespace path`.
pub fn parse_line(number: usize, line: &str) -> Option<Line> {
    let (digest, rest) = field(line);
    if digest.is_empty() || rest.is_empty() || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let (path, binary_marker) = match rest.strip_prefix('*') {
        Some(p) => (p, true),
        None => (rest, false),
    };
    Some(Line {
        number,
        digest: digest.to_ascii_lowercase(),
        path: decode_path(path),
        binary_marker,
    })
}

/// The first field of `s` and what follows the run of spaces or tabs
/// after it (RFC 8493: "one or more linear whitespace characters").
fn field(s: &str) -> (&str, &str) {
    match s.split_once([' ', '\t']) {
        Some((first, rest)) => (first, rest.trim_start_matches([' ', '\t'])),
        None => (s, ""),
    }
}

/// One line of `fetch.txt`: `url length filepath`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchItem {
    pub url: String,
    /// `None` for "-", length unspecified.
    pub length: Option<u64>,
    /// Percent-decoded, not yet checked.
    pub path: String,
}

/// Reads a fetch line, or says why it is not one: the URL must be absolute
/// (RFC 3986: a scheme, and an authority unless the scheme is `file`), the
/// length digits or `-`.
pub fn parse_fetch(line: &str) -> Result<FetchItem, String> {
    let (url, rest) = field(line);
    let (length, path) = field(rest);
    if path.is_empty() {
        return Err("fewer than three fields".into());
    }
    if !absolute_url(url) {
        return Err(format!("'{url}' is not an absolute URL"));
    }
    let length = match length {
        "-" => None,
        n => Some(
            n.parse()
                .map_err(|_| format!("length '{n}' is neither a number nor '-'"))?,
        ),
    };
    Ok(FetchItem {
        url: url.to_string(),
        length,
        path: decode_path(path),
    })
}

fn absolute_url(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !scheme_ok {
        return false;
    }
    if scheme.eq_ignore_ascii_case("file") {
        return true;
    }
    rest.strip_prefix("//")
        .and_then(|r| r.split(['/', '?', '#']).next())
        .is_some_and(|host| !host.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_decode_only_the_three_escapes() {
        for p in [
            "data/odd%name.txt",
            "data/a\nb\rc",
            "data/%7Etest1.txt",
            "x%",
        ] {
            assert_eq!(decode_path(&encode_path(p)), p);
        }
        assert_eq!(decode_path("data/%7Etest1.txt"), "data/%7Etest1.txt");
        assert_eq!(decode_path("data/a%0ab%25"), "data/a\nb%");
    }

    #[test]
    fn unsafe_paths_are_refused() {
        for p in [
            "/tmp/foo",
            "~/foo",
            "~root/foo",
            "../../../README.md",
            "data/../../x",
            "C:\\Windows\\x.exe",
            "\\\\?\\UNC\\x",
            "",
        ] {
            assert!(clean_path(p).is_err(), "{p}");
        }
        assert_eq!(clean_path("data/v1..2.txt").unwrap().path, "data/v1..2.txt");
        let dotted = clean_path("./data/./a.txt").unwrap();
        assert_eq!(dotted.path, "data/a.txt");
        assert!(dotted.had_dots);
    }

    #[test]
    fn manifest_lines() {
        let l = parse_line(3, "ABCDEF  *data/test file.txt").unwrap();
        assert_eq!(l.digest, "abcdef");
        assert_eq!(l.path, "data/test file.txt");
        assert!(l.binary_marker);
        let l = parse_line(1, "abc\t\tdata/x").unwrap();
        assert_eq!(l.path, "data/x");
        assert!(parse_line(1, "data/x").is_none());
        assert!(parse_line(1, "xyz data/x").is_none());
    }

    #[test]
    fn fetch_lines() {
        let f = parse_fetch("http://localhost:8989/a/test%201.txt - data/test 1.txt").unwrap();
        assert_eq!(f.length, None);
        assert_eq!(f.path, "data/test 1.txt");
        let f = parse_fetch("file:///srv/x 12 data/x").unwrap();
        assert_eq!(f.length, Some(12));
        assert!(parse_fetch("not-a-url - data/x").is_err());
        assert!(parse_fetch("http:/x - data/x").is_err());
        assert!(parse_fetch("http://h/x lots data/x").is_err());
        assert!(parse_fetch("http://h/x -").is_err());
    }
}
