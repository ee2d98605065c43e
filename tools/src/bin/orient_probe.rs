//! Prints the orientation signal of pages, as they are and turned a
//! quarter: `orient_probe PAGE...`. Upright pages should print a column/row
//! ratio well under 1, and turned ones well over.
fn main() {
    for path in std::env::args().skip(1) {
        let raster = tools::decode(&path);
        let (gray, dpi) = (raster.gray, raster.dpi.1.round() as u32);
        let mut line = format!("{path}:");
        for (name, img) in [
            ("as is", gray.clone()),
            ("turned 90", image::imageops::rotate90(&gray)),
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
