//! Prints the line-direction scores of images: `... --example orient_check -- IMG...`
fn main() {
    for path in std::env::args().skip(1) {
        let g = image::open(&path).expect("an image").to_luma8();
        let g = workers::clean::normalize(&g).unwrap_or(g);
        for dpi in [100, 200, 300] {
            let (r, c) = workers::deskew::line_scores(&g, 15.0, dpi);
            println!("{path} dpi {dpi}: rows {r:.3} cols {c:.3} sideways {}", workers::orient::is_sideways(&g, dpi));
        }
    }
}
