//! `diachi run`: the batch, scheduled. Pages of a document are mapped in
//! parallel; each document is reduced, in page order, to its bag as soon as
//! its pages are done. A failed document is reported and the batch goes on.

use crate::config::{Config, OnBadPage};
use crate::context::Context;
use crate::discover::{self, DocumentInput, Notice};
use crate::out_layout::OutLayout;
use crate::summary::RunSummary;
use crate::{document, page, Error, Result};
use indicatif::ProgressBar;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;
use workers::lang::{LangSetting, Language};

pub struct RunOptions {
    pub batch: PathBuf,
    pub out: PathBuf,
    pub config: Config,
    /// `--lang`: overrides the config's language (batch.csv still wins).
    pub lang: Option<String>,
    /// `--jobs`: overrides `run.jobs`.
    pub jobs: Option<usize>,
    /// Show a progress bar (on a terminal).
    pub progress: bool,
    /// Set (by a signal handler, say) to stop: no new page is started, and
    /// unfinished documents are left for the next run to redo.
    pub cancel: Arc<AtomicBool>,
    /// Called as each document finishes, from the worker that finished it.
    pub on_document: Option<OnDocument>,
}

/// A callback told of each document as it finishes.
pub type OnDocument = Arc<dyn Fn(&crate::summary::DocumentEvent) + Send + Sync>;

/// Why a document's pages did not all make it.
#[derive(Debug)]
pub enum DocFailure {
    /// Pages that could not be read: their numbers (from 1) and why.
    Pages(Vec<(usize, workers::Error)>),
    /// Its files could not be packaged (a master changed since it was
    /// read, say).
    Package(workers::Error),
}

impl std::fmt::Display for DocFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DocFailure::Pages(pages) => {
                let each: Vec<String> = pages
                    .iter()
                    .map(|(n, e)| format!("page {n}: {e}"))
                    .collect();
                f.write_str(&each.join("; "))
            }
            DocFailure::Package(e) => e.fmt(f),
        }
    }
}

/// Why a document was not packaged.
enum DocError {
    /// Its input is bad: reported, the batch goes on.
    Failed(DocFailure),
    /// Writing its bag failed: the run stops.
    Output(workers::Error),
    /// The run was cancelled before it was done.
    Interrupted,
}

/// A document to do, with the languages it is read in.
type Job<'a> = (&'a DocumentInput, LangSetting);

/// What became of one document.
type Outcome = (String, std::result::Result<PathBuf, DocError>);

/// Runs a batch. An `Err` means nothing could be done at all (bad
/// configuration, missing model, unwritable output); per-document failures
/// are in the summary.
pub fn run(opts: RunOptions) -> Result<RunSummary> {
    let started = Instant::now();
    let batch = discover::discover(&opts.batch)?;
    let mut summary = RunSummary::default();
    let mut jobs = plan(&batch, &opts, &mut summary)?;
    let ids: Vec<&str> = batch.documents.iter().map(|d| d.id.as_str()).collect();
    let (overrides, notes) = crate::overrides::Overrides::load(&opts.batch, &ids)?;
    summary.warnings.extend(notes);
    let mut ctx = open_output(&opts, &jobs, overrides)?;
    ctx.khmer_net = khmer_net(&opts.config, &jobs, &mut summary);
    skip_done(&mut jobs, &ctx, &mut summary)?;
    let total: usize = jobs.iter().map(|(d, _)| d.pages.len()).sum();
    let bar = crate::progress::bar(
        total as u64,
        opts.progress,
        "{bar:40} {pos}/{len} files  {per_sec}  ETA {eta}",
    );
    // The bar counts files; the summary counts the pages they held.
    let results = schedule(&jobs, &ctx, &bar, &opts)?;
    bar.finish_and_clear();
    record_outcomes(results, &mut summary);
    summary.warnings.extend(std::mem::take(
        &mut *ctx.warnings.lock().expect("not poisoned"),
    ));
    summary.pages = ctx.pages_read.load(Ordering::SeqCst);
    summary.peak_pixels_in_flight = ctx.pixels.peak();
    summary.engines_loaded = ctx.engines.loaded();
    summary.seconds = started.elapsed().as_secs_f64();
    write_report(&opts.batch, &ctx, &mut summary);
    if summary.all_ok() {
        // The next batch into this folder gets a timestamp of its own.
        let _ = fs::remove_file(ctx.out.timestamp());
    }
    Ok(summary)
}

