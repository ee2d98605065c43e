//! Page finding on real captures: the crop box, the masked share, the
//! spread's gutter (`auto`) and the time, and (with an output folder) each capture reduced with the box drawn
//! on it and the masked page beside it, to look at.
//!
//!     cargo run --release -p tools --bin page_probe -- [--out DIR] FILE...

use image::{GrayImage, Luma};
use std::time::Instant;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let out = tools::take_out_dir(&mut args);
    for path in &args {
        let raster = tools::decode(path);
        let (w, h) = raster.gray.dimensions();
        let t = Instant::now();
        let found = workers::pagefind::find_page(&raster.gray);
        let find_ms = t.elapsed().as_secs_f64() * 1000.0;
        let gutter = workers::spread::gutter(&raster.gray, workers::spread::SplitMode::Auto);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let ms = format!("{find_ms:.0} + {:.0}", ms - find_ms);
        let name = std::path::Path::new(path)
            .file_stem()
            .unwrap()
            .to_string_lossy();
        match &found {
            None => println!("{name}\t{w}x{h}\twhole\tgutter {gutter:?}\t{ms} ms"),
            Some(f) => println!(
                "{name}\t{w}x{h}\t{:?}\tmasked {:.3}\tpaper {}\tgutter {gutter:?}\t{ms} ms",
                f.crop, f.masked, f.paper
            ),
        }
        if let (Some(dir), Some(f)) = (&out, &found) {
            let mut shown = raster.gray.clone();
            outline(&mut shown, f.crop);
            let scale = 800.0 / w.max(h) as f32;
            let small = |g: &GrayImage| {
                image::imageops::thumbnail(
                    g,
                    (g.width() as f32 * scale) as u32,
                    (g.height() as f32 * scale) as u32,
                )
            };
            small(&shown).save(format!("{dir}/{name}.box.png")).unwrap();
            small(&f.crop_and_mask(&raster.gray))
                .save(format!("{dir}/{name}.page.png"))
                .unwrap();
        }
    }
}

fn outline(img: &mut GrayImage, c: workers::pagefind::CropBox) {
    let t = (img.width().max(img.height()) / 200).max(2);
    for y in c.y..c.y + c.height {
        for x in c.x..c.x + c.width {
            let edge =
                x < c.x + t || y < c.y + t || x >= c.x + c.width - t || y >= c.y + c.height - t;
            if edge {
                img.put_pixel(x, y, Luma([0]));
            }
        }
    }
}
