//! OAI-PMH 2.0 (<http://www.openarchives.org/OAI/2.0/openarchivesprotocol.htm>)
//! over a collection: the six verbs, `oai_dc` and `marc21`, sets by
//! collection and by language, selective harvesting by datestamp, and
//! paging by resumption token. A pure function of the request, the
//! collection and the clock; `serve` carries it over HTTP.

use crate::collection::{set_slug, Bag, Snapshot};
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use workers::xml::E;

const NS: &str = "http://www.openarchives.org/OAI/2.0/";
const SCHEMA: &str =
    "http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd";
const MARC_NS: &str = "http://www.loc.gov/MARC21/slim";
const MARC_SCHEMA: &str = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd";

/// The repository as Identify describes it (config `[serve]`).
#[derive(Debug, Clone)]
pub struct Repository {
    pub name: String,
    /// The URL of `/oai` as harvesters reach it.
    pub base_url: String,
    /// The `oai:` identifier scheme's namespace: `oai:<this>:<document id>`.
    pub identifier: String,
    pub admin_emails: Vec<String>,
    /// Records per ListRecords / ListIdentifiers response.
    pub page_size: usize,
}

impl Repository {
    /// Where a bag's file is served, for links inside records.
    fn file_url(&self, id: &str, path: &str) -> String {
        let root = self.base_url.trim_end_matches("/oai");
        format!("{root}/bag/{id}/{path}")
    }

    pub fn oai_id(&self, id: &str) -> String {
        format!("oai:{}:{id}", self.identifier)
    }
}

/// The metadata formats every record has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Format {
    #[serde(rename = "oai_dc")]
    OaiDc,
    #[serde(rename = "marc21")]
    Marc21,
}

impl Format {
    fn parse(prefix: &str) -> Option<Format> {
        match prefix {
            "oai_dc" => Some(Format::OaiDc),
            "marc21" => Some(Format::Marc21),
            _ => None,
        }
    }

    fn describe(self) -> E {
        let (prefix, schema, ns) = match self {
            Format::OaiDc => (
                "oai_dc",
                "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
                "http://www.openarchives.org/OAI/2.0/oai_dc/",
            ),
            Format::Marc21 => ("marc21", MARC_SCHEMA, MARC_NS),
        };
        E::new("metadataFormat")
            .child(E::text("metadataPrefix", prefix))
            .child(E::text("schema", schema))
            .child(E::text("metadataNamespace", ns))
    }
}

/// The error codes of OAI-PMH 2.0 §3.6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    BadArgument,
    BadResumptionToken,
    BadVerb,
    CannotDisseminateFormat,
    IdDoesNotExist,
    NoRecordsMatch,
    NoSetHierarchy,
}

impl Code {
    fn as_str(self) -> &'static str {
        match self {
            Code::BadArgument => "badArgument",
            Code::BadResumptionToken => "badResumptionToken",
            Code::BadVerb => "badVerb",
            Code::CannotDisseminateFormat => "cannotDisseminateFormat",
            Code::IdDoesNotExist => "idDoesNotExist",
            Code::NoRecordsMatch => "noRecordsMatch",
            Code::NoSetHierarchy => "noSetHierarchy",
        }
    }
}

type Fault = (Code, String);

fn fault(code: Code, msg: impl Into<String>) -> Vec<Fault> {
    vec![(code, msg.into())]
}

/// A datestamp bound as given: seconds since the epoch, and whether it was
/// given to the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Bound {
    at: i64,
    day: bool,
}

/// Parses `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ssZ`; a day bound covers the
/// whole day (`until` its last second).
fn parse_bound(s: &str, until: bool) -> Option<Bound> {
    use time::macros::format_description;
    if s.len() == 10 {
        let d = time::Date::parse(s, format_description!("[year]-[month]-[day]")).ok()?;
        let start = d.midnight().assume_utc().unix_timestamp();
        return Some(Bound {
            at: if until { start + 86_399 } else { start },
            day: true,
        });
    }
    if s.len() != 20 {
        return None;
    }
    let t = time::PrimitiveDateTime::parse(
        s,
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"),
    )
    .ok()?;
    Some(Bound {
        at: t.assume_utc().unix_timestamp(),
        day: false,
    })
}

/// Seconds since the epoch as an OAI-PMH datestamp (second granularity).
pub fn datestamp(secs: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A selection of records (ListIdentifiers, ListRecords) and where its
/// list stands: the last record sent, if any. The next page starts after
/// that record in (datestamp, id) order, so bags that land during a harvest
/// neither shift nor repeat its pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Selection {
    format: Format,
    set: Option<String>,
    from: Option<Bound>,
    until: Option<Bound>,
    after: Option<(i64, String)>,
    cursor: usize,
}

