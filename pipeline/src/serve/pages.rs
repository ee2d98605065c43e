//! The web pages of `serve`: a search page and a document page, plain HTML
//! with no script (a form submitted by GET), Vietnamese by default.

use crate::collection::{Bag, Snapshot};
use crate::report::{esc, Ui};
use crate::search::{Results, Search};
use std::collections::BTreeMap;

const STYLE: &str = "body{font-family:'Noto Sans','Noto Sans Khmer',sans-serif;max-width:60em;margin:1em auto;padding:0 1em;color:#222}\
header{display:flex;justify-content:space-between;align-items:baseline}\
h1 a{color:inherit;text-decoration:none}form{display:flex;flex-wrap:wrap;gap:.5em;margin:1em 0}\
input[type=search]{flex:1 1 20em;font-size:1.1em;padding:.3em}input[type=number]{width:6em}\
.results>li{margin:1em 0;list-style:none}.meta{color:#555;margin:.2em 0}\
.pages{padding:0}.hit{display:flex;gap:.8em;margin:.5em 0;list-style:none}\
.hit img{width:80px;border:1px solid #ccc}.snippet b{background:#fe6}\
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3em;text-align:left;vertical-align:top}\
.thumbs{display:flex;flex-wrap:wrap;gap:1em;padding:0}.thumbs li{list-style:none;text-align:center}\
.thumbs img{width:140px;border:1px solid #ccc}";

/// The page around `body`.
fn page(ui: Ui, title: &str, switch: &str, body: &str) -> String {
    let lang = match ui {
        Ui::Vi => "vi",
        Ui::En => "en",
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body>\
         <header><h1><a href=\"/search{home}\">{site}</a></h1><nav><a href=\"{switch}\">{other}</a></nav></header>\
         {body}</body></html>\n",
        title = esc(title),
        home = if ui == Ui::En { "?ui=en" } else { "" },
        site = ui.t("Local-history collection", "Tài liệu địa chí"),
        switch = esc(switch),
        other = ui.t("Tiếng Việt", "English"),
    )
}

pub fn language_label(ui: Ui, code: &str) -> String {
    match code {
        "vie" => ui.t("Vietnamese", "Tiếng Việt").into(),
        "khm" => ui.t("Khmer", "Tiếng Khmer").into(),
        "eng" => ui.t("English", "Tiếng Anh").into(),
        "fra" => ui.t("French", "Tiếng Pháp").into(),
        other => other.to_string(),
    }
}

/// Collections (slug, name) and languages of the collection, for the
/// filters.
pub fn facets(snap: &Snapshot) -> (BTreeMap<String, String>, Vec<String>) {
    let mut collections = BTreeMap::new();
    let mut langs = std::collections::BTreeSet::new();
    for b in &snap.bags {
        if let Some(slug) = b.collection_slug() {
            collections.insert(slug, b.record.metadata.collection.clone());
        }
        langs.extend(b.record.language.iter().cloned());
    }
    (collections, langs.into_iter().collect())
}

fn select(name: &str, any: &str, options: &[(String, String)], chosen: Option<&str>) -> String {
    let mut s = format!(
        "<select name=\"{name}\" aria-label=\"{}\"><option value=\"\">{}</option>",
        esc(any),
        esc(any)
    );
    for (value, label) in options {
        let sel = if Some(value.as_str()) == chosen {
            " selected"
        } else {
            ""
        };
        s += &format!(
            "<option value=\"{}\"{sel}>{}</option>",
            esc(value),
            esc(label)
        );
    }
    s + "</select>"
}

