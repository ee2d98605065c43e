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
