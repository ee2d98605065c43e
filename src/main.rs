//! diachi: scanned local-history documents in, BagIt preservation packages
//! with a searchable PDF/A out. A thin CLI over the `pipeline` crate.
//!
//! Exit codes (stable; see README):
//! 0 all ok · 1 some documents failed, or verify found a problem ·
//! 2 bad arguments, configuration or batch folder, or `serve` cannot listen · 3 a missing dependency
//! (Tesseract model, tessdata) · 4 output folder not writable or in use, or a
//! write to it failed · 130 interrupted (Ctrl-C, SIGTERM, SIGHUP).

use anyhow::Result;
use clap::{Parser, Subcommand};
use pipeline::{Config, Error, RunOptions};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use workers::bagit::Mode;

const EXIT_FAILED: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_DEPENDENCY: u8 = 3;
const EXIT_OUTPUT: u8 = 4;
const EXIT_INTERRUPTED: u8 = 130;

#[derive(Parser)]
#[command(
    name = "diachi",
    version,
    about = "Scanned local-history documents in, BagIt bags with searchable PDF/A out"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Process every document of BATCH into a bag under OUT.
    Run {
        /// The batch folder: one sub-folder of page images per document, optional batch.csv.
        batch: PathBuf,
        /// Where the bags go (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Settings overriding the built-in defaults (config/default.toml).
        #[arg(long)]
        config: Option<PathBuf>,
        /// OCR language(s) for documents batch.csv says nothing about: vie, khm, vie+khm.
        #[arg(long)]
        lang: Option<String>,
        /// Worker threads (default: run.jobs, 0 = one per core).
        #[arg(long)]
        jobs: Option<usize>,
        /// One JSON object per finished document on stdout, then one for the
        /// run (`{"summary": ...}`), for scripts and schedulers. Default off.
        #[arg(long)]
        json: bool,
        /// Print only errors and the final summary line. Default off.
        #[arg(long)]
        quiet: bool,
    },
    /// Check a bag, or every bag under a folder, as RFC 8493 says: complete
    /// (every listed file there, none unlisted) and valid (every checksum
    /// in every manifest right). Any bag, whoever made it.
    Verify {
        /// A bag, or a folder holding bags at any depth.
        path: PathBuf,
        /// Only compare the Payload-Oxum (byte and file counts) with the
        /// payload; no checksums. Default off.
        #[arg(long, conflicts_with = "completeness_only")]
        fast: bool,
        /// Check that every listed file is there and none unlisted; no
        /// checksums. Default off.
        #[arg(long)]
        completeness_only: bool,
        /// One JSON object per bag on stdout, with every problem and
        /// warning by path and kind. Default off.
        #[arg(long)]
        json: bool,
        /// Files hashed at once (default 0: one per core).
        #[arg(long, default_value_t = 0)]
        jobs: usize,
    },
    /// Export the catalog records of every bag in OUT: OUT/catalog.csv,
    /// OUT/catalog.marcxml or OUT/catalog-oai_dc/<id>.xml.
    Catalog {
        /// The output folder of `diachi run`.
        out: PathBuf,
        #[arg(long, value_enum, default_value = "csv")]
        format: CatalogFormat,
    },
    /// Build or bring up to date the full-text index of OUT's bags
    /// (OUT/.diachi/search): only new or changed bags are read.
    Index {
        /// The output folder of `diachi run`.
        out: PathBuf,
    },
    /// Publish OUT's bags read-only over HTTP: OAI-PMH 2.0 at /oai (oai_dc,
    /// marc21), full-text search at /search, each document at /doc/ID.
    /// Bags that land while it runs are published and indexed.
    Serve {
        /// The output folder of `diachi run`.
        out: PathBuf,
        /// Address to listen on (default: serve.bind, 127.0.0.1:8080; port
        /// 0 picks a free one).
        #[arg(long)]
        bind: Option<String>,
        /// Settings overriding the built-in defaults ([serve] section).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Print the built-in configuration (every setting, its default, what it does).
    DefaultConfig,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum CatalogFormat {
    /// dc.* columns for DSpace batch metadata editing and Omeka S CSV Import
    Csv,
    /// one OAI-PMH Dublin Core record per document
    #[value(name = "oai_dc")]
    OaiDc,
    /// one MARC 21 XML collection (Koha, Libol, Vebrary)
    Marcxml,
}

fn main() -> ExitCode {
    reexec_with_single_omp_thread();
    pipeline::memory::limit_heap_arenas();
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("diachi: error: {e:#}");
            ExitCode::from(exit_code(&e))
        }
    }
}

