//! Prints the measured x-height, the resolution diachi would use (the
//! file's, else the text's) and the OCR scale, for each image given:
//! `cargo run --release -p tools --bin x_height -- -- IMG...`
fn main() {
    for path in std::env::args().skip(1) {
        let raster = tools::decode(&path);
        let x = workers::resolution::x_height(&raster.gray);
        let declared = (!raster.dpi_assumed).then_some(raster.dpi);
        let r = workers::resolution::resolve(declared, 300.0, x);
        println!(
            "{path}\tx-height {x:?}\tdpi {:?}\tocr scale {}",
            r.dpi,
            workers::resolution::ocr_scale(&r)
        );
    }
}
