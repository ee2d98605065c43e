//! `diachi index` and `diachi serve` with real clients: every OAI-PMH
//! response checked against the official schemas, a harvest by Sickle
//! (PyPI) across resumption tokens and then incrementally after a new bag
//! lands, the search page driven in headless Chromium, and hostile
//! requests that must reach nothing outside the bags.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `diachi serve` over its own copy of the sample bags.
struct Server {
    child: Child,
    addr: String,
    out: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Settings for the tests: pages of two records, so that the six sample
/// documents need resumption tokens, and a rescan every second.
const CONFIG: &str = "[serve]\npage_size = 2\nrescan_seconds = 1\nresults_per_page = 3\n";

fn start() -> Server {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    copy_tree(sample_out(), &out);
    let o = diachi(&["index", out.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(said.contains("6 added, 0 changed, 0 removed"), "{said}");
    // Indexing again reads nothing: every bag is unchanged.
    let again = diachi(&["index", out.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&again.stdout)
        .contains("0 added, 0 changed, 0 removed, 6 unchanged; 0 pages read"));
    let config = tmp.path().join("serve.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_diachi"))
        .args([
            "serve",
            out.to_str().unwrap(),
            "--bind",
            "127.0.0.1:0",
            "--config",
        ])
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .strip_prefix("listening on http://")
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    assert!(started.elapsed() < Duration::from_secs(5), "slow start");
    Server {
        child,
        addr,
        out,
        _tmp: tmp,
    }
}

/// An HTTP response as raw bytes split up.
struct Reply {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
}

/// Sends `target` exactly as written (no client normalises `..` away).
fn request(addr: &str, method: &str, target: &str, headers: &str, body: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n{headers}\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end: {}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    Reply {
        status,
        headers: head.to_ascii_lowercase(),
        body: raw[split + 4..].to_vec(),
    }
}

fn get(addr: &str, target: &str) -> Reply {
    request(addr, "GET", target, "", b"")
}

/// The value of the first `<name ...>text</name>` (or its attribute).
fn element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let start = xml.find(&format!("<{name}"))?;
    let rest = &xml[start..];
    let open_end = rest.find('>')?;
    if rest[..open_end].ends_with('/') {
        return Some("");
    }
    let close = rest.find(&format!("</{name}>"))?;
    Some(&rest[open_end + 1..close])
}

fn attribute<'a>(xml: &'a str, name: &str, attr: &str) -> Option<&'a str> {
    let start = xml.find(&format!("<{name}"))?;
    let tag = &xml[start..start + xml[start..].find('>')?];
    let at = tag.find(&format!(" {attr}=\""))? + attr.len() + 3;
    Some(&tag[at..at + tag[at..].find('"')?])
}