/// Tesseract's OpenMP threads fight diachi's own page-level parallelism:
/// see [`workers::ocr::rerun_single_threaded`].
fn reexec_with_single_omp_thread() {
    if let Some(err) = workers::ocr::rerun_single_threaded() {
        eprintln!("diachi: warning: could not re-run with OMP_THREAD_LIMIT=1 ({err}); continuing");
    }
}

/// The settings of `--config FILE` over the defaults, or the defaults.
fn load_config(path: Option<&std::path::Path>) -> Result<Config> {
    Ok(match path {
        Some(path) => Config::load(path)?,
        None => Config::default_config(),
    })
}

fn exit_code(e: &anyhow::Error) -> u8 {
    match e.downcast_ref::<Error>() {
        Some(Error::Config { .. } | Error::Batch { .. } | Error::Listen { .. }) => EXIT_USAGE,
        Some(Error::MissingDependency(_)) => EXIT_DEPENDENCY,
        Some(Error::Worker(workers::Error::MissingModel { .. })) => EXIT_DEPENDENCY,
        Some(Error::Output { .. } | Error::Locked { .. }) => EXIT_OUTPUT,
        _ => EXIT_FAILED,
    }
}

fn dispatch(command: Command) -> Result<u8> {
    match command {
        Command::Run {
            batch,
            out,
            config,
            lang,
            jobs,
            json,
            quiet,
        } => {
            let config = load_config(config.as_deref())?;
            let cancel = Arc::new(AtomicBool::new(false));
            let flag = cancel.clone();
            ctrlc::set_handler(move || {
                if flag.swap(true, Ordering::SeqCst) {
                    std::process::exit(EXIT_INTERRUPTED.into()); // a second Ctrl-C: now
                }
                eprintln!("\ndiachi: interrupted: finishing the pages under way (Ctrl-C again to quit now)");
            })?;
            let on_document: Option<pipeline::OnDocument> = json.then(|| {
                Arc::new(|e: &pipeline::DocumentEvent| {
                    println!("{}", serde_json::to_string(e).expect("serialisable"))
                }) as pipeline::OnDocument
            });
            let show = Show { json, quiet };
            run(
                RunOptions {
                    batch,
                    out,
                    config,
                    lang,
                    jobs,
                    progress: !quiet && std::io::stderr().is_terminal(),
                    cancel,
                    on_document,
                },
                show,
            )
        }
        Command::Verify {
            path,
            fast,
            completeness_only,
            json,
            jobs,
        } => {
            let mode = if fast {
                Mode::Fast
            } else if completeness_only {
                Mode::CompletenessOnly
            } else {
                Mode::Full
            };
            let opts = pipeline::verify::Options {
                mode,
                jobs,
                progress: !json && std::io::stderr().is_terminal(),
            };
            verify(&path, &opts, json)
        }
        Command::Catalog { out, format } => {
            let format = match format {
                CatalogFormat::Csv => pipeline::catalog::Format::Csv,
                CatalogFormat::OaiDc => pipeline::catalog::Format::OaiDc,
                CatalogFormat::Marcxml => pipeline::catalog::Format::MarcXml,
            };
            for path in pipeline::catalog::export(&out, format)? {
                println!("{}", path.display());
            }
            Ok(0)
        }
        Command::Index { out } => {
            let (u, unreadable) = pipeline::search::index_out(&out)?;
            for b in &unreadable {
                eprintln!(
                    "diachi: warning: {} not indexed: {}",
                    b.dir.display(),
                    b.reason
                );
            }
            println!(
                "indexed {}: {} added, {} changed, {} removed, {} unchanged; {} pages read",
                out.display(),
                u.added,
                u.changed,
                u.removed,
                u.unchanged,
                u.pages
            );
            Ok(if unreadable.is_empty() {
                0
            } else {
                EXIT_FAILED
            })
        }
        Command::Serve { out, bind, config } => {
            let config = load_config(config.as_deref())?;
            pipeline::serve::serve(&out, &config.serve, bind.as_deref(), |addr| {
                use std::io::Write;
                println!("listening on http://{addr} (OAI-PMH: /oai, search: /search)");
                let _ = std::io::stdout().flush();
            })?;
            Ok(0)
        }
        Command::DefaultConfig => {
            print!("{}", pipeline::config::DEFAULT_TOML);
            Ok(0)
        }
    }
}

