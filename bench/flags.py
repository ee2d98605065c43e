#!/usr/bin/env python3
"""How well the batch report's review flags pick out the pages that really
need a human: precision and recall against pages whose CER is above 0.10 or
whose orientation is wrong.

    python3 bench/flags.py [--real DIR ...] [--keep DIR] [--features]

The labelled pages:
- the samples (every page has ground truth);
- real captures with ground truth: each DIR given with --real holds
  `<stem>.<ext>` images with `<stem>.gt.txt` beside them and a MANIFEST.tsv
  (file, language, orientation_as_stored), as ../shared/realdev has;
- generated pages (bench/accuracy.py's renderer), clean and degraded, and
  the hard cases a library meets: pages blurred or shrunk until OCR fails,
  pages that are not text (a photograph, a blank sheet with a stain), and
  turned pages run with orientation detection off, so that some pages are
  left turned wrong.

diachi runs each set; a page is flagged when report.json's review lists it.
--features prints every page's record fields next to its CER, for setting
the thresholds. Needs a release build, Pillow, pango-view and the fonts
accuracy.py needs.
"""
import argparse, csv, glob, json, os, random, shutil, subprocess, tempfile
from PIL import Image, ImageFilter, ImageDraw
from textdist import fold, lev
import accuracy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIACHI = os.path.join(ROOT, "target", "release", "diachi")
SAMPLES = os.path.join(ROOT, "samples")


def cer(hyp, gt):
    gt = fold(gt)
    return lev(fold(hyp), gt) / max(1, len(gt))