/// The batch's documents with their languages; discovery's notices and
/// documents whose language cannot be read go into the summary.
fn plan<'a>(
    batch: &'a discover::Batch,
    opts: &RunOptions,
    summary: &mut RunSummary,
) -> Result<Vec<Job<'a>>> {
    let default_lang = match &opts.lang {
        Some(l) => LangSetting::parse(l).map_err(|e| Error::Config {
            path: "--lang".into(),
            reason: e,
        })?,
        None => LangSetting::parse(&opts.config.ocr.language)
            .expect("checked when the config was loaded"),
    };
    for notice in &batch.notices {
        match notice {
            Notice::Warning(w) => summary.warnings.push(w.clone()),
            Notice::DocumentError { id, reason } => {
                summary.failed.push((id.clone(), reason.clone()))
            }
        }
    }
    let mut jobs = Vec::new();
    for doc in &batch.documents {
        match document_languages(doc, &default_lang) {
            Ok(langs) => jobs.push((doc, langs)),
            Err(reason) => summary.failed.push((doc.id.clone(), reason)),
        }
    }
    Ok(jobs)
}

/// The worker threads of the run: `--jobs`, else `run.jobs`; 0 is one a
/// core, as rayon takes it.
fn threads(opts: &RunOptions) -> usize {
    match opts.jobs.unwrap_or(opts.config.run.jobs) {
        0 => workers::slots::cores(),
        n => n,
    }
}

/// Pages prepared and read at once: `run.pages_read_at_once`, or one a
/// core when it is 0; never more than the run's threads.
fn pages_read_at_once(opts: &RunOptions) -> usize {
    match opts.config.run.pages_read_at_once {
        0 => workers::slots::cores(),
        n => n,
    }
    .min(threads(opts))
}

/// Checks the models the jobs need, then makes the output folder ready and
/// locks it: the run's context.
fn open_output(
    opts: &RunOptions,
    jobs: &[Job],
    overrides: crate::overrides::Overrides,
) -> Result<Context> {
    let tessdata = opts.config.tessdata().ok_or_else(|| {
        Error::MissingDependency(
            "no tessdata folder found: install tesseract-ocr or set ocr.tessdata".into(),
        )
    })?;
    let needed: Vec<Language> = jobs.iter().flat_map(|(_, l)| l.models()).collect();
    let models = check_models(&tessdata, needed)?;
    let layout = OutLayout::new(prepare_output(&opts.out)?);
    let lock = lock_output(&layout)?;
    workers::ocr::log_messages_to(&layout.engine_log()).map_err(|e| Error::Output {
        path: layout.engine_log(),
        reason: e.to_string(),
    })?;
    let reading = pages_read_at_once(opts);
    Ok(Context {
        // A page holds its engines only while it is read, so no more
        // engines of a language are ever in use than pages read at once.
        engines: crate::engines::EnginePool::new(&tessdata, reading),
        reading: workers::slots::Slots::new(reading),
        timestamp: batch_timestamp(&layout)?,
        tesseract_version: workers::ocr::tesseract_version(),
        config: opts.config.clone(),
        out: layout,
        models,
        khmer_net: None,
        warnings: Default::default(),
        pages_read: Default::default(),
        pixels: crate::budget::PixelBudget::new(crate::budget::limit(
            opts.config.run.pixels_in_flight,
            workers::slots::cores(),
        )),
        overrides,
        _lock: lock,
    })
}