/// The search page: the form, then the results of `s` if it was asked.
pub fn search_page(
    ui: Ui,
    snap: &Snapshot,
    s: &Search,
    results: Option<&Results>,
    query_string: &str,
) -> String {
    let (collections, langs) = facets(snap);
    let langs: Vec<(String, String)> = langs
        .iter()
        .map(|l| (l.clone(), language_label(ui, l)))
        .collect();
    let collections: Vec<(String, String)> = collections.into_iter().collect();
    let year = |v: Option<i64>| v.map(|y| y.to_string()).unwrap_or_default();
    let mut body = format!(
        "<form method=\"get\" action=\"/search\" role=\"search\">\
         <input type=\"search\" name=\"q\" id=\"q\" value=\"{q}\" placeholder=\"{ph}\" aria-label=\"{ph}\" autofocus>\
         {lang}{coll}\
         <input type=\"number\" name=\"from\" value=\"{from}\" placeholder=\"{fy}\" aria-label=\"{fy}\">\
         <input type=\"number\" name=\"until\" value=\"{until}\" placeholder=\"{uy}\" aria-label=\"{uy}\">\
         {hidden}<button type=\"submit\" id=\"go\">{go}</button></form>",
        q = esc(&s.q),
        ph = ui.t("Words to find (marks optional)", "Từ cần tìm (có dấu hoặc không dấu)"),
        lang = select("lang", ui.t("All languages", "Mọi ngôn ngữ"), &langs, s.lang.as_deref()),
        coll = select("collection", ui.t("All collections", "Mọi bộ sưu tập"), &collections, s.collection.as_deref()),
        from = year(s.from),
        until = year(s.until),
        fy = ui.t("From year", "Từ năm"),
        uy = ui.t("Until year", "Đến năm"),
        hidden = if ui == Ui::En { "<input type=\"hidden\" name=\"ui\" value=\"en\">" } else { "" },
        go = ui.t("Search", "Tìm"),
    );
    if let Some(r) = results {
        body += &results_html(ui, snap, s, r, query_string);
    }
    let title = if s.q.is_empty() {
        ui.t("Search", "Tìm kiếm").to_string()
    } else {
        format!("{} – {}", s.q, ui.t("Search", "Tìm kiếm"))
    };
    let switch = format!("/search?{}", toggled(query_string, ui));
    page(ui, &title, &switch, &body)
}

/// The query string with `key` replaced by `value` (or removed).
fn with_param(query_string: &str, key: &str, value: Option<&str>) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(query_string.as_bytes()).filter(|(k, _)| k != key) {
        ser.append_pair(&k, &v);
    }
    if let Some(v) = value {
        ser.append_pair(key, v);
    }
    ser.finish()
}

/// The query string with the interface language switched.
fn toggled(query_string: &str, ui: Ui) -> String {
    with_param(query_string, "ui", (ui == Ui::Vi).then_some("en"))
}

fn results_html(ui: Ui, snap: &Snapshot, s: &Search, r: &Results, query_string: &str) -> String {
    let mut h = format!(
        "<p class=\"count\" id=\"count\">{} {}, {} {}</p><ol class=\"results\">",
        r.documents,
        ui.t("documents", "tài liệu"),
        r.entries,
        ui.t("matching pages and records", "trang và mục khớp"),
    );
    if r.documents == 0 {
        h += &format!(
            "<li class=\"none\">{}</li>",
            ui.t("Nothing found.", "Không tìm thấy.")
        );
    }
    for d in &r.hits {
        let Some(bag) = snap.get(&d.id) else { continue };
        h += &format!(
            "<li class=\"doc\" data-id=\"{id}\"><h2><a href=\"/doc/{id}{u}\">{title}</a></h2><p class=\"meta\">{meta}</p><ul class=\"pages\">",
            id = esc(&d.id),
            u = if ui == Ui::En { "?ui=en" } else { "" },
            title = esc(&bag.record.title),
            meta = esc(&meta_line(ui, bag)),
        );
        for p in &d.pages {
            if p.page == 0 {
                h += &format!(
                    "<li class=\"hit\" data-page=\"0\"><div><a href=\"/doc/{id}\">{label}</a><p class=\"snippet\">{snip}</p></div></li>",
                    id = esc(&d.id),
                    label = ui.t("In the catalogue record", "Trong thư mục"),
                    snip = p.snippet,
                );
            } else {
                h += &format!(
                    "<li class=\"hit\" data-page=\"{n}\"><a class=\"pdf\" href=\"{pdf}#page={n}\"><img src=\"/thumb/{id}/{n}\" alt=\"{label} {n}\" loading=\"lazy\"></a>\
                     <div><a class=\"pdf\" href=\"{pdf}#page={n}\">{label} {n}</a><p class=\"snippet\">{snip}</p></div></li>",
                    n = p.page,
                    pdf = esc(&pdf_url(bag)),
                    id = esc(&d.id),
                    label = ui.t("Page", "Trang"),
                    snip = p.snippet,
                );
            }
        }
        h += "</ul></li>";
    }
    h += "</ol>";
    let more = s.offset + r.hits.len() < r.documents;
    if s.offset > 0 || more {
        h += "<nav class=\"paging\">";
        let with_start = |start: usize| {
            format!(
                "/search?{}",
                with_param(query_string, "start", Some(&start.to_string()))
            )
        };
        if s.offset > 0 {
            h += &format!(
                "<a rel=\"prev\" href=\"{}\">{}</a> ",
                esc(&with_start(s.offset.saturating_sub(s.limit))),
                ui.t("Previous", "Trang trước")
            );
        }
        if more {
            h += &format!(
                "<a rel=\"next\" href=\"{}\">{}</a>",
                esc(&with_start(s.offset + s.limit)),
                ui.t("Next", "Trang sau")
            );
        }
        h += "</nav>";
    }
    h
}