def write_languages(batch, langs):
    """batch.csv giving each document (id, language) its language."""
    with open(os.path.join(batch, "batch.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "language"])
        w.writerows(langs)


def run(batch, out, extra=()):
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([DIACHI, "run", batch, "--out", out, "--quiet", *extra],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    report = json.load(open(os.path.join(out, "report.json"), encoding="utf-8"))
    flagged = {}
    for f in report["review"]:
        if f.get("page"):
            flagged[(f["document"], f["page"])] = f["reasons"]
    return report, flagged


def pages_of(out, doc):
    path = os.path.join(out, doc, "data", "metadata", "record.json")
    if not os.path.exists(path):
        return []
    rec = json.load(open(path, encoding="utf-8"))
    return [(p, open(os.path.join(out, doc, p["text"]), encoding="utf-8").read()) for p in rec["pages"]]


def label(rows, name, out, flagged, truth, kinds=None):
    """truth: doc -> list of (gt text or None, expected orientation or None) per page."""
    for doc, pages in truth.items():
        kind = kinds.get(doc, "text") if kinds else "text"
        got = pages_of(out, doc)
        for i, (gt, turn) in enumerate(pages):
            if i >= len(got):
                # The document failed: the report flags the document itself.
                rows.append(dict(set=name, doc=doc, page=i + 1, cer=1.0, orient_ok=True,
                                 bad=True, flagged=True, reasons=["failed"], rec={}))
                continue
            p, text = got[i]
            c = cer(text, gt) if gt is not None else 0.0
            ok = turn is None or p["orientation_degrees"] == turn
            # A picture needs a look too (is it a picture, or text that OCR
            # missed?); a blank page only when text is found on it.
            not_text = kind == "photo"
            rows.append(dict(set=name, doc=doc, page=i + 1, cer=c, orient_ok=ok,
                             bad=(gt is not None and c > 0.10) or not ok or not_text,
                             flagged=(doc, i + 1) in flagged, reasons=flagged.get((doc, i + 1), []),
                             rec=p))


def samples(work, rows):
    batch = os.path.join(SAMPLES, "batch")
    out = os.path.join(work, "samples-out")
    _, flagged = run(batch, out)
    truth = {}
    for doc in sorted(os.listdir(batch)):
        if not os.path.isdir(os.path.join(batch, doc)):
            continue
        recs = pages_of(out, doc)
        truth[doc] = []
        for p, _ in recs:
            stem = os.path.splitext(p["source"])[0]
            n = (p.get("pdf_page") or p.get("tiff_page") or {}).get("number")
            name = f"{stem}-{n}.txt" if n else f"{stem}.txt"
            truth[doc].append((open(os.path.join(SAMPLES, "groundtruth", doc, name), encoding="utf-8").read(), None))
    label(rows, "samples", out, flagged, truth)


def real(dirs, work, rows):
    batch = os.path.join(work, "real")
    shutil.rmtree(batch, ignore_errors=True)
    os.makedirs(batch)
    truth = {}
    langs = []
    for d in dirs:
        manifest = {r["file"]: r for r in csv.DictReader(open(os.path.join(d, "MANIFEST.tsv"), encoding="utf-8"), delimiter="\t")}
        for gt in sorted(glob.glob(os.path.join(d, "*.gt.txt"))):
            stem = os.path.basename(gt)[:-len(".gt.txt")]
            files = [f for f in manifest if os.path.splitext(f)[0] == stem]
            if not files:
                continue
            doc = stem.replace(".", "_")
            os.makedirs(os.path.join(batch, doc))
            shutil.copy(os.path.join(d, files[0]), os.path.join(batch, doc, files[0]))
            truth[doc] = [(open(gt, encoding="utf-8").read(), None)]
            langs.append((doc, manifest[files[0]]["language"]))
    write_languages(batch, langs)
    out = os.path.join(work, "real-out")
    _, flagged = run(batch, out)
    label(rows, "real", out, flagged, truth)


def generated(work, rows, seed):
    """Generated pages: a third clean or mildly degraded, the rest hard."""
    rng = random.Random(seed)
    pool = accuracy.texts()
    tmp = tempfile.mkdtemp()
    batch = os.path.join(work, "gen")
    turned_batch = os.path.join(work, "gen-turned")
    for b in (batch, turned_batch):
        shutil.rmtree(b, ignore_errors=True)
        os.makedirs(b)
    truth, turned_truth, langs, turned_langs = {}, {}, [], []
    kind_of = {}
    kinds = ["clean", "degraded", "blurred", "shrunk", "photo", "blank", "turned"]
    for n in range(42):
        kind = kinds[n % len(kinds)]
        lang, text = pool[n % len(pool)]
        dpi = 300
        img = accuracy.render(text, rng.choice(accuracy.FONT[lang]), dpi, tmp)
        cond = {"large_skew": False, "degraded": kind != "clean", "turn": 0}
        page, _ = accuracy.degrade(rng, img, dpi, cond)
        gt, turn = text, 0
        if kind == "blurred":
            page = page.filter(ImageFilter.GaussianBlur(rng.uniform(2.2, 3.5)))
        elif kind == "shrunk":
            w, h = page.size
            f = rng.uniform(0.22, 0.3)
            page = page.resize((round(w * f), round(h * f)), Image.BILINEAR)
            dpi = round(dpi * f)
        elif kind == "photo":
            # No text: a smooth photograph-like gradient with shapes.
            page = Image.linear_gradient("L").resize(page.size).filter(ImageFilter.GaussianBlur(8))
            d = ImageDraw.Draw(page)
            for _ in range(12):
                x, y = rng.randrange(page.size[0]), rng.randrange(page.size[1])
                r = rng.randrange(40, 300)
                d.ellipse([x - r, y - r, x + r, y + r], fill=rng.randrange(0, 255))
            gt = ""
        elif kind == "blank":
            page = Image.new("L", page.size, 235)
            d = ImageDraw.Draw(page)
            d.ellipse([300, 400, 700, 650], fill=160)
            gt = ""
        doc = f"g{n:03d}"
        kind_of[doc] = kind
        if kind == "turned":
            turn = rng.choice([90, 180, 270])
            page = page.rotate(turn, expand=True)
            target, tr, lg = turned_batch, turned_truth, turned_langs
        else:
            target, tr, lg = batch, truth, langs
        os.makedirs(os.path.join(target, doc))
        page.save(os.path.join(target, doc, "1.jpg"), quality=80, dpi=(dpi, dpi))
        # Pages with no text count as misread when diachi finds text on them.
        tr[doc] = [(gt, turn if kind == "turned" else None)]
        lg.append((doc, lang))
    write_languages(batch, langs)
    write_languages(turned_batch, turned_langs)
    out = os.path.join(work, "gen-out")
    _, flagged = run(batch, out)
    label(rows, "generated", out, flagged, truth, kind_of)
    # The same kind of turned pages, once with orientation found and once
    # with it off: the second leaves them turned wrong.
    off = os.path.join(work, "no-orientation.toml")
    open(off, "w").write("[orientation]\nenabled = false\n")
    out = os.path.join(work, "turned-out")
    _, flagged = run(turned_batch, out)
    label(rows, "turned", out, flagged, turned_truth)
    out = os.path.join(work, "turned-off-out")
    _, flagged = run(turned_batch, out, ["--config", off])
    label(rows, "turned, orientation off", out, flagged, turned_truth)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--real", nargs="*", default=[os.path.join(ROOT, "..", "shared", "realdev")])
    ap.add_argument("--keep")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--features", action="store_true")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="diachi-flags-")
    os.makedirs(work, exist_ok=True)
    rows = []
    samples(work, rows)
    real(a.real, work, rows)
    generated(work, rows, a.seed)
    if a.features:
        keys = ["language", "mean_confidence", "characters", "words", "ink_ratio", "orientation_degrees",
                "orientation_margin", "skew_degrees", "dpi", "x_height", "segmentation"]
        print("set\tdoc\tcer\torient_ok\tbad\tflagged\t" + "\t".join(keys) + "\treasons")
        for r in rows:
            print(f"{r['set']}\t{r['doc']}\t{r['cer']:.3f}\t{r['orient_ok']}\t{r['bad']}\t{r['flagged']}\t"
                  + "\t".join(str(r["rec"].get(k)) for k in keys) + "\t" + "; ".join(r["reasons"]))
    print("\n| set | pages | bad | flagged | flagged and bad | precision | recall |")
    print("|---|---|---|---|---|---|---|")
    sets = sorted({r["set"] for r in rows}, key=[r["set"] for r in rows].index) + ["all"]
    for s in sets:
        rs = rows if s == "all" else [r for r in rows if r["set"] == s]
        bad = sum(r["bad"] for r in rs)
        fl = sum(r["flagged"] for r in rs)
        both = sum(r["bad"] and r["flagged"] for r in rs)
        p = f"{both / fl:.2f}" if fl else "-"
        rc = f"{both / bad:.2f}" if bad else "-"
        print(f"| {s} | {len(rs)} | {bad} | {fl} | {both} | {p} | {rc} |")
    missed = [r for r in rows if r["bad"] and not r["flagged"]]
    wrong = [r for r in rows if r["flagged"] and not r["bad"]]
    for r in missed:
        print(f"missed: {r['set']} {r['doc']} p{r['page']}: CER {r['cer']:.2f}, orientation ok {r['orient_ok']}")
    for r in wrong:
        print(f"flagged, fine: {r['set']} {r['doc']} p{r['page']}: CER {r['cer']:.2f}: {'; '.join(r['reasons'])}")


if __name__ == "__main__":
    main()
