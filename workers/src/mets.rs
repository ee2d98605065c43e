//! METS 1.12 for one document, with PREMIS 3 preservation metadata: the
//! descriptive record (Dublin Core), technical metadata per image, the
//! events each page went through, the files with their checksums, and the
//! physical structure (one div per page).

use crate::dc::DublinCore;
use crate::record::PageRecord;
use crate::xml::E;

const PREMIS_NS: &str = "http://www.loc.gov/premis/v3";

/// A file of the bag as METS lists it.
#[derive(Debug, Clone)]
pub struct FileRef {
    /// Path relative to the METS file (which lives in `data/metadata/`).
    pub href: String,
    pub mime: String,
    pub size: u64,
    pub sha256: String,
}

/// One page: its files, what the master is, and the page's record (what
/// the scan is and what was done to it).
#[derive(Debug, Clone)]
pub struct MetsPage<'a> {
    pub master: FileRef,
    pub alto: FileRef,
    pub text: FileRef,
    /// What the master's pixels are.
    pub colour: crate::raster::Colour,
    pub record: &'a PageRecord,
}

pub struct MetsDocument<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// xsd:dateTime of every event (the batch timestamp).
    pub date: &'a str,
    pub dc: &'a DublinCore,
    pub pdf: FileRef,
    pub pages: &'a [MetsPage<'a>],
    pub diachi_version: &'a str,
    pub tesseract_version: &'a str,
    /// OCR settings in words, for the transcription events.
    pub ocr_settings: &'a str,
    /// The neural recognizer, when it read lines of some page
    /// (`neural_lines`).
    pub khmer_network: Option<&'a crate::neural::Recognizer>,
    /// Pages left out of the derivatives by hand, and the master each is
    /// in when no kept page lists it.
    pub skipped: &'a [(crate::record::SkippedPage, Option<FileRef>)],
}

/// The METS document as bytes.
pub fn write(doc: &MetsDocument) -> Vec<u8> {
    let mut amd = E::new("mets:amdSec").attr("ID", "AMD");
    // A master split into two pages is described once, by its first page.
    for (i, p) in doc
        .pages
        .iter()
        .enumerate()
        .filter(|&(i, _)| owner(doc, i) == i)
    {
        amd.push(tech_md(i + 1, p));
    }
    for (n, event) in events(doc).into_iter().enumerate() {
        amd.push(wrap(
            "mets:digiprovMD",
            &format!("PROV_EVENT_{:04}", n + 1),
            "PREMIS:EVENT",
            event,
        ));
    }
    for (n, agent) in agents(doc).into_iter().enumerate() {
        amd.push(wrap(
            "mets:digiprovMD",
            &format!("PROV_AGENT_{}", n + 1),
            "PREMIS:AGENT",
            agent,
        ));
    }
    E::new("mets:mets")
        .attr("xmlns:mets", "http://www.loc.gov/METS/")
        .attr("xmlns:xlink", "http://www.w3.org/1999/xlink")
        .attr("xmlns:premis", PREMIS_NS)
        .attr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
        .attr(
            "xsi:schemaLocation",
            "http://www.loc.gov/METS/ http://www.loc.gov/standards/mets/mets.xsd \
             http://www.loc.gov/premis/v3 http://www.loc.gov/standards/premis/v3/premis.xsd",
        )
        .attr("OBJID", doc.id)
        .attr("LABEL", doc.title)
        .attr("TYPE", "Text")
        .child(
            E::new("mets:metsHdr").attr("CREATEDATE", doc.date).child(
                E::new("mets:agent")
                    .attr("ROLE", "CREATOR")
                    .attr("TYPE", "OTHER")
                    .attr("OTHERTYPE", "SOFTWARE")
                    .child(E::text(
                        "mets:name",
                        format!("diachi {}", doc.diachi_version),
                    )),
            ),
        )
        .child(
            E::new("mets:dmdSec").attr("ID", "DMD_1").child(
                E::new("mets:mdWrap")
                    .attr("MDTYPE", "DC")
                    .child(E::new("mets:xmlData").child(doc.dc.oai_dc())),
            ),
        )
        .child(amd)
        .child(file_sec(doc))
        .child(struct_map(doc))
        .to_document()
}

