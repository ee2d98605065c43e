//! Prints the orientation signals of a page: `orient_probe PAGE`.
fn main() {
    let path = std::env::args().nth(1).expect("a page");
    let gray = image::open(&path).unwrap().to_luma8();
    for (name, img) in [
        ("as is", gray.clone()),
        ("turned 90", image::imageops::rotate90(&gray)),
    ] {
        let (r, c) = workers::deskew::line_scores(&img, 15.0);
        println!(
            "{name}: rows {r:.0} cols {c:.0} ratio {:.2} sideways {}",
            c / r.max(1.0),
            workers::orient::is_sideways(&img)
        );
    }
}
