//! What `--lang auto` costs on top of the OCR, stage by stage, over pages:
//! script detection, the OCR itself, and the reread (with how
//! many lines were read again and replaced). Run single-threaded
//! (`OMP_THREAD_LIMIT=1`), as diachi does.
//! `auto_cost PAGE...` (pages prepared as diachi prepares them).
use std::time::Instant;
use workers::ocr::Engine;
use workers::script::{detect, spaced_like};

fn main() {
    let tessdata = workers::ocr::find_tessdata().expect("tessdata");
    // One engine per language for the whole run, as each diachi thread has,
    // each used once first so that no lazy start-up is timed.
    let engines: std::collections::HashMap<&str, Engine> = ["vie", "khm", "vie+khm", "khm+vie"]
        .into_iter()
        .map(|l| {
            let e = Engine::new(&tessdata, l, 6).unwrap();
            let warm = image::GrayImage::from_fn(64, 32, |x, _| image::Luma([(x % 8 * 32) as u8]));
            e.recognize(&warm, 300).unwrap();
            (l, e)
        })
        .collect();
    let engine = |lang: &str| &engines[lang];
    let sample = engine(workers::script::SAMPLE_LANG);
    let (mut t_detect, mut t_ocr, mut t_reread) = (0.0, 0.0, 0.0);
    let (mut lines, mut read_again, mut replaced) = (0, 0, 0);
    for path in std::env::args().skip(1) {
        let (gray, dpi) = tools::prepared(&path, "auto");
        if std::env::var_os("VERBOSE").is_some() {
            // Building the sheet alone, apart from reading it.
            let t = Instant::now();
            let sheet = workers::script::sample_sheet(&gray, workers::script::SCRIPT_SAMPLE);
            let (w, h) = sheet.as_ref().map_or((0, 0), |s| s.image.dimensions());
            println!("  sheet {w}x{h} {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
        }
        let t = Instant::now();
        let found = detect(&gray, dpi, sample).unwrap();
        t_detect += t.elapsed().as_secs_f64();
        if std::env::var_os("VERBOSE").is_some() {
            println!(
                "  detect {:.0} ms: {}",
                t.elapsed().as_secs_f64() * 1e3,
                found.lang()
            );
        }
        let t = Instant::now();
        let mut text = engine(&found.lang()).recognize(&gray, dpi).unwrap();
        t_ocr += t.elapsed().as_secs_f64();
        lines += text.lines().count();
        if std::env::var_os("VERBOSE").is_some() {
            let mut confs: Vec<f32> = text.lines().filter_map(|l| l.mean_confidence()).collect();
            confs.sort_by(f32::total_cmp);
            let median = confs.get(confs.len() / 2).copied().unwrap_or(0.0);
            let mean = text.mean_confidence().unwrap_or(0.0);
            println!("  page mean word confidence {mean:.1}, median line {median:.1}");
        }
        if found.mixed {
            continue;
        }
        let other = found.main.other();
        for l in text
            .lines()
            .filter(|l| workers::reread::may_be_in(l, other, found.main.reread_below()))
        {
            read_again += 1;
            if std::env::var_os("VERBOSE").is_some() {
                let conf = l.mean_confidence().unwrap_or(0.0);
                println!("  {:?} {conf:.0} {}", spaced_like(l), l.text());
            }
        }
        let again = engine(other.reread_lang());
        let t = Instant::now();
        replaced += workers::reread::reread_lines_in(
            &gray,
            dpi,
            &mut text,
            again,
            found.main.reread_below(),
            other,
        )
        .unwrap()
        .replaced;
        t_reread += t.elapsed().as_secs_f64();
    }
    println!(
        "detect {t_detect:.2} s, ocr {t_ocr:.2} s, reread {t_reread:.2} s \
         ({read_again} of {lines} lines read again, {replaced} replaced)"
    );
}