/// The index of the first page whose master is page `i`'s: the two pages of
/// a split spread share one master file.
fn owner(doc: &MetsDocument, i: usize) -> usize {
    let href = &doc.pages[i].master.href;
    doc.pages
        .iter()
        .position(|p| &p.master.href == href)
        .unwrap_or(i)
}

fn wrap(section: &str, id: &str, mdtype: &str, content: E) -> E {
    E::new(section).attr("ID", id).child(
        E::new("mets:mdWrap")
            .attr("MDTYPE", mdtype)
            .child(E::new("mets:xmlData").child(content)),
    )
}

/// Technical metadata of the master image in NISO MIX 2.0 (MDTYPE
/// NISOIMG): size, format, checksum, pixel size, colour and resolution.
fn tech_md(n: usize, p: &MetsPage) -> E {
    let num = |name: &str, v: String| E::text(name, v);
    let rational = |name: &str, v: f32| {
        E::new(name)
            .child(num("mix:numerator", (v.round() as u32).to_string()))
            .child(num("mix:denominator", "1".into()))
    };
    let mix = E::new("mix:mix")
        .attr("xmlns:mix", "http://www.loc.gov/mix/v20")
        .child(
            E::new("mix:BasicDigitalObjectInformation")
                .child(
                    E::new("mix:ObjectIdentifier")
                        .child(E::text("mix:objectIdentifierType", "local"))
                        .child(E::text("mix:objectIdentifierValue", &p.master.href)),
                )
                .child(num("mix:fileSize", p.master.size.to_string()))
                .child(
                    E::new("mix:FormatDesignation")
                        .child(E::text("mix:formatName", &p.master.mime)),
                )
                .child(
                    E::new("mix:Fixity")
                        .child(E::text("mix:messageDigestAlgorithm", "SHA-256"))
                        .child(E::text("mix:messageDigest", &p.master.sha256))
                        .child(E::text("mix:messageDigestOriginator", "diachi")),
                ),
        )
        .child(
            E::new("mix:BasicImageInformation").child(
                E::new("mix:BasicImageCharacteristics")
                    .child(num("mix:imageWidth", p.record.width.to_string()))
                    .child(num("mix:imageHeight", p.record.height.to_string()))
                    .child(
                        E::new("mix:PhotometricInterpretation")
                            .child(E::text("mix:colorSpace", p.colour.mix_color_space())),
                    ),
            ),
        )
        .child(
            E::new("mix:ImageAssessmentMetadata").child(
                E::new("mix:SpatialMetrics")
                    .child(E::text("mix:samplingFrequencyPlane", "object plane"))
                    .child(E::text("mix:samplingFrequencyUnit", "in."))
                    .child(rational("mix:xSamplingFrequency", p.record.dpi))
                    .child(rational("mix:ySamplingFrequency", p.record.dpi)),
            ),
        );
    let mut md = wrap("mets:techMD", &format!("TECH_{n:04}"), "NISOIMG", mix);
    if p.record.dpi_assumed {
        md = md.attr("STATUS", "resolution assumed: the file declared none");
    }
    md
}

fn identifier(name: &str, kind: &str, value: &str) -> E {
    let (t, v) = match name {
        "premis:objectIdentifier" => (
            "premis:objectIdentifierType",
            "premis:objectIdentifierValue",
        ),
        "premis:eventIdentifier" => ("premis:eventIdentifierType", "premis:eventIdentifierValue"),
        "premis:agentIdentifier" => ("premis:agentIdentifierType", "premis:agentIdentifierValue"),
        "premis:linkingAgentIdentifier" => (
            "premis:linkingAgentIdentifierType",
            "premis:linkingAgentIdentifierValue",
        ),
        _ => (
            "premis:linkingObjectIdentifierType",
            "premis:linkingObjectIdentifierValue",
        ),
    };
    E::new(name)
        .child(E::text(t, kind))
        .child(E::text(v, value))
}