fn error_codes(xml: &str) -> Vec<String> {
    xml.match_indices("<error code=\"")
        .map(|(i, m)| {
            let rest = &xml[i + m.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

fn save(dir: &Path, n: usize, body: &[u8]) -> PathBuf {
    let p = dir.join(format!("{n:03}.xml"));
    std::fs::write(&p, body).unwrap();
    p
}

#[test]
fn oai_answers_every_verb_and_error_as_the_schema_says() {
    let srv = start();
    let dir = tempfile::tempdir().unwrap();
    let mut saved = Vec::new();
    let id = "oai:diachi.example.org:can-tho-1925";
    let cases: &[(&str, &[&str])] = &[
        ("verb=Identify", &[]),
        ("verb=ListMetadataFormats", &[]),
        (&format!("verb=ListMetadataFormats&identifier={id}"), &[]),
        (
            "verb=ListMetadataFormats&identifier=oai:diachi.example.org:nope",
            &["idDoesNotExist"],
        ),
        ("verb=ListSets", &[]),
        ("verb=ListSets&resumptionToken=abc", &["badResumptionToken"]),
        (
            &format!("verb=GetRecord&identifier={id}&metadataPrefix=oai_dc"),
            &[],
        ),
        (
            &format!("verb=GetRecord&identifier={id}&metadataPrefix=marc21"),
            &[],
        ),
        (
            &format!("verb=GetRecord&identifier={id}&metadataPrefix=mods"),
            &["cannotDisseminateFormat"],
        ),
        (
            "verb=GetRecord&identifier=can-tho-1925&metadataPrefix=oai_dc",
            &["idDoesNotExist"],
        ),
        ("verb=GetRecord&metadataPrefix=oai_dc", &["badArgument"]),
        (
            "verb=ListIdentifiers&metadataPrefix=oai_dc&set=language:khm",
            &[],
        ),
        (
            "verb=ListRecords&metadataPrefix=marc21&set=collection:chua-khmer-soc-trang",
            &[],
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&set=collection:nothing-here",
            &["noRecordsMatch"],
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2999-01-01",
            &["noRecordsMatch"],
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&until=1999-01-01T00:00:00Z",
            &["noRecordsMatch"],
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-01&until=2020-01-01T00:00:00Z",
            &["badArgument"],
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=yesterday",
            &["badArgument"],
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&set=bad%20set",
            &["badArgument"],
        ),
        (
            "verb=ListRecords&metadataPrefix=xyz",
            &["cannotDisseminateFormat"],
        ),
        ("verb=ListRecords", &["badArgument"]),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc",
            &["badArgument"],
        ),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=x",
            &["badArgument"],
        ),
        (
            "verb=ListRecords&resumptionToken=not-a-token",
            &["badResumptionToken"],
        ),
        // A token of ours, but from another verb, and a forged one.
        (
            "verb=ListIdentifiers&resumptionToken=eyJ2IjoxfQ",
            &["badResumptionToken"],
        ),
        ("verb=Identify&extra=1", &["badArgument"]),
        ("verb=Identify&verb=Identify", &["badVerb"]),
        ("verb=Harvest", &["badVerb"]),
        ("", &["badVerb"]),
        ("verb=ListRecords&metadataPrefix=%FF%FE", &["badArgument"]),
        ("verb=ListRecords&metadataPrefix=oai%20dc", &["badArgument"]),
        (
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:x%20y",
            &["badArgument"],
        ),
        (
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=http://x/%3Cy%3E",
            &["idDoesNotExist"],
        ),
    ];
    for (n, (query, want)) in cases.iter().enumerate() {
        let r = get(&srv.addr, &format!("/oai?{query}"));
        assert_eq!(r.status, 200, "{query}");
        assert!(r.headers.contains("content-type: text/xml"), "{query}");
        let xml = r.text();
        assert_eq!(error_codes(&xml), *want, "{query}:\n{xml}");
        // badVerb and badArgument answers echo no arguments (§3.6).
        if want.iter().any(|c| *c == "badVerb" || *c == "badArgument") {
            assert!(!xml.contains("<request verb="), "{query}:\n{xml}");
        }
        saved.push(save(dir.path(), n, &r.body));
    }
    // POST, as harvesters may send it.
    let post = request(
        &srv.addr,
        "POST",
        "/oai",
        "Content-Type: application/x-www-form-urlencoded\r\n",
        format!("verb=GetRecord&identifier={id}&metadataPrefix=oai_dc").as_bytes(),
    );
    assert!(
        post.text()
            .contains("<dc:title>Địa chí tỉnh Cần Thơ</dc:title>"),
        "{}",
        post.text()
    );
    saved.push(save(dir.path(), 900, &post.body));

    // Paging: six records two at a time, the cursor counting, the last
    // token empty, nothing repeated.
    let mut target = "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc".to_string();
    let mut seen = Vec::new();
    let mut cursors = Vec::new();
    loop {
        let xml = get(&srv.addr, &target).text();
        saved.push(save(dir.path(), 100 + seen.len(), xml.as_bytes()));
        for (i, _) in xml.match_indices("<identifier>") {
            let rest = &xml[i + 12..];
            seen.push(rest[..rest.find('<').unwrap()].to_string());
        }
        assert_eq!(
            attribute(&xml, "resumptionToken", "completeListSize"),
            Some("6"),
            "{xml}"
        );
        cursors.push(
            attribute(&xml, "resumptionToken", "cursor")
                .unwrap()
                .to_string(),
        );
        match element(&xml, "resumptionToken") {
            Some("") => break,
            Some(t) => target = format!("/oai?verb=ListIdentifiers&resumptionToken={t}"),
            None => panic!("no token: {xml}"),
        }
    }
    assert_eq!(cursors, ["0", "2", "4"]);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 6, "{seen:?}");
    // The Identify answer dates the earliest record and promises no
    // deleted records.
    let identify = get(&srv.addr, "/oai?verb=Identify").text();
    assert_eq!(element(&identify, "deletedRecord"), Some("no"));
    assert_eq!(
        element(&identify, "granularity"),
        Some("YYYY-MM-DDThh:mm:ssZ")
    );
    assert_eq!(
        element(&identify, "baseURL"),
        Some(format!("http://{}/oai", srv.addr).as_str())
    );
    validate("oai-pmh", &saved);
}

fn harvest(base: &str, prefix: &str, save_dir: &Path, from: Option<&str>) -> serde_json::Value {
    let script = root().join("tests/clients/harvest.py");
    let mut args = vec![
        script.to_str().unwrap(),
        base,
        prefix,
        save_dir.to_str().unwrap(),
    ];
    args.extend(from);
    let o = tool("python3", &args, "needs Sickle: scripts/setup.sh --test");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn xml_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

fn search_json(addr: &str, query: &str) -> serde_json::Value {
    get(addr, &format!("/search?{query}&format=json")).json()
}

#[test]
fn sickle_harvests_all_then_only_what_landed() {
    let srv = start();
    let base = format!("http://{}/oai", srv.addr);
    let tmp = tempfile::tempdir().unwrap();
    for prefix in ["oai_dc", "marc21"] {
        let dir = tmp.path().join(prefix);
        let h = harvest(&base, prefix, &dir, None);
        let records = h["records"].as_array().unwrap();
        assert_eq!(records.len(), 6, "{h}");
        // Six records two at a time: three requests, so two tokens followed.
        assert_eq!(h["requests"], 3, "{h}");
        for r in records {
            let id = r["identifier"]
                .as_str()
                .unwrap()
                .rsplit(':')
                .next()
                .unwrap();
            assert!(DOCS.contains(&id), "{id}");
            assert_eq!(r["title"][0], record(id)["title"], "{prefix} {id}");
        }
        let song_ngu = records
            .iter()
            .find(|r| r["identifier"] == "oai:diachi.example.org:song-ngu")
            .unwrap();
        assert_eq!(
            song_ngu["sets"],
            serde_json::json!([
                "collection:chua-khmer-soc-trang",
                "language:vie",
                "language:khm"
            ])
        );
        if prefix == "oai_dc" {
            let pdf = format!("http://{}/bag/song-ngu/data/song-ngu.pdf", srv.addr);
            assert!(song_ngu["identifiers"]
                .as_array()
                .unwrap()
                .contains(&pdf.clone().into()));
            // The link works, and is the bag's PDF byte for byte.
            let r = get(&srv.addr, "/bag/song-ngu/data/song-ngu.pdf");
            assert_eq!(r.status, 200);
            assert!(r.headers.contains("content-type: application/pdf"));
            assert_eq!(
                r.body,
                std::fs::read(srv.out.join("song-ngu/data/song-ngu.pdf")).unwrap()
            );
        }
        validate("oai-pmh", &xml_files(&dir));
    }

    // A new bag lands while the server runs. A harvest from the last
    // one's time brings it, and only it.
    let since = get(&srv.addr, "/oai?verb=Identify").text();
    let since = element(&since, "responseDate").unwrap().to_string();
    std::thread::sleep(Duration::from_millis(1100));
    let batch = batch_of(tmp.path(), &["moi-den"]);
    let o = diachi(&[
        "run",
        batch.to_str().unwrap(),
        "--out",
        srv.out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::thread::sleep(Duration::from_millis(1100));
    let dir = tmp.path().join("since");
    let h = harvest(&base, "oai_dc", &dir, Some(&since));
    let ids: Vec<&str> = h["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["identifier"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["oai:diachi.example.org:moi-den"], "{h}");
    validate("oai-pmh", &xml_files(&dir));
    // The search index picks it up too (its page is the can-tho sample).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = search_json(&srv.addr, "q=c%E1%BA%A7n+th%C6%A1&start=0");
        let found = r["documents"].as_u64().unwrap();
        if found == 3 {
            break;
        }
        assert!(Instant::now() < deadline, "new bag never searchable: {r}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn search_finds_words_with_or_without_marks_and_khmer_words() {
    let srv = start();
    let a = &srv.addr;
    // "can tho" without marks finds the documents spelling "Cần Thơ".
    let r = search_json(a, "q=can+tho");
    let ids = hit_ids(&r);
    assert_eq!(ids.len(), 2, "{r}");
    assert!(
        ids.contains(&"can-tho-1925") && ids.contains(&"ho-so-may-quet"),
        "{r}"
    );
    let page_hit = r["hits"][0]["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["page"].as_u64().unwrap() > 0)
        .unwrap()
        .clone();
    assert!(
        page_hit["snippet"]
            .as_str()
            .unwrap()
            .contains("<b>Cần</b> <b>Thơ</b>"),
        "{page_hit}"
    );
    let n = page_hit["page"].as_u64().unwrap();
    assert_eq!(
        page_hit["pdf"],
        format!("{}#page={n}", r["hits"][0]["pdf"].as_str().unwrap())
    );
    // The thumbnail it links to is the page's JPEG.
    let thumb = get(a, page_hit["thumbnail"].as_str().unwrap());
    assert_eq!(thumb.status, 200);
    assert!(thumb.body.starts_with(&[0xFF, 0xD8]));

    // Khmer, written without spaces: a word of the sample found inside
    // its sentence.
    let khmer = "វត្តឃ្លាំង";
    let q = |s: &str| form_encode(s);
    let r = search_json(a, &format!("q={}", q(khmer)));
    assert_eq!(r["hits"][0]["id"], "wat-khleang", "{r}");
    assert!(r["hits"][0]["pages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["page"] == 1));
    // Filters: language, collection, years.
    assert_eq!(
        search_json(a, &format!("q={}&lang=vie", q(khmer)))["documents"],
        0
    );
    let r = search_json(a, "q=s%C3%B3c+tr%C4%83ng&collection=chua-khmer-soc-trang");
    let ids = hit_ids(&r);
    assert!(
        !ids.is_empty() && ids.iter().all(|i| ["wat-khleang", "song-ngu"].contains(i)),
        "{r}"
    );
    let r = search_json(a, "q=can+tho&from=1930&until=1940");
    assert_eq!(r["hits"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["hits"][0]["id"], "ho-so-may-quet");
    // JSON by Accept; HTML otherwise, in Vietnamese or English.
    let by_accept = request(
        a,
        "GET",
        "/search?q=can+tho",
        "Accept: application/json\r\n",
        b"",
    );
    assert_eq!(by_accept.json()["documents"], 2);
    let html = get(a, "/search?q=can+tho").text();
    assert!(
        html.contains("<html lang=\"vi\">") && html.contains("2 tài liệu"),
        "{html}"
    );
    assert!(html.contains("href=\"/bag/can-tho-1925/data/can-tho-1925.pdf#page="));
    let en = get(a, "/search?q=can+tho&ui=en").text();
    assert!(en.contains("<html lang=\"en\">") && en.contains("2 documents"));
    // Paging, three documents a page (the test's setting).
    let all = search_json(a, "q=soc+trang")["documents"].as_u64().unwrap();
    assert!(all >= 4, "{all}");
    let first = get(a, "/search?q=soc+trang").text();
    assert!(
        first.contains("rel=\"next\" href=\"/search?q=soc+trang&amp;start=3\""),
        "{first}"
    );
    let second = search_json(a, "q=soc+trang&start=3");
    assert_eq!(
        second["hits"].as_array().unwrap().len() as u64,
        (all - 3).min(3)
    );
    let firsts = search_json(a, "q=soc+trang");
    assert!(hit_ids(&second)
        .iter()
        .all(|id| !hit_ids(&firsts).contains(id)));
    // The document page: its record, its PDF, its pages.
    let doc = get(a, "/doc/wat-khleang").text();
    assert!(
        doc.contains("ប្រវត្តិវត្តឃ្លាំង") && doc.contains("/bag/wat-khleang/data/wat-khleang.pdf#page=2"),
        "{doc}"
    );
    assert_eq!(get(a, "/doc/nope").status, 404);
}

/// The document ids of a JSON search answer, in order.
fn hit_ids(r: &serde_json::Value) -> Vec<&str> {
    r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect()
}

fn form_encode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[test]
fn hostile_requests_reach_nothing_outside_the_bags() {
    let srv = start();
    let a = &srv.addr;
    // A secret beside the bags, and a bag file swapped for a link to it.
    let secret = srv.out.parent().unwrap().join("secret.txt");
    std::fs::write(&secret, "TOP-SECRET").unwrap();
    let listed = srv.out.join("can-tho-1925/data/text/0001.txt");
    std::fs::remove_file(&listed).unwrap();
    std::os::unix::fs::symlink(&secret, &listed).unwrap();
    std::os::unix::fs::symlink(&secret, srv.out.join("wat-khleang/data/secret.txt")).unwrap();
    for target in [
        "/bag/can-tho-1925/data/text/0001.txt",
        "/bag/wat-khleang/data/secret.txt",
        "/bag/can-tho-1925/../../secret.txt",
        "/bag/can-tho-1925/%2e%2e/%2e%2e/secret.txt",
        "/bag/can-tho-1925/data/%2e%2e/%2e%2e/%2e%2e/secret.txt",
        "/bag/can-tho-1925//etc/passwd",
        "/bag/can-tho-1925/%2Fetc%2Fpasswd",
        "/bag/..%2Fsecret.txt/x",
        "/bag/../secret.txt",
        "/bag/can-tho-1925/bagit.txt",
        "/bag/can-tho-1925/data/masters/..%2F..%2Fbagit.txt",
        "/bag/.diachi/lock",
        "/thumb/can-tho-1925/..%2F..%2F..%2Fsecret.txt",
        "/thumb/can-tho-1925/0",
        "/thumb/can-tho-1925/99",
        "/../../etc/passwd",
    ] {
        let r = get(a, target);
        assert!(
            r.status == 404 || r.status == 400,
            "{target}: {} {}",
            r.status,
            r.text()
        );
        let body = r.text();
        assert!(
            !body.contains("TOP-SECRET") && !body.contains("root:"),
            "{target}"
        );
    }
    // What the manifest lists is served.
    assert_eq!(get(a, "/bag/can-tho-1925/data/text/0002.txt").status, 200);
    // Queries: too long, not UTF-8, malformed escapes, a huge URL.
    let long = "a".repeat(300);
    assert_eq!(get(a, &format!("/search?q={long}")).status, 400);
    assert_eq!(get(a, "/search?q=%FF%FE&format=json").status, 400);
    assert!(get(a, "/search?q=%FF%FE&format=json").json()["error"].is_string());
    let bad_year = get(a, "/search?q=can+tho&from=abc");
    assert_eq!(bad_year.status, 400);
    assert!(
        bad_year
            .text()
            .contains("from: &#39;abc&#39; không phải là năm"),
        "{}",
        bad_year.text()
    );
    assert_eq!(get(a, "/search?q=%zz%&format=json").status, 200);
    let huge = get(a, &format!("/search?q={}", "x".repeat(200_000)));
    assert!((400..500).contains(&huge.status), "{}", huge.status);
    // Signs only: no word to look for, no error.
    assert_eq!(search_json(a, "q=%22%2A%3A%28%29")["documents"], 0);
    // Garbage and tampered resumption tokens.
    for token in [
        "%00",
        "eyJ2IjoxLCJ2ZXJiIjoiTGlzdFJlY29yZHMifQ",
        &"Q".repeat(5000),
    ] {
        let xml = get(a, &format!("/oai?verb=ListRecords&resumptionToken={token}")).text();
        assert_eq!(error_codes(&xml), ["badResumptionToken"], "{xml}");
    }
    // A POST that is not a form.
    let r = request(
        a,
        "POST",
        "/oai",
        "Content-Type: text/plain\r\n",
        b"verb=Identify",
    );
    assert_eq!(r.status, 415);
    // Still serving.
    assert!(get(a, "/oai?verb=Identify").text().contains("<Identify>"));
}

#[test]
fn chromium_searches_as_a_reader_does() {
    let srv = start();
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("search.png");
    let script = root().join("tests/clients/browser.py");
    let o = tool(
        "python3",
        &[
            script.to_str().unwrap(),
            &format!("http://{}/search", srv.addr),
            shot.to_str().unwrap(),
            "can tho",
            "វត្តឃ្លាំង",
        ],
        "needs chromium and chromium-driver: scripts/setup.sh --test",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let runs: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let vi = &runs[0];
    assert!(vi["url"].as_str().unwrap().contains("q=can+tho"), "{vi}");
    assert!(
        vi["count"].as_str().unwrap().starts_with("2 tài liệu"),
        "{vi}"
    );
    let docs = vi["documents"].as_array().unwrap();
    assert_eq!(docs[0]["id"], "can-tho-1925", "{vi}");
    assert!(
        docs[0]["marked"]
            .as_array()
            .unwrap()
            .contains(&"Cần".into()),
        "{vi}"
    );
    let link = docs[0]["links"][0].as_str().unwrap();
    assert!(
        link.starts_with("/bag/can-tho-1925/data/can-tho-1925.pdf#page="),
        "{link}"
    );
    // The link opens the PDF.
    let pdf = get(&srv.addr, link.split('#').next().unwrap());
    assert!(pdf.body.starts_with(b"%PDF-"));
    let km = &runs[1];
    assert_eq!(km["documents"][0]["id"], "wat-khleang", "{km}");
    // The whole word is marked, never a stray letter cluster of it.
    let marked = km["documents"][0]["marked"].as_array().unwrap();
    assert!(
        !marked.is_empty() && marked.iter().all(|m| m == "វត្តឃ្លាំង"),
        "{km}"
    );
    assert!(km["documents"][0]["images"][0]
        .as_str()
        .unwrap()
        .starts_with("/thumb/wat-khleang/"));
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
}

#[test]
fn a_busy_address_or_a_missing_folder_is_a_usage_error() {
    let srv = start();
    let o = diachi(&["serve", srv.out.to_str().unwrap(), "--bind", &srv.addr]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{}: cannot serve:", srv.addr)),
        "{err}"
    );
    let o = diachi(&["index", "/nonexistent/diachi-out"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