/// A resumption token: a selection resumed after a record, for one verb.
#[derive(Debug, Serialize, Deserialize)]
struct Token {
    v: u8,
    verb: String,
    #[serde(flatten)]
    sel: Selection,
}

const TOKEN_VERSION: u8 = 1;

impl Token {
    fn encode(sel: Selection, verb: &str) -> String {
        let t = Token {
            v: TOKEN_VERSION,
            verb: verb.to_string(),
            sel,
        };
        let json = serde_json::to_vec(&t).expect("token serialises");
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    /// The selection a token of ours for `verb` resumes.
    fn decode(s: &str, verb: &str) -> Option<Selection> {
        if s.len() > 2048 {
            return None;
        }
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .ok()?;
        let t: Token = serde_json::from_slice(&bytes).ok()?;
        (t.v == TOKEN_VERSION && t.verb == verb && t.sel.after.is_some()).then_some(t.sel)
    }
}

/// Sets of a bag, with their names: `collection:<slug>` and
/// `language:<code>`.
fn sets_of(bag: &Bag) -> Vec<(String, String)> {
    let mut sets = Vec::new();
    if let Some(slug) = bag.collection_slug() {
        let name = bag.record.metadata.collection.clone();
        sets.push((format!("collection:{slug}"), name));
    }
    for l in &bag.record.language {
        sets.push((format!("language:{}", set_slug(l)), language_name(l)));
    }
    sets
}

fn in_set(bag: &Bag, set: &str) -> bool {
    sets_of(bag)
        .iter()
        .any(|(s, _)| s == set || s.strip_prefix(set).is_some_and(|r| r.starts_with(':')))
}

/// The set specs of the collection, with their names, and the parents
/// `collection` and `language` of those there are.
fn all_sets(snap: &Snapshot) -> BTreeMap<String, String> {
    let mut sets = BTreeMap::new();
    for (spec, name) in snap.bags.iter().flat_map(|b| sets_of(b)) {
        let parent = match spec.split(':').next() {
            Some("collection") => ("collection", "Collections"),
            _ => ("language", "Languages"),
        };
        sets.insert(parent.0.to_string(), parent.1.to_string());
        sets.insert(spec, name);
    }
    sets
}

fn language_name(code: &str) -> String {
    match code {
        "vie" => "Tiếng Việt (Vietnamese)".into(),
        "khm" => "ភាសាខ្មែរ (Khmer)".into(),
        "eng" => "English".into(),
        "fra" => "Français (French)".into(),
        other => other.to_string(),
    }
}

/// The arguments allowed with each verb, required ones first.
fn arguments(verb: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    Some(match verb {
        "Identify" => (&[], &[]),
        "ListMetadataFormats" => (&[], &["identifier"]),
        "ListSets" => (&[], &["resumptionToken"]),
        "GetRecord" => (&["identifier", "metadataPrefix"], &[]),
        "ListIdentifiers" | "ListRecords" => (
            &["metadataPrefix"],
            &["from", "until", "set", "resumptionToken"],
        ),
        _ => return None,
    })
}

/// An OAI-PMH response: always HTTP 200, errors included (§3.6).
pub fn respond(repo: &Repository, snap: &Snapshot, args: &[(String, String)], now: i64) -> Vec<u8> {
    let (request, body) = match check(args) {
        Err(faults) => (E::text("request", &repo.base_url), Err(faults)),
        Ok(map) => {
            let mut request = E::text("request", &repo.base_url);
            for (k, v) in &map {
                request = request.attr(k, v);
            }
            let verb = map["verb"].as_str();
            (request, answer(repo, snap, verb, &map))
        }
    };
    envelope(request, body, now)
}

/// A `badArgument` answer to a request whose arguments could not even be
/// read (not UTF-8).
pub fn refuse(repo: &Repository, message: &str, now: i64) -> Vec<u8> {
    envelope(
        E::text("request", &repo.base_url),
        Err(fault(Code::BadArgument, message)),
        now,
    )
}

fn envelope(request: E, body: Result<E, Vec<Fault>>, now: i64) -> Vec<u8> {
    let mut root = E::new("OAI-PMH")
        .attr("xmlns", NS)
        .attr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
        .attr("xsi:schemaLocation", SCHEMA)
        .child(E::text("responseDate", datestamp(now)))
        .child(request);
    match body {
        Ok(el) => root.push(el),
        Err(faults) => {
            for (code, msg) in faults {
                root.push(E::text("error", msg).attr("code", code.as_str()));
            }
        }
    }
    root.to_document()
}

/// The request's arguments, checked against its verb (§3.1.2, §3.6):
/// `badVerb` and `badArgument` answers carry no request attributes.
fn check(args: &[(String, String)]) -> Result<BTreeMap<String, String>, Vec<Fault>> {
    let mut map = BTreeMap::new();
    for (k, v) in args {
        if map.insert(k.clone(), v.clone()).is_some() {
            return Err(if k == "verb" {
                fault(Code::BadVerb, "the verb is given more than once")
            } else {
                fault(Code::BadArgument, format!("the argument '{k}' is repeated"))
            });
        }
    }
    let Some(verb) = map.get("verb") else {
        return Err(fault(Code::BadVerb, "no verb given"));
    };
    let Some((required, optional)) = arguments(verb) else {
        return Err(fault(
            Code::BadVerb,
            format!("'{verb}' is not an OAI-PMH verb"),
        ));
    };
    for k in map.keys().filter(|k| *k != "verb") {
        if !required.contains(&k.as_str()) && !optional.contains(&k.as_str()) {
            return Err(fault(
                Code::BadArgument,
                format!("'{k}' is not an argument of {verb}"),
            ));
        }
    }
    if map.contains_key("resumptionToken") {
        if map.len() > 2 {
            return Err(fault(
                Code::BadArgument,
                "resumptionToken is an exclusive argument",
            ));
        }
    } else if let Some(missing) = required.iter().find(|k| !map.contains_key(**k)) {
        return Err(fault(
            Code::BadArgument,
            format!("{verb} needs the argument '{missing}'"),
        ));
    }
    for (k, v) in &map {
        let ok = match k.as_str() {
            "from" => parse_bound(v, false).is_some(),
            "until" => parse_bound(v, true).is_some(),
            "set" => is_set_spec(v),
            // metadataPrefixType: the characters of a set spec, no colon.
            "metadataPrefix" => !v.contains(':') && is_set_spec(v),
            // An identifier is a URI: no white space or control character.
            "identifier" => {
                !v.is_empty() && !v.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            _ => true,
        };
        if !ok {
            return Err(fault(
                Code::BadArgument,
                format!("'{v}' is not a valid value of {k}"),
            ));
        }
    }
    if let (Some(f), Some(u)) = (map.get("from"), map.get("until")) {
        if f.len() != u.len() {
            return Err(fault(
                Code::BadArgument,
                "from and until must have the same granularity",
            ));
        }
        if parse_bound(f, false).map(|b| b.at) > parse_bound(u, true).map(|b| b.at) {
            return Err(fault(Code::BadArgument, "from is later than until"));
        }
    }
    Ok(map)
}

fn is_set_spec(s: &str) -> bool {
    !s.is_empty()
        && s.split(':').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b))
        })
}

