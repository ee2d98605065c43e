//! Prints each line a model reads on pages: mean confidence, word count,
//! characters per word, width in line heights, and the text. Used to tune
//! the weak-line reread (`line_probe LANG PAGE...`, pages prepared as diachi
//! prepares them, read in the mode diachi chooses for the page). With
//! `REREAD=vie,vie+khm` each line is also read again alone with those
//! languages, as the reread does.
fn main() {
    let mut args = std::env::args().skip(1);
    let lang = args.next().expect("line_probe LANG PAGE...");
    let tessdata = workers::ocr::find_tessdata().expect("tessdata");
    let rereads: Vec<_> = std::env::var("REREAD")
        .unwrap_or_default()
        .split(',')
        .filter(|l| !l.is_empty())
        .map(|l| workers::ocr::Engine::new(&tessdata, l, 6).unwrap())
        .collect();
    for path in args {
        let (gray, dpi) = tools::prepared(&path, &lang);
        let langs = match workers::lang::LangSetting::parse(&lang).unwrap() {
            workers::lang::LangSetting::Fixed(l) => l,
            workers::lang::LangSetting::Auto => panic!("line_probe reads one given language"),
        };
        let mode = workers::page::Segmentation::for_page(&gray, &langs, None).psm();
        let engine = workers::ocr::Engine::new(&tessdata, &lang, mode).unwrap();
        let text = engine.recognize(&gray, dpi).unwrap();
        let own = langs.main().script();
        let other = own.other();
        println!("{path}");
        for line in text.lines() {
            let t = line.text();
            let script = match workers::script::majority(&t) {
                Some(workers::script::Script::Khmer) => "K",
                Some(workers::script::Script::Latin) => "L",
                None => "-",
            };
            let chars = line.char_count();
            println!(
                "  {script} {}{} conf {:5.1} words {:2} c/w {:5.1} w/h {:5.1} {:?} | {t}",
                // R: the weak-line reread would read it in the other script;
                // P: plausible in the script it was read in.
                if workers::reread::may_be_in(line, other, own.reread_below()) {
                    'R'
                } else {
                    '.'
                },
                if own.plausible(&t) { 'P' } else { '.' },
                line.mean_confidence().unwrap_or(0.0),
                line.words.len(),
                chars as f32 / line.words.len().max(1) as f32,
                line.bbox.width() as f32 / line.bbox.height().max(1) as f32,
                (line.bbox.x0, line.bbox.y0, line.bbox.x1, line.bbox.y1),
            );
            for e in &rereads {
                let t = std::time::Instant::now();
                let again = workers::reread::read_line(&gray, dpi, line.bbox, 0, &[], e).unwrap();
                if let Some(again) = again {
                    println!(
                        "      {:8} {:4.0} ms conf {:5.1} | {}",
                        e.lang(),
                        t.elapsed().as_secs_f64() * 1e3,
                        again.mean_confidence().unwrap_or(0.0),
                        again.text()
                    );
                }
            }
        }
    }
}
