#!/usr/bin/env python3
"""Real-capture benchmark: diachi against plain Tesseract on real scans and photos.

    python3 bench/real.py DIR [DIR ...] [--jobs N] [--keep WORK] [--diachi PATH] [--json FILE]
                          [--lang LANG]

Each DIR holds captures (jpg, png, tif) and a MANIFEST.tsv with at least the columns
`file`, `language` and `orientation_as_stored` (the clockwise turn, 0/90/180/270, that
makes the page upright), as ../shared/realdev does. `<stem>.gt.txt` beside a capture is
its ground truth.

Every capture becomes a document of one batch, run once by diachi with the manifest's
language (a spread diachi splits is two pages; their texts are joined, left first), or
with --lang's (`--lang auto`: how auto does on real captures; plain Tesseract keeps the
manifest's language).
Plain Tesseract reads each capture as a new user would: `tesseract IMG - -l LANG`
(mode 3, no preprocessing). Printed per capture:
- CER of both (where there is ground truth), with the CER rule of ../shared/realdev/README.md:
  NFC, U+200B removed, every whitespace run one space;
- the turn diachi applied, against the turn the manifest says the page needs;
- the resolution diachi used, the segmentation it chose, and the language it read in.
Last come the captures where diachi is worse than plain Tesseract (by more than 0.02 CER)
or turned a page wrong. Exit status 1 when there is any.
"""
import argparse, csv, json, os, shutil, subprocess, sys, tempfile, unicodedata
from textdist import fold, lev

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGE_EXT = (".jpg", ".jpeg", ".png", ".tif", ".tiff")


def norm(s):
    return fold(unicodedata.normalize("NFC", s).replace("\u200b", ""))


def cer(hyp, gt):
    ref = norm(gt)
    return lev(norm(hyp), ref) / max(1, len(ref))


def captures(dirs):
    out = []
    for d in dirs:
        manifest = os.path.join(d, "MANIFEST.tsv")
        with open(manifest, encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                path = os.path.join(d, row["file"])
                if not row["file"].lower().endswith(IMAGE_EXT) or not os.path.isfile(path):
                    continue
                stem = os.path.splitext(path)[0]
                gt = stem + ".gt.txt"
                out.append(dict(
                    name=os.path.splitext(row["file"])[0], path=path, lang=row["language"],
                    kind=row.get("kind", ""), turn=int(row.get("orientation_as_stored") or 0),
                    gt=open(gt, encoding="utf-8").read() if os.path.exists(gt) else None))
    return out


def plain_tesseract(c):
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    r = subprocess.run(["tesseract", c["path"], "-", "-l", c["lang"]], capture_output=True,
                       text=True, env=env)
    return r.stdout


def run_diachi(diachi, caps, work, jobs, config=None, lang=None):
    batch, out = os.path.join(work, "batch"), os.path.join(work, "out")
    shutil.rmtree(batch, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(batch)
    with open(os.path.join(batch, "batch.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "language"])
        for c in caps:
            doc = os.path.join(batch, c["name"])
            os.makedirs(doc)
            # A copy: diachi reads only regular files, never links.
            shutil.copyfile(c["path"], os.path.join(doc, os.path.basename(c["path"])))
            w.writerow([c["name"], lang or c["lang"]])
    extra = ["--config", config] if config else []
    subprocess.run([diachi, "run", batch, "--out", out, "--jobs", str(jobs)] + extra,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for c in caps:
        rec = os.path.join(out, c["name"], "data", "metadata", "record.json")
        if not os.path.exists(rec):
            c["diachi"] = None
            continue
        pages = json.load(open(rec, encoding="utf-8"))["pages"]
        p = pages[0]
        # A spread split in two is two pages: their texts, left page first.
        c["diachi"] = "\n".join(
            open(os.path.join(out, c["name"], q["text"]), encoding="utf-8").read()
            for q in pages)
        c["pages"] = len(pages)
        # The EXIF tag's turn, then diachi's own.
        exif = {3: 180, 6: 90, 8: 270}.get(p.get("exif_orientation", 1), 0)
        c["applied"] = (exif + p.get("orientation_degrees", 0)) % 360
        c["dpi"] = p.get("dpi")
        c["mode"] = p.get("segmentation", "")
        c["read_as"] = p.get("language", "")
        crop = p.get("page_crop")
        c["crop"] = (f"{crop['width']}x{crop['height']}+{crop['x']}+{crop['y']}"
                     if crop else "whole")
        if len(pages) > 1:
            c["crop"] = f"{len(pages)} pages; " + c["crop"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--keep")
    ap.add_argument("--diachi", default=os.path.join(ROOT, "target", "release", "diachi"))
    ap.add_argument("--json", help="write the rows here as JSON")
    ap.add_argument("--config", help="a diachi settings file to run with")
    ap.add_argument("--lang", help="read every capture in this language (auto, vie, ...) "
                    "instead of the manifest's")
    a = ap.parse_args()
    caps = captures(a.dirs)
    work = a.keep or tempfile.mkdtemp(prefix="diachi-real-")
    os.makedirs(work, exist_ok=True)
    run_diachi(a.diachi, caps, work, a.jobs, a.config, a.lang)
    for c in caps:
        c["plain"] = plain_tesseract(c)
        c["cer_plain"] = cer(c["plain"], c["gt"]) if c["gt"] is not None else None
        c["cer_diachi"] = (cer(c["diachi"] or "", c["gt"]) if c["gt"] is not None else None)

    def f(x):
        return "-" if x is None else f"{x:.3f}"

    print(f"{len(caps)} captures; work folder {work}")
    print(f"| capture | lang | kind | turn needed | turn applied | page | dpi | mode | read as | CER tesseract | CER diachi |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for c in caps:
        applied = c.get("applied")
        print(f"| {c['name']} | {c['lang']} | {c['kind']} | {c['turn']} | "
              f"{'failed' if c['diachi'] is None else applied} | {c.get('crop', '-')} | "
              f"{c.get('dpi') or '-'} | "
              f"{c.get('mode') or '-'} | {c.get('read_as') or '-'} | "
              f"{f(c['cer_plain'])} | {f(c['cer_diachi'])} |")
    with_gt = [c for c in caps if c["gt"] is not None]
    if with_gt:
        for lang in sorted({c["lang"] for c in with_gt}):
            rs = [c for c in with_gt if c["lang"] == lang]
            n = sum(len(norm(c["gt"])) for c in rs)
            pe = sum(c["cer_plain"] * len(norm(c["gt"])) for c in rs) / n
            de = sum(c["cer_diachi"] * len(norm(c["gt"])) for c in rs) / n
            print(f"{lang}: {len(rs)} with ground truth, {n} chars: CER tesseract {pe:.3f}, diachi {de:.3f}")
    bad = []
    for c in caps:
        if c["diachi"] is None:
            bad.append(f"{c['name']}: diachi failed")
            continue
        if c["applied"] != c["turn"]:
            bad.append(f"{c['name']}: turned {c['applied']}, needs {c['turn']}")
        if c["gt"] is not None and c["cer_diachi"] > c["cer_plain"] + 0.02:
            bad.append(f"{c['name']}: CER {c['cer_diachi']:.3f} against tesseract {c['cer_plain']:.3f}")
    print(f"worse than plain tesseract or turned wrong: {len(bad)}")
    for b in bad:
        print("  " + b)
    if a.json:
        json.dump([{k: v for k, v in c.items() if k not in ("gt", "plain", "diachi")} for c in caps],
                  open(a.json, "w"), indent=1)
    if not a.keep:
        shutil.rmtree(work)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