fn answer(
    repo: &Repository,
    snap: &Snapshot,
    verb: &str,
    map: &BTreeMap<String, String>,
) -> Result<E, Vec<Fault>> {
    match verb {
        "Identify" => Ok(identify(repo, snap)),
        "ListMetadataFormats" => {
            if let Some(id) = map.get("identifier") {
                find(repo, snap, id)?;
            }
            Ok(E::new("ListMetadataFormats")
                .child(Format::OaiDc.describe())
                .child(Format::Marc21.describe()))
        }
        "ListSets" => {
            if map.contains_key("resumptionToken") {
                return Err(fault(
                    Code::BadResumptionToken,
                    "this repository sends every set at once and issues no ListSets token",
                ));
            }
            let sets = all_sets(snap);
            if sets.is_empty() {
                return Err(fault(
                    Code::NoSetHierarchy,
                    "no document has a collection or a language yet",
                ));
            }
            Ok(
                E::new("ListSets").children(sets.into_iter().map(|(spec, name)| {
                    E::new("set")
                        .child(E::text("setSpec", spec))
                        .child(E::text("setName", name))
                })),
            )
        }
        "GetRecord" => {
            let format = Format::parse(&map["metadataPrefix"]);
            let bag = find(repo, snap, &map["identifier"]);
            match (format, bag) {
                (Some(f), Ok(bag)) => Ok(E::new("GetRecord").child(record(repo, bag, f))),
                (f, b) => {
                    let mut faults = b.err().unwrap_or_default();
                    if f.is_none() {
                        faults.extend(cannot_disseminate(&map["metadataPrefix"]));
                    }
                    Err(faults)
                }
            }
        }
        _ => list(repo, snap, verb, map),
    }
}

