//! Time of each step of one page's work, as diachi runs it, with the engines
//! already loaded (the page is run once to warm them, then timed):
//! `cargo run --release -p tools --bin stage_times -- PAGE [LANG]` (LANG as
//! `--lang` takes it, default vie). Sum the lines other than `ocr` for what
//! diachi adds to Tesseract.
use std::time::Instant;
use workers::lang::LangSetting;
use workers::page::{read, PrepareOptions, RecognizeOptions};

fn main() {
    // As diachi runs Tesseract: one thread per page.
    if let Some(e) = workers::ocr::rerun_single_threaded() {
        panic!("cannot re-run with OMP_THREAD_LIMIT=1: {e}");
    }
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("stage_times PAGE [LANG]");
    let lang = LangSetting::parse(args.get(2).map_or("vie", String::as_str)).unwrap();
    let mut engines = tools::engines();
    // The Khmer network too, where it is installed, as diachi runs with
    // its default `ocr.khmer_engine = "auto"`.
    let options = RecognizeOptions {
        khmer_net: workers::neural::KhmerNet::load(&workers::neural::default_models_dir())
            .ok()
            .map(std::sync::Arc::new),
        ..RecognizeOptions::default()
    };
    let run = |engines: &mut _| {
        let t = Instant::now();
        let raster = tools::decode(path);
        let decode = t.elapsed();
        let (page, read) =
            read(raster, &lang, &PrepareOptions::default(), &options, engines).unwrap();
        let t = Instant::now();
        let image = workers::pdfa::encode_page_image(page.shown_gray(), page.color(), 80, 300);
        (decode, page, read, t.elapsed(), image.unwrap().data.len())
    };
    run(&mut engines);
    let (decode, page, read, encode, bytes) = run(&mut engines);
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!("{:>12}: {:8.1} ms", "decode", ms(decode));
    let mut added = 0.0;
    for (step, d) in page.timings.0.iter().chain(&read.timings.0) {
        println!("{step:>12}: {:8.1} ms", ms(*d));
        if *step != "ocr" {
            added += ms(*d);
        }
    }
    println!("{:>12}: {:8.1} ms ({bytes} B)", "pdf image", ms(encode));
    println!(
        "added to the OCR: {added:.1} ms; {:?}, {} words, x-height {:?}, scale {}, turn {}, {}",
        read.segmentation,
        read.text.words().count(),
        page.facts.resolution.x_height,
        read.ocr_scale,
        page.facts.turn.degrees(),
        read.langs.tesseract()
    );
}
