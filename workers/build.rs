//! Links Leptonica, whose message handler `workers::ocr` replaces. It is
//! already loaded as Tesseract's dependency; pkg-config names it as the
//! system has it (liblept or libleptonica).
fn main() {
    if let Err(e) = pkg_config::probe_library("lept") {
        panic!("Leptonica not found by pkg-config ({e}): apt-get install libleptonica-dev (scripts/setup.sh installs it)");
    }
}
