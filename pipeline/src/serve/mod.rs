//! `diachi serve OUT`: a read-only HTTP server over a folder of bags.
//! OAI-PMH 2.0 at `/oai`, full-text search at `/search` (HTML, or JSON
//! with `Accept: application/json` or `format=json`), a page per document
//! at `/doc/<id>`, the files of each bag's manifest at `/bag/<id>/<path>`
//! and page thumbnails at `/thumb/<id>/<page>`. Bags that land while it
//! runs are published and indexed within `serve.rescan_seconds`.

mod files;
mod pages;

use crate::collection::{Shelf, Snapshot};
use crate::config::ServeConfig;
use crate::oai::Repository;
use crate::out_layout::OutLayout;
use crate::report::Ui;
use crate::search::{self, Finder, Search};
use crate::{Error, Result};
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Longest query string or form body read, in bytes.
const MAX_ARGS: usize = 8 * 1024;

struct App {
    shelf: Shelf,
    layout: OutLayout,
    repo: Repository,
    finder: Finder,
    ui: Ui,
    per_page: usize,
    /// The snapshot the index was last brought up to.
    indexed: Mutex<Option<Arc<Snapshot>>>,
    indexing: AtomicBool,
}

impl App {
    /// The collection now; when it changed since the index was updated,
    /// an update starts in the background (one at a time).
    fn snapshot(self: &Arc<Self>) -> Arc<Snapshot> {
        let snap = self.shelf.now();
        let stale = !self
            .indexed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .is_some_and(|s| Arc::ptr_eq(s, &snap));
        if stale && !self.indexing.swap(true, Ordering::AcqRel) {
            let app = self.clone();
            let snap = snap.clone();
            std::thread::spawn(move || {
                match search::index::update(&app.layout.search_index(), &snap, search::KHMER) {
                    Ok(u) if u.added + u.changed + u.removed > 0 => eprintln!(
                        "diachi serve: search index: {} added, {} changed, {} removed",
                        u.added, u.changed, u.removed
                    ),
                    Ok(_) => {}
                    Err(e) => eprintln!("diachi serve: search index not updated: {e}"),
                }
                app.finder.reload();
                *app.indexed.lock().unwrap_or_else(|p| p.into_inner()) = Some(snap);
                app.indexing.store(false, Ordering::Release);
            });
        }
        snap
    }
}

/// The OAI-PMH repository description from the settings.
pub fn repository(cfg: &ServeConfig, addr: SocketAddr) -> Repository {
    let root = if cfg.public_url.is_empty() {
        format!("http://{addr}")
    } else {
        cfg.public_url.trim_end_matches('/').to_string()
    };
    Repository {
        name: cfg.repository_name.clone(),
        base_url: format!("{root}/oai"),
        identifier: cfg.repository_identifier.clone(),
        admin_emails: cfg.admin_email.clone(),
        page_size: cfg.page_size,
    }
}

/// Serves `out` until the process is stopped. `bind` overrides the
/// setting; `on_ready` hears the address once it listens (port 0 picks a
/// free one).
pub fn serve(
    out: &Path,
    cfg: &ServeConfig,
    bind: Option<&str>,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    if !is_identifier_namespace(&cfg.repository_identifier) {
        return Err(Error::Config {
            path: "serve.repository_identifier".into(),
            reason: format!(
                "'{}' is not a domain name (OAI identifier scheme: letters, digits and '-', with a dot)",
                cfg.repository_identifier
            ),
        });
    }
    let bind = bind.unwrap_or(&cfg.bind);
    let net = |e: std::io::Error| Error::Listen {
        addr: bind.into(),
        reason: e.to_string(),
    };
    let listener = std::net::TcpListener::bind(bind).map_err(net)?;
    let addr = listener.local_addr().map_err(net)?;
    listener.set_nonblocking(true).map_err(net)?;
    let layout = OutLayout::new(out);
    let shelf =
        Shelf::open(out, Duration::from_secs(cfg.rescan_seconds)).map_err(|e| Error::Batch {
            path: out.to_path_buf(),
            reason: e.to_string(),
        })?;
    let finder = Finder::open(&layout.search_index(), search::KHMER)?;
    let app = Arc::new(App {
        shelf,
        layout,
        repo: repository(cfg, addr),
        finder,
        ui: Ui::from_setting(&cfg.language),
        per_page: cfg.results_per_page.max(1),
        indexed: Mutex::new(None),
        indexing: AtomicBool::new(false),
    });
    for u in &app.shelf.now().unreadable {
        eprintln!(
            "diachi serve: {} not published: {}",
            u.dir.display(),
            u.reason
        );
    }
    app.snapshot();
    let router = Router::new()
        .route("/", get(|| async { Redirect::to("/search") }))
        .route("/oai", get(oai_get).post(oai_post))
        .route("/search", get(search_get))
        .route("/doc/{id}", get(document))
        .route("/bag/{id}/{*path}", get(bag_file))
        .route("/thumb/{id}/{page}", get(thumbnail))
        .with_state(app);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(net)?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).map_err(net)?;
        on_ready(addr);
        axum::serve(listener, router).await.map_err(net)
    })
}