/// The Khmer network, loaded once when some document may hold Khmer and
/// `ocr.khmer_engine` allows. Its absence is never an error: Khmer is then
/// read by Tesseract alone, and the summary says so in one line.
fn khmer_net(
    config: &crate::config::Config,
    jobs: &[Job],
    summary: &mut RunSummary,
) -> Option<std::sync::Arc<workers::neural::KhmerNet>> {
    use crate::config::KhmerEngine;
    let engine = config.ocr.khmer_engine;
    let khmer = jobs
        .iter()
        .any(|(_, l)| l.models().contains(&Language::Khmer));
    if engine == KhmerEngine::Tesseract || !khmer {
        return None;
    }
    match workers::neural::KhmerNet::load(&config.models_dir()) {
        Ok(net) => Some(std::sync::Arc::new(net)),
        Err(e) => {
            let line = format!("Khmer is read by Tesseract alone: {e}");
            match engine {
                KhmerEngine::Neural => summary.warnings.push(line),
                _ => summary.notices.push(line),
            }
            None
        }
    }
}

/// Leaves out the documents whose bag is already complete (an interrupted
/// run resumes); a folder in the way that is not a bag stops the run.
fn skip_done(jobs: &mut Vec<Job>, ctx: &Context, summary: &mut RunSummary) -> Result<()> {
    jobs.retain(|(doc, _)| {
        let bag = ctx.out.bag(&doc.id);
        let done = workers::bagit::is_bag(&bag) && made_with(&bag) == ctx.overrides.digest(&doc.id);
        if done {
            summary.already_done.push(doc.id.clone());
        }
        !done
    });
    // A bag whose overrides changed is redone and replaces the old one.
    match jobs
        .iter()
        .find(|(d, _)| ctx.out.bag(&d.id).exists() && !workers::bagit::is_bag(&ctx.out.bag(&d.id)))
    {
        Some((doc, _)) => Err(Error::Output {
            path: ctx.out.bag(&doc.id),
            reason: "exists and is not a bag; move it away".into(),
        }),
        None => Ok(()),
    }
}

/// Runs the jobs on a pool of `jobs` threads (`run.jobs` when `None`):
/// documents and their pages in parallel, each document packaged once its
/// pages are done. A failure to write the output cancels the rest.
fn schedule(
    jobs: &[Job],
    ctx: &Context,
    bar: &ProgressBar,
    opts: &RunOptions,
) -> Result<Vec<Outcome>> {
    let cancel = &*opts.cancel;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads(opts))
        .thread_name(|i| format!("diachi-{i}"))
        .build()
        .map_err(|e| Error::Config {
            path: "--jobs".into(),
            reason: e.to_string(),
        })?;
    let results = pool.install(|| {
        crate::parallel::each(jobs, |(doc, langs)| {
            let r = process_document(doc, langs, ctx, bar, cancel);
            match &r {
                Err(DocError::Failed(e)) => bar.println(format!("FAILED {}: {e}", doc.id)),
                Err(DocError::Output(e)) => {
                    bar.println(format!("STOPPING: cannot write {}: {e}", doc.id));
                    cancel.store(true, Ordering::SeqCst);
                }
                _ => {}
            }
            if let Some(tell) = &opts.on_document {
                tell(&document_event(&doc.id, &r));
            }
            (doc.id.clone(), r)
        })
    });
    Ok(results)
}

fn document_event(
    id: &str,
    r: &std::result::Result<PathBuf, DocError>,
) -> crate::summary::DocumentEvent {
    let (status, bag, error) = match r {
        Ok(path) => ("packaged", Some(path.clone()), None),
        Err(DocError::Failed(e)) => ("failed", None, Some(e.to_string())),
        Err(DocError::Output(e)) => ("failed", None, Some(e.to_string())),
        Err(DocError::Interrupted) => ("interrupted", None, None),
    };
    crate::summary::DocumentEvent {
        id: id.to_string(),
        status,
        bag,
        error,
    }
}

