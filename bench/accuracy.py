#!/usr/bin/env python3
"""Page-preparation accuracy benchmark: skew, orientation and OCR accuracy on
generated pages whose truth is known, next to plain Tesseract.

    python3 bench/accuracy.py [--pages N] [--seed S] [--keep DIR]

Pages are rendered with pango-view from the ground-truth texts in
samples/groundtruth (Vietnamese, Khmer, bilingual), then degraded the way
real scans are: skew (small or up to 15 degrees), sideways or upside down,
200-400 dpi, uneven light, noise, blur and JPEG artifacts. The seed makes the
set reproducible. diachi reads each page with its document's language; plain
Tesseract reads the same file with default settings. Prints skew MAE,
orientation accuracy and CER per language and per condition.

Needs: a release build (or DIACHI_BIN=PATH, another build, as for
bench/language.py), pango1.0-tools, fonts-noto-core, fonts-khmeros,
Pillow, tesseract with vie and khm.
"""
import argparse, csv, glob, json, os, random, shutil, subprocess, tempfile
from PIL import Image, ImageChops, ImageFilter
from textdist import fold, lev

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# DIACHI_BIN runs another build (an older one, to compare side by side);
# bench/language.py reads it too.
DIACHI = os.environ.get("DIACHI_BIN") or os.path.join(ROOT, "target", "release", "diachi")
GT = os.path.join(ROOT, "samples", "groundtruth")
LANG = {"can-tho-1925": "vie", "cong-bao-1930": "vie", "giay-to-xoay": "vie",
        "wat-khleang": "khm", "song-ngu": "vie+khm", "ho-so-may-quet": "vie"}
FONT = {"vie": ["Noto Serif 11", "DejaVu Serif 10"], "khm": ["Khmer OS 12", "Noto Sans Khmer 11"],
        "vie+khm": ["Noto Serif 11"]}


def texts():
    out = []
    for path in sorted(glob.glob(os.path.join(GT, "*", "*.txt"))):
        doc = os.path.basename(os.path.dirname(path))
        out.append((LANG[doc], open(path, encoding="utf-8").read()))
    return out


def render(text, font, dpi, tmp):
    src, png = os.path.join(tmp, "t.txt"), os.path.join(tmp, "r.png")
    open(src, "w", encoding="utf-8").write(text)
    subprocess.run(["pango-view", "--no-display", f"--dpi={dpi}", f"--font={font}", "--margin=0",
                    "--width=340", "--wrap=word", "--background=white", "--foreground=black",
                    "-o", png, src], check=True)
    return Image.open(png).convert("L")


