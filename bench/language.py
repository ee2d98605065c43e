#!/usr/bin/env python3
"""Automatic language benchmark: `--lang auto` against the right manual
language and against a fixed `vie+khm`, on generated full pages of each kind.

    python3 bench/language.py [--pages N] [--seed S] [--repeat R] [--keep DIR]
                              [--kinds K,K] [--modes M,M]

Pages are filled (about 30 lines, A5) with lines of the ground-truth texts in
samples/groundtruth:
- vie: Vietnamese only;
- khm: Khmer only;
- parallel: a Vietnamese line, then its Khmer neighbour, alternating;
- sparse: Vietnamese with one or two short Khmer lines (names, titles),
  the case a sample of lines can miss;
- khm-sparse: Khmer with one or two Vietnamese lines (headings, notes).
Every second page is degraded (uneven light, blur, noise, JPEG), and all
carry a small skew, as in bench/accuracy.py. Each kind is one batch, run
three ways: with the right language in batch.csv (vie, khm, vie+khm,
vie+khm, khm+vie), with `auto`, and with `vie+khm` everywhere. For each it prints the
CER per kind, the CPU seconds of the diachi run (user + system, the least of
R repeats), and the languages auto chose.

Needs: a release build, pango1.0-tools, fonts-noto-core, fonts-khmeros,
Pillow, tesseract with vie and khm.
"""
import argparse, csv, glob, json, os, random, resource, shutil, subprocess, tempfile
from collections import Counter

from accuracy import DIACHI, GT, degrade, render
from textdist import fold, lev

KINDS = {"vie": "vie", "khm": "khm", "parallel": "vie+khm", "sparse": "vie+khm",
         "khm-sparse": "khm+vie"}
FONTS = {"vie": ["Noto Serif 11", "DejaVu Serif 10"], "khm": ["Khmer OS 12", "Noto Sans Khmer 11"],
         "parallel": ["Noto Serif 11"], "sparse": ["Noto Serif 11", "DejaVu Serif 10"],
         "khm-sparse": ["Noto Serif 11"]}
# Characters a full A5 page holds at these sizes, roughly (extra lines are
# dropped until the page fits).
PAGE_CHARS = {"vie": 1500, "khm": 1300, "parallel": 1300, "sparse": 1500, "khm-sparse": 1300}


def pools():
    """Vietnamese and Khmer lines of the ground truth, by script."""
    vie, khm = [], []
    for path in sorted(glob.glob(os.path.join(GT, "*", "*.txt"))):
        for line in open(path, encoding="utf-8").read().splitlines():
            line = line.strip()
            if not line:
                continue
            khmer = sum(1 for c in line if "\u1780" <= c <= "\u17ff")
            (khm if khmer * 2 > len(line.replace(" ", "")) else vie).append(line)
    return vie, khm


