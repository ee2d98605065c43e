//! The dewarp on real captures: each page prepared as diachi prepares it
//! but not dewarped, then the dewarp's verdict, its time, and (with an
//! output folder) the page before and after, to look at.
//!
//!     cargo run --release -p tools --bin dewarp_probe -- LANG [--out DIR] FILE...

use std::time::Instant;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let lang = args.remove(0);
    let out = tools::take_out_dir(&mut args);
    let setting = workers::lang::LangSetting::parse(&lang).unwrap();
    let options = workers::page::PrepareOptions {
        dewarp: false,
        ..Default::default()
    };
    for path in &args {
        let page = workers::page::prepare(
            tools::decode(path),
            &setting,
            &options,
            &mut tools::engines(),
        )
        .unwrap_or_else(|e| panic!("{path}: {e}"));
        let name = std::path::Path::new(path)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let t = Instant::now();
        let result = workers::dewarp::dewarp(&page.gray, None);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        println!("{name}\t{:?}\t{ms:.0} ms", result.as_ref().map(|r| r.2));
        if let (Some(dir), Some((flat, _, _))) = (&out, result) {
            page.gray.save(format!("{dir}/{name}.before.png")).unwrap();
            flat.save(format!("{dir}/{name}.after.png")).unwrap();
        }
    }
}