/// The overrides digest a bag was made with, from its record.json.
fn made_with(bag: &Path) -> Option<String> {
    let text = fs::read_to_string(bag.join("data/metadata/record.json")).ok()?;
    serde_json::from_str::<crate::record::Record>(&text)
        .ok()?
        .overrides_sha256
}

/// Each document's outcome into the summary.
fn record_outcomes(results: Vec<Outcome>, summary: &mut RunSummary) {
    for (id, r) in results {
        match r {
            Ok(path) => summary.packaged.push((id, path)),
            Err(DocError::Failed(e)) => summary.failed.push((id, e.to_string())),
            Err(DocError::Output(e)) => {
                summary.output_error = summary.output_error.take().or(Some(e.to_string()))
            }
            Err(DocError::Interrupted) => summary.interrupted = true,
        }
    }
}

/// OUT/report.json and OUT/report.html over every bag in OUT and this
/// run's failures. A report that cannot be written is a warning: the bags
/// are what matters.
fn write_report(batch: &Path, ctx: &Context, summary: &mut RunSummary) {
    let records = match crate::catalog::records(ctx.out.root()) {
        Ok(r) => r,
        Err(e) => {
            summary.warnings.push(format!("report not written: {e}"));
            return;
        }
    };
    let report = crate::report::build(
        ctx.out.root(),
        batch,
        &ctx.timestamp,
        &records,
        &summary.failed,
        summary,
        &ctx.config.report,
    );
    match crate::report::write(ctx.out.root(), &report) {
        Ok(()) => {
            summary.report = Some(ctx.out.root().join("report.html"));
            summary.review = report.review;
        }
        Err(e) => summary.warnings.push(format!("report not written: {e}")),
    }
}

fn process_document(
    doc: &DocumentInput,
    langs: &LangSetting,
    ctx: &Context,
    bar: &ProgressBar,
    cancel: &AtomicBool,
) -> std::result::Result<PathBuf, DocError> {
    let results: Vec<Option<workers::Result<Vec<page::PageOutput>>>> =
        crate::parallel::each(&doc.pages, |p| {
            if cancel.load(Ordering::SeqCst) {
                return None;
            }
            let r = page::process(p, langs, ctx);
            bar.inc(1);
            crate::fault::page_done();
            Some(r)
        });
    if cancel.load(Ordering::SeqCst) {
        return Err(DocError::Interrupted);
    }
    let mut kept = Vec::with_capacity(results.len());
    let mut pages = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Some(Ok(outputs)) => {
                ctx.pages_read.fetch_add(outputs.len(), Ordering::SeqCst);
                // A spread's two pages both come from this file.
                for p in outputs {
                    pages.push(p);
                    kept.push(doc.pages[i].clone());
                }
            }
            Some(Err(e)) => errors.push((i + 1, e)),
            None => return Err(DocError::Interrupted),
        }
    }
    if errors.is_empty() {
        apply_overrides(doc, langs, ctx, &mut pages, &kept)
            .map_err(|e| DocError::Failed(DocFailure::Package(e)))?;
        for (i, p) in pages.iter_mut().enumerate() {
            p.document_page = i + 1;
        }
        let skipped = take_skipped(doc, ctx, &mut pages, &mut kept)?;
        let doc = DocumentInput {
            pages: kept,
            ..doc.clone()
        };
        return package(&doc, langs, &pages, &skipped, ctx);
    }
    let failure = DocFailure::Pages(errors);
    if ctx.config.run.on_bad_page != OnBadPage::SkipPage || pages.is_empty() {
        return Err(DocError::Failed(failure));
    }
    let warning = format!("{}: skipped {failure}", doc.id);
    bar.println(format!("WARNING {warning}"));
    ctx.warnings.lock().expect("not poisoned").push(warning);
    let doc = DocumentInput {
        pages: kept,
        ..doc.clone()
    };
    package(&doc, langs, &pages, &[], ctx)
}