struct Event<'a> {
    kind: &'a str,
    detail: String,
    outcome: &'a str,
    agent: String,
    objects: Vec<&'a str>,
}

fn events(doc: &MetsDocument) -> Vec<E> {
    let skipped_hrefs: Vec<String> = doc
        .skipped
        .iter()
        .map(|(s, _)| format!("../{}", s.master.trim_start_matches("data/")))
        .collect();
    let diachi = format!("diachi {}", doc.diachi_version);
    let tesseract = format!("Tesseract {}", doc.tesseract_version);
    let network = doc
        .khmer_network
        .map(|n| format!("{} {}", n.engine, n.version));
    let mut list: Vec<Event> = doc
        .pages
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            let first = owner(doc, i) == i;
            page_events(
                p,
                first,
                doc.ocr_settings,
                &diachi,
                &tesseract,
                network.as_deref(),
            )
        })
        .collect();
    let mut sources: Vec<&str> = (0..doc.pages.len())
        .filter(|&i| owner(doc, i) == i)
        .map(|i| doc.pages[i].master.href.as_str())
        .collect();
    for ((s, _), href) in doc.skipped.iter().zip(&skipped_hrefs) {
        list.push(by_staff(
            format!(
                "page {} ({}) left out of the PDF, ALTO and text by hand in the batch's overrides.csv; its master kept",
                s.page, s.source
            ),
            &s.note,
            href,
        ));
    }
    sources.push(doc.pdf.href.as_str());
    list.push(Event {
        kind: "derivation",
        detail: "PDF/A-2u access copy: page images with an invisible OCR text layer".into(),
        outcome: "success",
        agent: diachi.clone(),
        objects: sources,
    });
    list.iter()
        .enumerate()
        .map(|(i, e)| event_element(doc, i + 1, e))
        .collect()
}

/// What happened to one page: ingestion, its digest, the fixity check
/// (once a master: `first` is false for the second page of a split spread),
/// orientation and deskew, and its transcription.
fn page_events<'a>(
    p: &'a MetsPage,
    first: bool,
    ocr_settings: &str,
    diachi: &str,
    tesseract: &str,
    network: Option<&str>,
) -> Vec<Event<'a>> {
    let master = p.master.href.as_str();
    let by_diachi = |kind, detail| Event {
        kind,
        detail,
        outcome: "success",
        agent: diachi.to_string(),
        objects: vec![master],
    };
    let r = p.record;
    let correction = if r.deskewed {
        " and corrected by rotation"
    } else {
        ", below the correction threshold: not rotated"
    };
    let mut events = Vec::new();
    if first {
        events.extend([
            by_diachi("ingestion", format!("page read from the batch as {}", r.source)),
            by_diachi(
                "message digest calculation",
                format!("SHA-256 of the original at ingest: {}", p.master.sha256),
            ),
            by_diachi(
                "fixity check",
                "SHA-256 re-computed while the master was copied into the bag; equal to the ingest digest".into(),
            ),
        ]);
    }
    if let Some(part) = &r.part {
        let c = part.crop;
        events.push(by_diachi(
            "derivation",
            format!(
                "two-page spread split at its gutter: this page is the {} page, x {}-{} of the master",
                match part.side {
                    crate::spread::Side::Left => "left",
                    crate::spread::Side::Right => "right",
                },
                c.x,
                c.x + c.width
            ),
        ));
    }
    if let Some(h) = &r.by_hand {
        // A decision staff took (overrides.csv), with their note.
        let mut what = Vec::new();
        if let Some(d) = h.rotate {
            what.push(format!("turned {d}° clockwise"));
        }
        if let Some(l) = &h.language {
            what.push(format!("read in {l}"));
        }
        events.push(by_staff(
            format!(
                "decided by hand in the batch's overrides.csv, instead of diachi's own decision: {}",
                what.join(", ")
            ),
            &h.note,
            master,
        ));
    }
    events.extend([
        by_diachi(
            "deskew",
            format!(
                "turned {}° clockwise to be upright; skew of {}° (counter-clockwise) found{correction}",
                r.orientation_degrees, r.skew_degrees
            ),
        ),
        Event {
            kind: "transcription",
            detail: format!("OCR, language {}; {ocr_settings}", r.language),
            outcome: "success",
            agent: tesseract.to_string(),
            objects: vec![master, p.alto.href.as_str(), p.text.href.as_str()],
        },
    ]);
    if let Some(network) = network.filter(|_| r.neural_lines > 0) {
        events.push(Event {
            kind: "transcription",
            detail: crate::neural::lines::described(r.neural_lines),
            outcome: "success",
            agent: network.to_string(),
            objects: vec![master, p.alto.href.as_str(), p.text.href.as_str()],
        });
    }
    events
}