/// OAI identifier scheme's namespace-identifier: a domain name.
fn is_identifier_namespace(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            p.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// `k=v&…` decoded strictly: `None` when a value is not UTF-8 once
/// percent-decoded, or the whole is too long.
fn parse_args(raw: &[u8]) -> Option<Vec<(String, String)>> {
    if raw.len() > MAX_ARGS {
        return None;
    }
    let mut out = Vec::new();
    for pair in raw.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (k, v) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &b""[..]),
        };
        let decode = |s: &[u8]| -> Option<String> {
            let plus: Vec<u8> = s
                .iter()
                .map(|&b| if b == b'+' { b' ' } else { b })
                .collect();
            let bytes: Vec<u8> = percent_encoding::percent_decode(&plus).collect();
            String::from_utf8(bytes).ok()
        };
        out.push((decode(k)?, decode(v)?));
    }
    Some(out)
}

fn xml(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn oai(app: &Arc<App>, raw: &[u8]) -> Response {
    let snap = app.snapshot();
    match parse_args(raw) {
        Some(args) => xml(crate::oai::respond(&app.repo, &snap, &args, now())),
        None => xml(crate::oai::refuse(
            &app.repo,
            "the arguments are not valid UTF-8 once decoded, or longer than 8 KiB",
            now(),
        )),
    }
}

async fn oai_get(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> Response {
    oai(&app, q.unwrap_or_default().as_bytes())
}

async fn oai_post(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "OAI-PMH POST requests are application/x-www-form-urlencoded\n",
        )
            .into_response();
    }
    oai(&app, &body)
}

fn ui_of(app: &App, args: &[(String, String)]) -> Ui {
    match args
        .iter()
        .find(|(k, _)| k == "ui")
        .map(|(_, v)| v.as_str())
    {
        Some(v) => Ui::from_setting(v),
        None => app.ui,
    }
}

fn wants_json(args: &[(String, String)], headers: &HeaderMap) -> bool {
    if let Some((_, f)) = args.iter().find(|(k, _)| k == "format") {
        return f == "json";
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let json = accept.find("application/json");
    let html = accept.find("text/html");
    json.is_some_and(|j| html.is_none_or(|h| j < h))
}

fn bad_request(ui: Ui, json: bool, message: &str) -> Response {
    if json {
        (
            StatusCode::BAD_REQUEST,
            axum::Json(serde_json::json!({ "error": message })),
        )
            .into_response()
    } else {
        (
            StatusCode::BAD_REQUEST,
            axum::response::Html(pages::error_page(ui, message)),
        )
            .into_response()
    }
}

async fn search_get(
    State(app): State<Arc<App>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let raw = q.unwrap_or_default();
    let Some(args) = parse_args(raw.as_bytes()) else {
        let asked_json = raw.split('&').any(|p| p == "format=json");
        return bad_request(
            app.ui,
            asked_json || wants_json(&[], &headers),
            app.ui.t(
                "the query is not valid UTF-8 once decoded, or longer than 8 KiB",
                "truy vấn không phải UTF-8 hợp lệ, hoặc dài hơn 8 KiB",
            ),
        );
    };
    let ui = ui_of(&app, &args);
    let json = wants_json(&args, &headers);
    let get = |k: &str| {
        args.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let year = |k: &str| -> std::result::Result<Option<i64>, String> {
        get(k)
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    format!("{k}: '{v}' {}", ui.t("is not a year", "không phải là năm"))
                })
            })
            .transpose()
    };
    let q = get("q").unwrap_or_default();
    if q.chars().count() > search::query::MAX_QUERY_CHARS {
        return bad_request(
            ui,
            json,
            &format!(
                "{} {} {}",
                ui.t("the query is longer than", "truy vấn dài hơn"),
                search::query::MAX_QUERY_CHARS,
                ui.t("characters", "ký tự")
            ),
        );
    }
    let (from, until) = match (year("from"), year("until")) {
        (Ok(f), Ok(u)) => (f, u),
        (Err(e), _) | (_, Err(e)) => return bad_request(ui, json, &e),
    };
    let start = match get("start").map(|s| s.parse::<usize>()) {
        None => 0,
        Some(Ok(n)) if n <= 10_000 => n,
        Some(_) => {
            let msg = ui.t(
                "start: not a result number",
                "start: không phải số thứ tự kết quả",
            );
            return bad_request(ui, json, msg);
        }
    };
    let s = Search {
        q,
        lang: get("lang"),
        collection: get("collection"),
        from,
        until,
        offset: start,
        limit: app.per_page,
    };
    let snap = app.snapshot();
    let results = if s.q.is_empty() {
        None
    } else {
        let app2 = app.clone();
        let s2 = s.clone();
        match tokio::task::spawn_blocking(move || app2.finder.search(&s2)).await {
            Ok(Ok(r)) => Some(r),
            Ok(Err(e)) => {
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("search failed: {e}\n"),
                )
                    .into_response()
            }
            Err(e) => {
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("search failed: {e}\n"),
                )
                    .into_response()
            }
        }
    };
    if json {
        return axum::Json(results_json(&snap, &s, results.as_ref())).into_response();
    }
    axum::response::Html(pages::search_page(ui, &snap, &s, results.as_ref(), &raw)).into_response()
}

