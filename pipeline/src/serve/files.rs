//! The files `serve` hands out: only files a bag's manifest lists, opened
//! without following any link on the way, so no URL reaches outside the
//! bags whatever it spells.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Why a file is not served.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not listed, not there, or not a plain file inside the folder.
    NotFound,
    /// Listed and there, but unreadable.
    Unreadable,
}

/// The bytes of `rel` under `base`: every component must be a real folder
/// (no link) and the last a regular file, opened with `O_NOFOLLOW`, so a
/// link swapped in after the check is refused too.
pub fn read_inside(base: &Path, rel: &str) -> Result<Vec<u8>, Refusal> {
    let mut at = base.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == ".." || p.contains('\0'))
    {
        return Err(Refusal::NotFound);
    }
    for (i, part) in parts.iter().enumerate() {
        at.push(part);
        let meta = std::fs::symlink_metadata(&at).map_err(|_| Refusal::NotFound)?;
        let last = i + 1 == parts.len();
        if (last && !meta.is_file()) || (!last && !meta.is_dir()) {
            return Err(Refusal::NotFound);
        }
    }
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&at)
        .map_err(|_| Refusal::NotFound)?;
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(Refusal::NotFound);
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|_| Refusal::Unreadable)?;
    Ok(bytes)
}

/// The Content-Type of a bag file, by its extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "tif" | "tiff" => "image/tiff",
        "jp2" | "j2k" | "jpf" => "image/jp2",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_climbs_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let bag = dir.path().join("bag");
        std::fs::create_dir_all(bag.join("data")).unwrap();
        std::fs::write(bag.join("data/a.txt"), "ok").unwrap();
        std::fs::write(dir.path().join("secret"), "no").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), bag.join("data/link.txt")).unwrap();
        std::os::unix::fs::symlink(dir.path(), bag.join("up")).unwrap();
        assert_eq!(read_inside(&bag, "data/a.txt").unwrap(), b"ok");
        for bad in [
            "data/link.txt",
            "up/secret",
            "../secret",
            "data/../../secret",
            "/etc/passwd",
            "data",
            "data//a.txt",
        ] {
            assert_eq!(read_inside(&bag, bad), Err(Refusal::NotFound), "{bad}");
        }
    }
}