/// One PREMIS event, the `n`-th of the document.
fn event_element(doc: &MetsDocument, n: usize, e: &Event) -> E {
    E::new("premis:event")
        .attr("version", "3.0")
        .child(identifier(
            "premis:eventIdentifier",
            "local",
            &format!("{}-event-{n:04}", doc.id),
        ))
        .child(E::text("premis:eventType", e.kind))
        .child(E::text("premis:eventDateTime", doc.date))
        .child(
            E::new("premis:eventDetailInformation").child(E::text("premis:eventDetail", &e.detail)),
        )
        .child(
            E::new("premis:eventOutcomeInformation")
                .child(E::text("premis:eventOutcome", e.outcome)),
        )
        .child(if e.agent == STAFF {
            identifier("premis:linkingAgentIdentifier", "local", &e.agent)
                .child(E::text("premis:linkingAgentRole", "decider"))
        } else {
            identifier("premis:linkingAgentIdentifier", "software", &e.agent)
                .child(E::text("premis:linkingAgentRole", "executing program"))
        })
        .children(
            e.objects
                .iter()
                .map(|o| identifier("premis:linkingObjectIdentifier", "local", o)),
        )
}

/// A decision staff took by hand on `object`, with their note.
fn by_staff<'a>(what: String, note: &str, object: &'a str) -> Event<'a> {
    let detail = if note.is_empty() {
        what
    } else {
        format!("{what}; note: {note}")
    };
    Event {
        kind: "modification",
        detail,
        outcome: "success",
        agent: STAFF.to_string(),
        objects: vec![object],
    }
}

/// The agent of decisions taken by hand.
const STAFF: &str = "digitization staff (overrides.csv)";

fn agents(doc: &MetsDocument) -> Vec<E> {
    let mut list: Vec<E> = [
        ("diachi", doc.diachi_version),
        ("Tesseract", doc.tesseract_version),
    ]
    .iter()
    .map(|(name, version)| software_agent(name, version))
    .collect();
    if let Some(n) = doc.khmer_network {
        list.push(software_agent(&n.engine, &n.version).child(E::text(
            "premis:agentNote",
            format!(
                "Khmer line recognizer (CRNN); weights model.pth, SHA-256 {}",
                n.sha256
            ),
        )));
    }
    if doc.pages.iter().any(|p| p.record.by_hand.is_some()) || !doc.skipped.is_empty() {
        list.push(
            E::new("premis:agent")
                .attr("version", "3.0")
                .child(identifier("premis:agentIdentifier", "local", STAFF))
                .child(E::text("premis:agentName", STAFF))
                .child(E::text("premis:agentType", "person")),
        );
    }
    list
}

/// A program as a PREMIS agent, identified as the events name it
/// ("Tesseract 5.3.0").
fn software_agent(name: &str, version: &str) -> E {
    E::new("premis:agent")
        .attr("version", "3.0")
        .child(identifier(
            "premis:agentIdentifier",
            "software",
            &format!("{name} {version}"),
        ))
        .child(E::text("premis:agentName", name))
        .child(E::text("premis:agentType", "software"))
        .child(E::text("premis:agentVersion", version))
}

