//! Prints the orientation signal of pages, as they are and turned a
//! quarter: `orient_probe PAGE...`. Upright pages should print a column/row
//! ratio well under 1, and turned ones well over.
fn main() {
    let mut engines = tools::engines();
    for path in std::env::args().skip(1) {
        let raster = tools::decode(&path);
        let (gray, dpi) = (raster.gray.clone(), raster.dpi.1.round() as u32);
        // As the sideways check sees it: diachi's prepare step up to there
        // (page found and masked, background cleaned), nothing turned.
        let options = workers::page::PrepareOptions {
            orientation: false,
            deskew: false,
            dewarp: false,
            ..Default::default()
        };
        let lang = workers::lang::LangSetting::parse("vie").unwrap();
        let found = workers::page::prepare(raster, &lang, &options, &mut engines)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .gray;
        if let Ok(dir) = std::env::var("SAVE") {
            let small = image::imageops::thumbnail(&found, found.width() / 4, found.height() / 4);
            let name = std::path::Path::new(&path)
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .to_string();
            small.save(format!("{dir}/{name}.prepared.png")).unwrap();
            let g = image::imageops::thumbnail(&gray, gray.width() / 4, gray.height() / 4);
            g.save(format!("{dir}/{name}.raw.png")).unwrap();
        }
        let mut line = format!("{path}:");
        for (name, img) in [
            ("as is", gray.clone()),
            ("turned 90", image::imageops::rotate90(&gray)),
            ("prepared turned 90", image::imageops::rotate90(&found)),
            ("prepared", found),
        ] {
            let (r, c) = workers::deskew::line_scores(&img, 15.0, dpi);
            line += &format!(
                "  {name}: rows {r:.2} cols {c:.2} ratio {:.2} sideways {}",
                c / r.max(1e-9),
                workers::orient::is_sideways(&img, dpi)
            );
        }
        println!("{line}");
    }
}