def degrade(rng, img, dpi, cond):
    w, h = round(148 / 25.4 * dpi), round(210 / 25.4 * dpi)
    page = Image.new("L", (w, h), 255)
    page.paste(img, (round(0.6 * dpi), round(0.6 * dpi)))
    skew = rng.uniform(-15, 15) if cond["large_skew"] else rng.uniform(-3, 3)
    skew = round(skew, 2)
    page = page.rotate(skew, resample=Image.BICUBIC, fillcolor=255, expand=True)
    if cond["degraded"]:
        # Uneven light: a horizontal gradient, darker on one side.
        grad = Image.linear_gradient("L").rotate(90).resize(page.size)
        light = grad.point(lambda v: 200 + v * 55 // 255)
        page = ImageChops.multiply(page, light)
        page = page.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.0)))
        noise = Image.effect_noise(page.size, rng.uniform(6, 14))
        page = ImageChops.add(page, noise, scale=1.0, offset=-128)
    turn = cond["turn"]
    if turn:
        page = page.rotate(turn, expand=True)
    return page, skew




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=36)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--keep")
    ap.add_argument("--config", help="a diachi config file for the run")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    work = a.keep or tempfile.mkdtemp(prefix="diachi-accuracy-")
    batch = os.path.join(work, "batch")
    shutil.rmtree(batch, ignore_errors=True)
    os.makedirs(batch)
    pool = texts()
    truth = {}
    tmp = tempfile.mkdtemp()
    for n in range(a.pages):
        lang, text = pool[n % len(pool)]
        cond = {"large_skew": n % 3 == 2, "degraded": n % 2 == 1, "turn": [0, 0, 180, 90, 270][n % 5]}
        dpi = [300, 200, 400][n % 3 if n % 4 else 0]
        img = render(text, rng.choice(FONT[lang]), dpi, tmp)
        page, skew = degrade(rng, img, dpi, cond)
        doc = f"p{n:03d}"
        os.makedirs(os.path.join(batch, doc))
        name = "1.jpg" if cond["degraded"] else "1.png"
        path = os.path.join(batch, doc, name)
        if cond["degraded"]:
            page.save(path, quality=rng.randint(55, 85), dpi=(dpi, dpi))
        else:
            page.save(path, dpi=(dpi, dpi))
        truth[doc] = dict(lang=lang, text=text, skew=skew, turn=cond["turn"], path=path,
                          cond=("large skew" if cond["large_skew"] else "small skew")
                          + (", degraded" if cond["degraded"] else ", clean")
                          + (f", turned {cond['turn']}" if cond["turn"] else ""))
    with open(os.path.join(batch, "batch.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "language"])
        for doc, t in truth.items():
            w.writerow([doc, t["lang"]])
    out = os.path.join(work, "out")
    shutil.rmtree(out, ignore_errors=True)
    extra = ["--config", a.config] if a.config else []
    subprocess.run([DIACHI, "run", batch, "--out", out, "--jobs", str(a.jobs)] + extra,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows = []
    for doc, t in truth.items():
        rec_path = os.path.join(out, doc, "data", "metadata", "record.json")
        gt = fold(t["text"])
        plain = subprocess.run(["tesseract", t["path"], "-", "-l", t["lang"]], capture_output=True,
                               text=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"}).stdout
        row = dict(doc=doc, lang=t["lang"], cond=t["cond"], gt_len=len(gt),
                   plain_err=lev(fold(plain), gt), skew_true=t["skew"], turn=t["turn"])
        if os.path.exists(rec_path):
            rec = json.load(open(rec_path, encoding="utf-8"))
            p = rec["pages"][0]
            hyp = open(os.path.join(out, doc, p["text"]), encoding="utf-8").read()
            row.update(err=lev(fold(hyp), gt), skew=p["skew_degrees"], orient=p["orientation_degrees"])
        else:
            row.update(err=len(gt), skew=None, orient=None)
        rows.append(row)

    def cer(rs, key):
        return sum(r[key] for r in rs) / max(1, sum(r["gt_len"] for r in rs))

    skews = [abs(r["skew"] - r["skew_true"]) for r in rows if r["skew"] is not None]
    print(f"{len(rows)} pages, seed {a.seed}: {work}")
    print(f"skew MAE: {sum(skews) / len(skews):.3f} deg (max {max(skews):.3f})")
    ok = sum(1 for r in rows if r["orient"] == r["turn"])
    print(f"orientation: {ok}/{len(rows)} right")
    print(f"\n{'':28}{'pages':>6}{'diachi CER':>12}{'tesseract CER':>15}")
    groups = {}
    for r in rows:
        groups.setdefault(r["lang"], []).append(r)
    for r in rows:
        for part in r["cond"].split(", "):
            groups.setdefault(part, []).append(r)
    groups["overall"] = rows
    for name, rs in groups.items():
        print(f"{name:28}{len(rs):6}{cer(rs, 'err'):12.4f}{cer(rs, 'plain_err'):15.4f}")
    bad = [r for r in rows if r["orient"] != r["turn"] or (r["skew"] is not None and abs(r["skew"] - r["skew_true"]) > 0.1)]
    for r in bad:
        print(f"  check {r['doc']}: {r['cond']}, skew {r['skew']} (made {r['skew_true']}), orientation {r['orient']} (made {r['turn']})")
    if not a.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