fn results_json(snap: &Snapshot, s: &Search, r: Option<&search::Results>) -> serde_json::Value {
    let empty = search::Results::default();
    let r = r.unwrap_or(&empty);
    let hits: Vec<serde_json::Value> = r
        .hits
        .iter()
        .filter_map(|d| {
            let bag = snap.get(&d.id)?;
            let m = &bag.record.metadata;
            let pdf = pages::pdf_url(bag);
            Some(serde_json::json!({
                "id": d.id,
                "title": bag.record.title,
                "creator": m.creator,
                "date": m.date,
                "language": bag.record.language,
                "collection": m.collection,
                "url": format!("/doc/{}", d.id),
                "pdf": pdf,
                "score": d.score,
                "pages": d.pages.iter().map(|p| {
                    if p.page == 0 {
                        serde_json::json!({"page": 0, "snippet": p.snippet, "score": p.score})
                    } else {
                        serde_json::json!({
                            "page": p.page,
                            "snippet": p.snippet,
                            "score": p.score,
                            "pdf": format!("{pdf}#page={}", p.page),
                            "thumbnail": format!("/thumb/{}/{}", d.id, p.page),
                        })
                    }
                }).collect::<Vec<_>>(),
            }))
        })
        .collect();
    serde_json::json!({
        "query": s.q,
        "lang": s.lang,
        "collection": s.collection,
        "from": s.from,
        "until": s.until,
        "start": s.offset,
        "documents": r.documents,
        "entries": r.entries,
        "hits": hits,
    })
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

async fn document(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let args = parse_args(q.unwrap_or_default().as_bytes()).unwrap_or_default();
    let ui = ui_of(&app, &args);
    let snap = app.snapshot();
    match snap.get(&id) {
        Some(bag) => axum::response::Html(pages::document_page(ui, bag)).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            axum::response::Html(pages::error_page(
                ui,
                ui.t("No such document.", "Không có tài liệu này."),
            )),
        )
            .into_response(),
    }
}

fn file_response(bytes: Vec<u8>, content_type: &'static str) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

async fn bag_file(
    State(app): State<Arc<App>>,
    UrlPath((id, path)): UrlPath<(String, String)>,
) -> Response {
    let snap = app.snapshot();
    let Some(bag) = snap.get(&id) else {
        return not_found();
    };
    // Only what the manifest lists, spelled exactly as there.
    if !bag.files.contains(&path) {
        return not_found();
    }
    let dir = bag.dir.clone();
    let read = tokio::task::spawn_blocking(move || {
        let bytes = files::read_inside(&dir, &path);
        (bytes, files::content_type(&path))
    })
    .await;
    match read {
        Ok((Ok(bytes), ct)) => file_response(bytes, ct),
        Ok((Err(files::Refusal::Unreadable), _)) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "unreadable\n").into_response()
        }
        _ => not_found(),
    }
}

async fn thumbnail(
    State(app): State<Arc<App>>,
    UrlPath((id, page)): UrlPath<(String, String)>,
) -> Response {
    let snap = app.snapshot();
    let (Some(bag), Ok(n)) = (snap.get(&id), page.parse::<usize>()) else {
        return not_found();
    };
    if n == 0 || n > bag.record.pages.len() {
        return not_found();
    }
    let base = app.layout.state();
    let rel = format!("thumbs/{id}/{n:04}.jpg");
    match tokio::task::spawn_blocking(move || files::read_inside(&base, &rel)).await {
        Ok(Ok(bytes)) => file_response(bytes, "image/jpeg"),
        _ => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_decode_strictly() {
        assert_eq!(
            parse_args(b"q=c%E1%BA%A7n+th%C6%A1&lang=vie").unwrap(),
            vec![
                ("q".into(), "cần thơ".into()),
                ("lang".into(), "vie".into())
            ]
        );
        assert!(parse_args(b"q=%FF%FE").is_none());
        assert!(parse_args(&vec![b'a'; MAX_ARGS + 1]).is_none());
    }

    #[test]
    fn identifier_namespaces() {
        assert!(is_identifier_namespace("diachi.example.org"));
        assert!(!is_identifier_namespace("localhost"));
        assert!(!is_identifier_namespace("thư-viện.vn"));
    }
}
