//! Prints the measured x-height and the resolution diachi would use for
//! each image given: `cargo run --release -p tools --bin x_height -- -- IMG...`
fn main() {
    for path in std::env::args().skip(1) {
        let gray = tools::decode(&path).gray;
        let x = workers::resolution::x_height(&gray);
        let r = workers::resolution::resolve(None, 300.0, x);
        println!(
            "{path}\tx-height {x:?}\tdpi {:?}\tocr scale {}",
            r.dpi,
            workers::resolution::ocr_scale(x)
        );
    }
}
