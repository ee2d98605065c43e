//! Fixity throughput: SHA-256 of a file as diachi reads originals.
//! `cargo run --release -p tools --bin fixity_speed -- [MiB]` (default 1024).

use std::io::Write;
use std::time::Instant;

fn main() {
    let mib: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1024);
    let dir = std::env::temp_dir().join(format!("diachi-fixity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("data.bin");
    let mut f = std::fs::File::create(&path).unwrap();
    let block: Vec<u8> = (0..1 << 20)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for _ in 0..mib {
        f.write_all(&block).unwrap();
    }
    drop(f);
    let _ = workers::fixity::sha256_file(&path); // warm the page cache
    let t = Instant::now();
    let digest = workers::fixity::sha256_file(&path).unwrap();
    let secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let bytes = std::fs::read(&path).unwrap();
    let _ = workers::fixity::sha256_hex(&bytes);
    let mem_secs = t.elapsed().as_secs_f64();
    println!(
        "sha256_file: {mib} MiB in {secs:.3} s = {:.2} GB/s ({digest})",
        mib as f64 * 1.048576e-3 / secs
    );
    println!(
        "read + sha256_hex (the page path): {:.2} GB/s",
        mib as f64 * 1.048576e-3 / mem_secs
    );
    std::fs::remove_dir_all(dir).unwrap();
}
