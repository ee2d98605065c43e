//! Helpers the probes share.

/// A page file decoded as diachi decodes it (EXIF applied), any size.
pub fn decode(path: &str) -> workers::raster::Raster {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    workers::raster::decode(path.as_ref(), &bytes, u64::MAX, 300.0)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// This machine's Tesseract models.
pub fn engines() -> workers::page::EngineCache {
    workers::page::EngineCache::new(workers::ocr::find_tessdata().expect("tessdata installed"))
}

/// A page file prepared as diachi prepares it (background, orientation,
/// deskew, resolution, default settings), for a page in `lang` (`vie`,
/// `khm`, `auto`...): the gray page OCR reads and its resolution.
pub fn prepared(path: &str, lang: &str) -> (image::GrayImage, u32) {
    let setting = workers::lang::LangSetting::parse(lang).unwrap_or_else(|e| panic!("{e}"));
    let options = workers::page::PrepareOptions::default();
    let page = workers::page::prepare(decode(path), &setting, &options, &mut engines())
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let dpi = page.ppi();
    (page.gray, dpi)
}

/// Takes `--out DIR` out of the arguments, creating DIR: where a probe
/// writes the images it shows.
pub fn take_out_dir(args: &mut Vec<String>) -> Option<String> {
    let i = args.iter().position(|a| a == "--out")?;
    let dir = args.remove(i + 1);
    args.remove(i);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{dir}: {e}"));
    Some(dir)
}