fn cannot_disseminate(prefix: &str) -> Vec<Fault> {
    fault(
        Code::CannotDisseminateFormat,
        format!("'{prefix}' is not offered: use oai_dc or marc21"),
    )
}

fn find<'a>(
    repo: &Repository,
    snap: &'a Snapshot,
    identifier: &str,
) -> Result<&'a Bag, Vec<Fault>> {
    let prefix = format!("oai:{}:", repo.identifier);
    identifier
        .strip_prefix(&prefix)
        .and_then(|id| snap.get(id))
        .map(|b| b.as_ref())
        .ok_or_else(|| {
            fault(
                Code::IdDoesNotExist,
                format!("no item has the identifier '{identifier}'"),
            )
        })
}

fn identify(repo: &Repository, snap: &Snapshot) -> E {
    // The earliest datestamp of any record, or the epoch when there are
    // none yet (§4.2: a lower limit of all datestamps).
    let earliest = snap.bags.iter().map(|b| b.datestamp).min().unwrap_or(0);
    let mut el = E::new("Identify")
        .child(E::text("repositoryName", &repo.name))
        .child(E::text("baseURL", &repo.base_url))
        .child(E::text("protocolVersion", "2.0"));
    for email in &repo.admin_emails {
        el.push(E::text("adminEmail", email));
    }
    el.child(E::text("earliestDatestamp", datestamp(earliest)))
        // A bag taken out of the folder leaves no trace that could be
        // served as a deleted record, so none is promised.
        .child(E::text("deletedRecord", "no"))
        .child(E::text("granularity", "YYYY-MM-DDThh:mm:ssZ"))
}

fn header(repo: &Repository, bag: &Bag) -> E {
    E::new("header")
        .child(E::text("identifier", repo.oai_id(&bag.id)))
        .child(E::text("datestamp", datestamp(bag.datestamp)))
        .children(sets_of(bag).into_iter().map(|(s, _)| E::text("setSpec", s)))
}

fn record(repo: &Repository, bag: &Bag, format: Format) -> E {
    let r = &bag.record;
    let mut dc =
        crate::catalog::dublin_core(&r.id, &r.title, &r.language, r.pages.len(), &r.metadata);
    let pdf = repo.file_url(&r.id, &bag.pdf());
    let metadata = match format {
        Format::OaiDc => {
            // Harvesters link the record to the object by a URL identifier
            // (MARC has its 856 field for it).
            dc.identifier.push(pdf.clone());
            dc.oai_dc()
        }
        Format::Marc21 => workers::marc::record(&workers::marc::MarcInput {
            id: &r.id,
            dc: &dc,
            pages: r.pages.len(),
            pdf_url: &pdf,
            timestamp: &r.created,
        })
        .attr("xmlns", MARC_NS)
        .attr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
        .attr("xsi:schemaLocation", format!("{MARC_NS} {MARC_SCHEMA}")),
    };
    E::new("record")
        .child(header(repo, bag))
        .child(E::new("metadata").child(metadata))
}