pub fn pdf_url(bag: &Bag) -> String {
    format!("/bag/{}/{}", bag.id, bag.pdf())
}

fn meta_line(ui: Ui, bag: &Bag) -> String {
    let m = &bag.record.metadata;
    let mut parts = Vec::new();
    if !m.creator.is_empty() {
        parts.push(m.creator.join("; "));
    }
    if !m.date.is_empty() {
        parts.push(m.date.clone());
    }
    parts.push(
        bag.record
            .language
            .iter()
            .map(|l| language_label(ui, l))
            .collect::<Vec<_>>()
            .join(", "),
    );
    if !m.collection.is_empty() {
        parts.push(m.collection.clone());
    }
    parts.push(format!(
        "{} {}",
        bag.record.pages.len(),
        ui.t("pages", "trang")
    ));
    parts.join(" · ")
}

/// A document's page: its catalogue record, its PDF, its pages.
pub fn document_page(ui: Ui, bag: &Bag) -> String {
    let r = &bag.record;
    let m = &r.metadata;
    let rows: Vec<(&str, String)> = vec![
        (ui.t("Title", "Nhan đề"), r.title.clone()),
        (ui.t("Creator", "Tác giả"), m.creator.join("; ")),
        (ui.t("Date", "Năm"), m.date.clone()),
        (
            ui.t("Language", "Ngôn ngữ"),
            r.language
                .iter()
                .map(|l| language_label(ui, l))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (ui.t("Subject", "Chủ đề"), m.subject.join("; ")),
        (ui.t("Coverage", "Địa danh"), m.coverage.join("; ")),
        (ui.t("Description", "Mô tả"), m.description.clone()),
        (ui.t("Publisher", "Nhà xuất bản"), m.publisher.join("; ")),
        (ui.t("Source", "Nguồn"), m.source.clone()),
        (ui.t("Rights", "Bản quyền"), m.rights.clone()),
        (ui.t("Collection", "Bộ sưu tập"), m.collection.clone()),
        (
            ui.t("Identifier", "Mã"),
            [vec![r.id.clone()], m.identifier.clone()]
                .concat()
                .join("; "),
        ),
    ];
    let mut body = format!(
        "<h2 id=\"title\">{}</h2><table class=\"record\">",
        esc(&r.title)
    );
    for (k, v) in rows.iter().filter(|(_, v)| !v.is_empty()) {
        body += &format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v));
    }
    body += &format!(
        "</table><p><a id=\"pdf\" href=\"{}\">{} (PDF/A)</a></p><ol class=\"thumbs\">",
        esc(&pdf_url(bag)),
        ui.t("Read the document", "Đọc tài liệu")
    );
    for p in &r.pages {
        body += &format!(
            "<li><a href=\"{pdf}#page={n}\"><img src=\"/thumb/{id}/{n}\" alt=\"{label} {n}\" loading=\"lazy\"><br>{label} {n}</a></li>",
            pdf = esc(&pdf_url(bag)),
            id = esc(&r.id),
            n = p.index,
            label = ui.t("Page", "Trang"),
        );
    }
    body += "</ol>";
    let switch = format!("/doc/{}{}", r.id, if ui == Ui::Vi { "?ui=en" } else { "" });
    page(ui, &r.title, &switch, &body)
}

/// A plain error page.
pub fn error_page(ui: Ui, message: &str) -> String {
    page(
        ui,
        ui.t("Error", "Lỗi"),
        "/search",
        &format!("<p class=\"error\">{}</p>", esc(message)),
    )
}
