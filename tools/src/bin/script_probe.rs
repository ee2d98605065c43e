//! Prints what `--lang auto` sees on pages: the script each sampled segment
//! reads in (K Khmer, k scraps of Khmer, L Latin, ? garbled Latin, - nothing),
//! and the decision.
//! `script_probe PAGE...` (pages prepared as diachi prepares them).
use workers::script::{detect, sample_sheet, segment_scripts, Script, Segment, SCRIPT_SAMPLE};

fn main() {
    let tessdata = workers::ocr::find_tessdata().expect("tessdata");
    let khm = workers::ocr::Engine::new(&tessdata, workers::script::SAMPLE_LANG, 6).unwrap();
    let vie = workers::ocr::Engine::new(&tessdata, "vie", 6).unwrap();
    for path in std::env::args().skip(1) {
        let (gray, dpi) = tools::prepared(&path, "auto");
        let mut confs = String::new();
        let mut glance = String::new();
        if let Some(sheet) = sample_sheet(&gray, SCRIPT_SAMPLE) {
            let text = khm.recognize(&sheet.image, dpi).unwrap();
            if std::env::var_os("PROBE_DEBUG").is_some() {
                eprintln!("bands {:?}", sheet.bands);
                for w in text.words() {
                    eprintln!("  {:?} {:.0} {}", w.bbox, w.confidence, w.text);
                }
                let saved = std::env::temp_dir().join("script_probe_sheet.png");
                sheet.image.save(&saved).unwrap();
                eprintln!("sample sheet: {}", saved.display());
            }
            let latin = vie.recognize(&sheet.image, dpi).unwrap();
            glance = format!(
                "vie alone: [{}] mean {:.0} surely latin {}",
                letters(&segment_scripts(&sheet, &latin)),
                latin.mean_confidence().unwrap_or(0.0),
                workers::script::surely_latin(&sheet, &latin)
            );
            confs = letters(&segment_scripts(&sheet, &text));
        }
        let found = detect(&gray, dpi, &khm).unwrap();
        println!("{path}: {} [{}] {glance}", found.lang(), confs);
    }
}

fn letters(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(|s| match s {
            Segment::In(Script::Khmer) => 'K',
            Segment::In(Script::Latin) => 'L',
            Segment::Scraps => 'k',
            Segment::Garbled => '?',
            Segment::Blank => '-',
        })
        .collect()
}