fn list(
    repo: &Repository,
    snap: &Snapshot,
    verb: &str,
    map: &BTreeMap<String, String>,
) -> Result<E, Vec<Fault>> {
    let sel = match map.get("resumptionToken") {
        Some(t) => Token::decode(t, verb).ok_or_else(|| {
            fault(
                Code::BadResumptionToken,
                "the resumptionToken is not one this repository issued for this verb",
            )
        })?,
        None => Selection {
            format: Format::parse(&map["metadataPrefix"])
                .ok_or_else(|| cannot_disseminate(&map["metadataPrefix"]))?,
            set: map.get("set").cloned(),
            from: map.get("from").and_then(|s| parse_bound(s, false)),
            until: map.get("until").and_then(|s| parse_bound(s, true)),
            after: None,
            cursor: 0,
        },
    };
    let rest: Vec<&Bag> = snap
        .bags
        .iter()
        .map(|b| b.as_ref())
        .filter(|b| sel.from.is_none_or(|f| b.datestamp >= f.at))
        .filter(|b| sel.until.is_none_or(|u| b.datestamp <= u.at))
        .filter(|b| sel.set.as_deref().is_none_or(|s| in_set(b, s)))
        .filter(|b| {
            sel.after
                .as_ref()
                .is_none_or(|(d, id)| (b.datestamp, &b.id) > (*d, id))
        })
        .collect();
    if rest.is_empty() {
        return Err(if sel.after.is_some() {
            fault(
                Code::BadResumptionToken,
                "nothing follows this resumptionToken any more",
            )
        } else {
            fault(Code::NoRecordsMatch, "no record matches these arguments")
        });
    }
    let page: Vec<&Bag> = rest.iter().copied().take(repo.page_size.max(1)).collect();
    let mut el = E::new(verb);
    for bag in &page {
        el.push(if verb == "ListRecords" {
            record(repo, bag, sel.format)
        } else {
            header(repo, bag)
        });
    }
    // The complete list as it stands now: what was sent before plus what
    // remains (§3.5: an estimate is allowed; it changes as bags land).
    let complete = sel.cursor + rest.len();
    if sel.after.is_some() || rest.len() > page.len() {
        let cursor = sel.cursor;
        let t = if rest.len() > page.len() {
            let last = page.last().expect("page is not empty");
            let next = Selection {
                after: Some((last.datestamp, last.id.clone())),
                cursor: sel.cursor + page.len(),
                ..sel
            };
            E::text("resumptionToken", Token::encode(next, verb))
        } else {
            // The last page of a resumed list: an empty token (§3.5).
            E::new("resumptionToken")
        };
        el.push(t.attr("completeListSize", complete).attr("cursor", cursor));
    }
    Ok(el)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_datestamps() {
        let day = parse_bound("2026-12-02", false).unwrap();
        assert!(day.day);
        assert_eq!(datestamp(day.at), "2026-12-02T00:00:00Z");
        assert_eq!(
            datestamp(parse_bound("2026-12-02", true).unwrap().at),
            "2026-12-02T23:59:59Z"
        );
        let s = parse_bound("2026-12-02T07:08:09Z", false).unwrap();
        assert_eq!(datestamp(s.at), "2026-12-02T07:08:09Z");
        for bad in [
            "2026-13-01",
            "2026-12-02T07:08:09",
            "2026-12-02T07:08:09+07:00",
            "yesterday",
            "",
        ] {
            assert!(parse_bound(bad, false).is_none(), "{bad}");
        }
    }

    #[test]
    fn arguments_are_checked() {
        let a = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let code = |pairs: &[(&str, &str)]| check(&a(pairs)).err().map(|f| f[0].0);
        assert_eq!(code(&[]), Some(Code::BadVerb));
        assert_eq!(code(&[("verb", "Frobnicate")]), Some(Code::BadVerb));
        assert_eq!(
            code(&[("verb", "Identify"), ("verb", "Identify")]),
            Some(Code::BadVerb)
        );
        assert_eq!(
            code(&[("verb", "Identify"), ("x", "1")]),
            Some(Code::BadArgument)
        );
        assert_eq!(code(&[("verb", "ListRecords")]), Some(Code::BadArgument));
        assert_eq!(
            code(&[
                ("verb", "ListRecords"),
                ("metadataPrefix", "oai_dc"),
                ("resumptionToken", "x")
            ]),
            Some(Code::BadArgument)
        );
        assert_eq!(
            code(&[
                ("verb", "ListRecords"),
                ("metadataPrefix", "oai_dc"),
                ("from", "2026-12-02"),
                ("until", "2026-12-02T00:00:00Z")
            ]),
            Some(Code::BadArgument)
        );
        assert_eq!(
            code(&[
                ("verb", "ListRecords"),
                ("metadataPrefix", "oai_dc"),
                ("from", "2026-12-03"),
                ("until", "2026-12-02")
            ]),
            Some(Code::BadArgument)
        );
        assert_eq!(
            code(&[
                ("verb", "ListRecords"),
                ("metadataPrefix", "oai_dc"),
                ("set", "a::b")
            ]),
            Some(Code::BadArgument)
        );
        assert_eq!(
            code(&[("verb", "ListRecords"), ("resumptionToken", "x")]),
            None
        );
        assert_eq!(
            code(&[
                ("verb", "ListRecords"),
                ("metadataPrefix", "x"),
                ("set", "language:vie")
            ]),
            None
        );
    }

    #[test]
    fn tokens_round_trip_and_refuse_forgeries() {
        let sel = Selection {
            format: Format::Marc21,
            set: Some("language:khm".into()),
            from: parse_bound("2026-01-01", false),
            until: None,
            after: Some((1_700_000_000, "can-tho-1925".into())),
            cursor: 100,
        };
        let s = Token::encode(sel.clone(), "ListRecords");
        assert_eq!(Token::decode(&s, "ListRecords"), Some(sel));
        assert_eq!(Token::decode(&s, "ListIdentifiers"), None);
        assert_eq!(Token::decode("%%%", "ListRecords"), None);
        assert_eq!(Token::decode(&"A".repeat(5000), "ListRecords"), None);
    }
}