/// The run as one JSON object: counts, failures and the pages the report
/// flags, most serious first.
fn run_summary_json(s: &pipeline::RunSummary, out: &std::path::Path) -> serde_json::Value {
    serde_json::json!({
        "out": out,
        "packaged": s.packaged.len(),
        "already_done": s.already_done.len(),
        "failed": s.failed.iter().map(|(id, why)| serde_json::json!({"id": id, "error": why})).collect::<Vec<_>>(),
        "pages": s.pages,
        "seconds": s.seconds,
        "interrupted": s.interrupted,
        "output_error": s.output_error,
        "report": s.report,
        "review": s.review,
        "warnings": s.warnings,
    })
}

/// What `run` prints besides its errors and summary line.
#[derive(Clone, Copy)]
struct Show {
    /// JSON objects on stdout.
    json: bool,
    /// Nothing but errors and the summary line.
    quiet: bool,
}

fn run(opts: RunOptions, show: Show) -> Result<u8> {
    let out = opts.out.clone();
    let s = pipeline::run(opts)?;
    if show.json {
        println!(
            "{}",
            serde_json::json!({ "summary": run_summary_json(&s, &out) })
        );
    }
    if !show.quiet {
        for n in &s.notices {
            eprintln!("note: {n}");
        }
        for w in &s.warnings {
            eprintln!("warning: {w}");
        }
    }
    for (id, why) in &s.failed {
        eprintln!("FAILED {id}: {why}");
    }
    let rate = if s.seconds > 0.0 {
        s.pages as f64 / s.seconds
    } else {
        0.0
    };
    eprintln!(
        "diachi: {} packaged, {} already done, {} failed; {} pages in {:.1} s ({:.2} pages/s) -> {}",
        s.packaged.len(),
        s.already_done.len(),
        s.failed.len(),
        s.pages,
        s.seconds,
        rate,
        out.display()
    );
    if let Some(report) = s.report.as_ref().filter(|_| !show.quiet) {
        let pages = s.review.iter().filter(|f| f.page.is_some()).count();
        if pages > 0 {
            eprintln!("{pages} pages need a look:");
            for f in s.review.iter().filter(|f| f.page.is_some()).take(5) {
                eprintln!(
                    "  {} page {} ({}): {}",
                    f.document,
                    f.page.unwrap_or(0),
                    f.source.as_deref().unwrap_or(""),
                    f.reasons.join("; ")
                );
            }
            if pages > 5 {
                eprintln!("  ... and {} more", pages - 5);
            }
        }
        eprintln!("report: {}", report.display());
    }
    if let Some(e) = &s.output_error {
        eprintln!("diachi: error: output not writable: {e}; free space or fix the folder, then run again to resume");
        return Ok(EXIT_OUTPUT);
    }
    if s.interrupted {
        eprintln!("diachi: interrupted; run the same command again to resume");
        return Ok(EXIT_INTERRUPTED);
    }
    Ok(if s.all_ok() { 0 } else { EXIT_FAILED })
}

fn verify(path: &std::path::Path, opts: &pipeline::verify::Options, json: bool) -> Result<u8> {
    let results = pipeline::verify::verify_path(path, opts)?;
    let mut bad = 0;
    for (bag, v) in &results {
        if !v.is_intact() {
            bad += 1;
        }
        // Warnings go to stderr whatever the format, so that a script
        // reading stdout sees only verdicts.
        for w in &v.warnings {
            eprintln!("diachi: warning: {}: {w}", bag.display());
        }
        if json {
            println!("{}", pipeline::verify::to_json(bag, v));
        } else if v.is_intact() {
            println!("OK {} ({})", bag.display(), checked(v));
        } else {
            println!("BAD {}", bag.display());
            for p in &v.problems {
                println!("  {p}");
            }
        }
    }
    eprintln!(
        "diachi: {} of {} bags intact",
        results.len() - bad,
        results.len()
    );
    Ok(if bad == 0 { 0 } else { EXIT_FAILED })
}

/// What an intact verdict rests on, in words.
fn checked(v: &workers::bagit::Verification) -> String {
    let algorithms: Vec<&str> = v.algorithms.iter().map(|a| a.name()).collect();
    let version = v
        .version
        .map(|v| format!("BagIt {v}, "))
        .unwrap_or_default();
    match v.mode {
        Mode::Full => format!(
            "{version}{} files, {} bytes, checked with {}",
            v.files_checked,
            v.bytes_checked,
            algorithms.join(" and ")
        ),
        Mode::Fast => format!("{version}Payload-Oxum matches; fast check, no checksums"),
        Mode::CompletenessOnly => format!("{version}complete; no checksums"),
    }
}
