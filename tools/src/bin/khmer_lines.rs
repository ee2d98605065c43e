//! Reads line images with the Khmer network and prints, per image, its
//! text, the time it took and its mean character probability (0-100); `--stretch` fits each line as the
//! reference implementation does (512 wide), else as diachi does.
//!
//!     cargo run --release -p tools --bin khmer_lines -- [--stretch] LINE.png...
//!
//! Compare with khmer-ocr-ocm's own `KhmerOCR().predict(path)`.

use workers::neural::{default_models_dir, Fit, KhmerNet};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let fit = if args.first().is_some_and(|a| a == "--stretch") {
        args.remove(0);
        Fit::Stretch
    } else {
        Fit::Natural
    };
    let net = KhmerNet::load(&default_models_dir()).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    for path in args {
        let line = image::open(&path)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .to_luma8();
        let start = std::time::Instant::now();
        let glyphs = net.read(&line, fit);
        let text: String = glyphs.iter().map(|g| g.text.as_str()).collect();
        let sure = glyphs.iter().map(|g| g.probability).sum::<f32>() / glyphs.len().max(1) as f32;
        println!(
            "{path}\t{text}\t{:.1} ms\t{:.1}",
            start.elapsed().as_secs_f64() * 1000.0,
            sure * 100.0
        );
    }
}