/// Applies staff's decisions (overrides.csv) to a document's pages: each
/// file holding a page turned or read in another language by hand is read
/// again with those decisions, and its pages replaced. Rows naming a page
/// the document does not have change nothing and are said.
fn apply_overrides(
    doc: &DocumentInput,
    langs: &LangSetting,
    ctx: &Context,
    pages: &mut [page::PageOutput],
    files: &[PathBuf],
) -> workers::Result<()> {
    let rows = ctx.overrides.of(&doc.id);
    let mut by_file: Vec<(PathBuf, Vec<(page::PageKey, page::Force)>)> = Vec::new();
    for row in rows {
        let note = |w: String| ctx.warnings.lock().expect("not poisoned").push(w);
        if row.page > pages.len() {
            note(format!(
                "{} line {}: '{}' has {} pages, no page {}; ignored",
                crate::overrides::FILE,
                row.line,
                doc.id,
                pages.len(),
                row.page
            ));
            continue;
        }
        if !row.rereads() {
            continue;
        }
        let force = page::Force {
            turn: row.rotate.and_then(workers::page::Turn::from_degrees),
            lang: row
                .language
                .as_deref()
                .and_then(|l| LangSetting::parse(l).ok()),
            by_hand: workers::record::ByHand {
                rotate: row.rotate,
                language: row.language.clone(),
                note: row.note.clone(),
            },
        };
        let file = files[row.page - 1].clone();
        let key = page::key_of(&pages[row.page - 1]);
        match by_file.iter_mut().find(|(f, _)| *f == file) {
            Some((_, forces)) => forces.push((key, force)),
            None => by_file.push((file, vec![(key, force)])),
        }
    }
    for (file, forces) in by_file {
        let again = page::process_forced(&file, langs, ctx, &forces)?;
        let at: Vec<usize> = (0..pages.len()).filter(|&i| files[i] == file).collect();
        if again.len() != at.len() {
            return Err(workers::Error::Decode {
                path: file,
                reason: format!(
                    "read again by hand's decisions, it gave {} pages, not {}",
                    again.len(),
                    at.len()
                ),
            });
        }
        for (i, p) in at.into_iter().zip(again) {
            pages[i] = p;
        }
    }
    Ok(())
}

/// Takes the pages staff skipped (overrides.csv) out of the document's
/// derivatives; their masters stay (see [`document::Skipped`]). A document
/// whose every page is skipped fails: there would be nothing to read.
fn take_skipped(
    doc: &DocumentInput,
    ctx: &Context,
    pages: &mut Vec<page::PageOutput>,
    files: &mut Vec<PathBuf>,
) -> std::result::Result<Vec<document::Skipped>, DocError> {
    let rows: Vec<_> = ctx
        .overrides
        .of(&doc.id)
        .iter()
        .filter(|r| r.skip && r.page <= pages.len())
        .collect();
    if rows.len() == pages.len() && !rows.is_empty() {
        return Err(DocError::Failed(DocFailure::Package(
            workers::Error::Decode {
                path: doc
                    .dir
                    .parent()
                    .unwrap_or(&doc.dir)
                    .join(crate::overrides::FILE),
                reason: format!("every page of '{}' is skipped: nothing to package", doc.id),
            },
        )));
    }
    let skipped: Vec<document::Skipped> = rows
        .iter()
        .map(|r| {
            let p = &pages[r.page - 1];
            document::Skipped {
                page: r.page,
                file: files[r.page - 1].clone(),
                source: p.source.clone(),
                ext: p.ext.clone(),
                sha256: p.sha256.clone(),
                note: r.note.clone(),
            }
        })
        .collect();
    // Last first, so that the numbers of the others hold.
    for r in rows.iter().rev() {
        pages.remove(r.page - 1);
        files.remove(r.page - 1);
    }
    Ok(skipped)
}