fn file(id: &str, f: &FileRef, admid: Option<&str>) -> E {
    let mut e = E::new("mets:file")
        .attr("ID", id)
        .attr("MIMETYPE", &f.mime)
        .attr("SIZE", f.size)
        .attr("CHECKSUM", &f.sha256)
        .attr("CHECKSUMTYPE", "SHA-256");
    if let Some(a) = admid {
        e = e.attr("ADMID", a);
    }
    e.child(
        E::new("mets:FLocat")
            .attr("LOCTYPE", "URL")
            .attr("xlink:href", &f.href),
    )
}

fn file_sec(doc: &MetsDocument) -> E {
    let group =
        |use_: &str, files: Vec<E>| E::new("mets:fileGrp").attr("USE", use_).children(files);
    let pages = doc.pages.iter().enumerate().map(|(i, p)| (i + 1, p));
    E::new("mets:fileSec")
        .child(group(
            "master",
            pages
                .clone()
                .filter(|&(n, _)| owner(doc, n - 1) == n - 1)
                .map(|(n, p)| {
                    file(
                        &format!("MASTER_{n:04}"),
                        &p.master,
                        Some(&format!("TECH_{n:04}")),
                    )
                })
                // A master whose every page was skipped is still listed.
                .chain(doc.skipped.iter().filter_map(|(s, f)| {
                    f.as_ref()
                        .map(|f| file(&format!("MASTER_SKIPPED_{:04}", s.page), f, None))
                }))
                .collect(),
        ))
        .child(group("access", vec![file("PDF", &doc.pdf, None)]))
        .child(group(
            "alto",
            pages
                .clone()
                .map(|(n, p)| file(&format!("ALTO_{n:04}"), &p.alto, None))
                .collect(),
        ))
        .child(group(
            "text",
            pages
                .map(|(n, p)| file(&format!("TEXT_{n:04}"), &p.text, None))
                .collect(),
        ))
}

fn struct_map(doc: &MetsDocument) -> E {
    let fptr = |id: String| E::new("mets:fptr").attr("FILEID", id);
    let pages = doc.pages.iter().enumerate().map(|(i, p)| {
        let n = i + 1;
        let master = format!("MASTER_{:04}", owner(doc, i) + 1);
        // A page cut from a spread points at its part of the master.
        let within = p.record.in_file.and_then(|f| f.offset());
        let master_ptr = match (&p.record.part, within) {
            // A page of a multi-page TIFF or PDF: the master from the
            // page's IFD or page object on.
            (None, Some(offset)) => E::new("mets:fptr").child(
                E::new("mets:area")
                    .attr("FILEID", master)
                    .attr("BETYPE", "BYTE")
                    .attr("BEGIN", offset),
            ),
            (Some(part), _) => {
                let c = part.crop;
                E::new("mets:fptr").child(
                    E::new("mets:area")
                        .attr("FILEID", master)
                        .attr("SHAPE", "RECT")
                        .attr(
                            "COORDS",
                            format!("{},{},{},{}", c.x, c.y, c.x + c.width, c.y + c.height),
                        ),
                )
            }
            (None, None) => fptr(master),
        };
        E::new("mets:div")
            .attr("TYPE", "page")
            .attr("ORDER", n)
            .attr("LABEL", &p.record.source)
            .child(master_ptr)
            .child(fptr(format!("ALTO_{n:04}")))
            .child(fptr(format!("TEXT_{n:04}")))
    });
    E::new("mets:structMap").attr("TYPE", "physical").child(
        E::new("mets:div")
            .attr("TYPE", "document")
            .attr("LABEL", doc.title)
            .attr("DMDID", "DMD_1")
            .child(fptr("PDF".into()))
            .children(pages),
    )
}