def page_text(rng, kind, vie, khm):
    lines, size = [], 0
    short_khm = [l for l in khm if len(l) < 40] or khm
    short_vie = [l for l in vie if len(l) < 50] or vie
    while size < PAGE_CHARS[kind]:
        if kind == "vie":
            line = rng.choice(vie)
        elif kind == "khm":
            line = rng.choice(khm)
        elif kind == "parallel":
            line = rng.choice(vie if len(lines) % 2 == 0 else khm)
        elif kind == "khm-sparse":
            line = rng.choice(khm)
        else:
            line = rng.choice(vie)
        lines.append(line)
        size += len(line)
    if kind in ("sparse", "khm-sparse"):
        other = short_khm if kind == "sparse" else short_vie
        for _ in range(rng.choice([1, 2])):
            lines.insert(rng.randrange(1, len(lines) // 2), rng.choice(other))
    return "\n".join(lines) + "\n"


def make_batch(rng, kind, n, root, vie, khm):
    batch = os.path.join(root, kind)
    os.makedirs(batch)
    truth = {}
    tmp = tempfile.mkdtemp()
    for i in range(n):
        text = page_text(rng, kind, vie, khm)
        dpi = [300, 300, 400, 200][i % 4]
        cond = {"large_skew": False, "degraded": i % 2 == 1, "turn": 0}
        font = rng.choice(FONTS[kind])
        img = render(text, font, dpi, tmp)
        # Drop last lines until the text fits the A5 page inside its margins.
        while img.height > (210 / 25.4 - 1.4) * dpi:
            text = "\n".join(text.splitlines()[:-1]) + "\n"
            img = render(text, font, dpi, tmp)
        page, _ = degrade(rng, img, dpi, cond)
        doc = f"{kind}-{i:02d}"
        os.makedirs(os.path.join(batch, doc))
        if cond["degraded"]:
            page.save(os.path.join(batch, doc, "1.jpg"), quality=rng.randint(60, 85), dpi=(dpi, dpi))
        else:
            page.save(os.path.join(batch, doc, "1.png"), dpi=(dpi, dpi))
        truth[doc] = text
    shutil.rmtree(tmp)
    return batch, truth


def write_csv(batch, docs, lang):
    with open(os.path.join(batch, "batch.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "language"])
        for doc in docs:
            w.writerow([doc, lang])


def run(batch, out, jobs, config=None):
    """CPU seconds (user + system) of one diachi run."""
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    extra = ["--config", config] if config else []
    subprocess.run([DIACHI, "run", batch, "--out", out, "--jobs", str(jobs)] + extra,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def score(out, truth):
    """Edit distance, ground-truth length and chosen languages of a run."""
    err, total, langs = 0, 0, Counter()
    for doc, text in truth.items():
        gt = fold(text)
        total += len(gt)
        rec_path = os.path.join(out, doc, "data", "metadata", "record.json")
        if not os.path.exists(rec_path):
            err += len(gt)
            langs["failed"] += 1
            continue
        page = json.load(open(rec_path, encoding="utf-8"))["pages"][0]
        hyp = open(os.path.join(out, doc, page["text"]), encoding="utf-8").read()
        err += lev(fold(hyp), gt)
        langs[page["language"]] += 1
    return err, total, langs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=8, help="pages of each kind")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--keep")
    ap.add_argument("--kinds", default=",".join(KINDS),
                    help="kinds to run (every kind's pages are still made, so a kind's pages "
                         "do not depend on this)")
    ap.add_argument("--modes", default="right,auto,vie+khm")
    ap.add_argument("--config", help="a diachi settings file to run with")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    work = a.keep or tempfile.mkdtemp(prefix="diachi-language-")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    vie, khm = pools()
    modes = a.modes.split(",")
    rows, cpu = [], Counter()
    for kind, right in KINDS.items():
        batch, truth = make_batch(rng, kind, a.pages, work, vie, khm)
        if kind not in a.kinds.split(","):
            continue
        row = {"kind": kind}
        for mode in ["right", "auto", "vie+khm"]:
            if mode not in modes:
                row[mode] = (float("nan"), float("nan"), Counter())
                continue
            write_csv(batch, truth, right if mode == "right" else mode)
            out = os.path.join(work, f"out-{kind}-{mode}")
            secs = min(run(batch, out, a.jobs, a.config) for _ in range(a.repeat))
            err, total, langs = score(out, truth)
            row[mode] = (err / max(1, total), secs, langs)
            cpu[mode] += secs
        rows.append(row)
    print(f"{a.pages} pages of each kind, seed {a.seed}, --jobs {a.jobs}: {work}\n")
    print(f"{'kind':11}{'CER right':>10}{'CER auto':>10}{'CER v+k':>10}"
          f"{'CPU right':>11}{'CPU auto':>10}{'CPU v+k':>10}   auto chose")
    for r in rows:
        chose = ", ".join(f"{l} {n}" for l, n in sorted(r["auto"][2].items()))
        print(f"{r['kind']:11}" + "".join(f"{r[m][0]:10.4f}" for m in ["right", "auto", "vie+khm"])
              + f"{r['right'][1]:11.1f}{r['auto'][1]:10.1f}{r['vie+khm'][1]:10.1f}   {chose}")
    if len(modes) == 3:
        print(f"\nCPU s: right {cpu['right']:.1f}, auto {cpu['auto']:.1f} "
              f"({100 * (cpu['auto'] / cpu['right'] - 1):+.1f}%), "
              f"vie+khm {cpu['vie+khm']:.1f} ({100 * (cpu['vie+khm'] / cpu['right'] - 1):+.1f}%)")
    if not a.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