/// Packages a document, telling a failure to write the output (which stops
/// the run) from a problem with the document's own files.
fn package(
    doc: &DocumentInput,
    langs: &LangSetting,
    pages: &[page::PageOutput],
    skipped: &[document::Skipped],
    ctx: &Context,
) -> std::result::Result<PathBuf, DocError> {
    document::package(doc, langs, pages, skipped, ctx).map_err(|e| {
        // Leave nothing half-built behind; the next run starts the bag afresh.
        let _ = fs::remove_dir_all(ctx.out.staging_for(&doc.id));
        match &e {
            workers::Error::Io { path, .. } if path.starts_with(ctx.out.root()) => {
                DocError::Output(e)
            }
            _ => DocError::Failed(DocFailure::Package(e)),
        }
    })
}

/// The document's languages: batch.csv's column, else the default. With
/// `auto`, each page is read in the language found on it.
fn document_languages(
    doc: &DocumentInput,
    default: &LangSetting,
) -> std::result::Result<LangSetting, String> {
    if doc.metadata.language.is_empty() {
        return Ok(default.clone());
    }
    LangSetting::parse(&doc.metadata.language).map_err(|e| format!("batch.csv language: {e}"))
}

/// Every model the batch needs must be installed; their digests go into
/// each record. Done before any page is touched.
fn check_models(
    tessdata: &Path,
    langs: impl IntoIterator<Item = Language>,
) -> Result<BTreeMap<Language, String>> {
    let mut models = BTreeMap::new();
    for lang in langs {
        if models.contains_key(&lang) {
            continue;
        }
        let file = lang.model_file(tessdata);
        if !file.is_file() {
            return Err(Error::MissingDependency(format!(
                "Tesseract model '{lang}' not found at {} (Debian/Ubuntu: apt-get install {})",
                file.display(),
                lang.package()
            )));
        }
        models.insert(lang, workers::fixity::sha256_file(&file)?);
    }
    Ok(models)
}

fn prepare_output(out: &Path) -> Result<PathBuf> {
    let bad = |path: &Path| {
        let path = path.to_path_buf();
        move |e: std::io::Error| Error::Output {
            path,
            reason: e.to_string(),
        }
    };
    let layout = OutLayout::new(out);
    let staging = layout.staging();
    fs::create_dir_all(&staging).map_err(bad(&staging))?;
    let probe = layout.write_test();
    fs::write(&probe, b"ok").map_err(bad(&probe))?;
    let _ = fs::remove_file(probe);
    out.canonicalize().map_err(bad(out))
}

/// One run per output folder: an exclusive lock on `.diachi/lock`, released
/// when the returned file is dropped (or the process dies).
fn lock_output(out: &OutLayout) -> Result<fs::File> {
    let path = out.lock();
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::Output {
            path: path.clone(),
            reason: e.to_string(),
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(Error::Locked {
            path: out.root().to_path_buf(),
            lock: path,
        }),
        Err(fs::TryLockError::Error(e)) => Err(Error::Output {
            path,
            reason: e.to_string(),
        }),
    }
}

/// The run's one timestamp: SOURCE_DATE_EPOCH when set; else the one an
/// interrupted run into this folder recorded, so that a resumed batch
/// writes the same dates; else now.
fn batch_timestamp(out: &OutLayout) -> Result<String> {
    use time::format_description::well_known::Rfc3339;
    if let Some(epoch) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
    {
        let t = time::OffsetDateTime::from_unix_timestamp(epoch).map_err(|e| Error::Config {
            path: "SOURCE_DATE_EPOCH".into(),
            reason: e.to_string(),
        })?;
        return Ok(t.format(&Rfc3339).expect("formattable"));
    }
    let path = out.timestamp();
    if let Ok(s) = fs::read_to_string(&path) {
        if time::OffsetDateTime::parse(s.trim(), &Rfc3339).is_ok() {
            return Ok(s.trim().to_string());
        }
    }
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("0 is valid");
    let s = now.format(&Rfc3339).expect("formattable");
    fs::write(&path, &s).map_err(|e| Error::Output {
        path,
        reason: e.to_string(),
    })?;
    Ok(s)
}
