#!/usr/bin/env python3
"""diachi throughput benchmark: diachi against the plain Tesseract floor and
OCRmyPDF, on the same pages, on this machine.

    python3 bench/bench.py [--copies N] [--jobs N] [--batch DIR | --mix N] [--real DIR...]
                           [--skip-ocrmypdf] [--stages] [--flat N] [--diachi BIN]

Without --batch it builds a batch of samples/batch repeated --copies times
(7 pages a copy: Vietnamese, Khmer, bilingual and a 1-bit page). --mix N
builds instead a batch like a library's: N pages rendered from the samples'
ground truth (Vietnamese, Khmer and bilingual, 200-600 dpi or --dpis, half of them
degraded, skews up to 15 degrees, one in five turned 90/180/270, a quarter
saved as JPEG, the rest PNG), plus every capture of ../shared/realdev and of
each --real folder (a MANIFEST.tsv with `file` and `language`), each a
one-page document in its language. Rendering needs what bench/accuracy.py
needs (pango-view, the fonts, Pillow). For each
tool it prints wall time, CPU seconds (user + system, children included) and
peak RSS, then the ratios the README tracks. --stages also runs
tools/stage_times on every page (engines warm, one thread) and prints the
time of each step summed over the batch, next to the floor's CPU
(`cargo build --release -p tools --bin stage_times` first). --flat N measures
instead whether diachi's memory grows with the batch: it runs diachi alone on
the batch and on the same documents hard-linked N times over, in the same
order cycle after cycle (so that each document has the same neighbours), and
prints both peak RSS figures and their ratio. --diachi runs another build (an
older one, to compare side by side). Needs a release build
(cargo build --release), GNU time, tesseract; OCRmyPDF and img2pdf for the
third column: `scripts/setup.sh --bench` installs them all, OCRmyPDF 17.13 in
a venv (BENCH_VENV below) that this script puts first on its PATH.
"""
import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIACHI = os.path.join(ROOT, "target", "release", "diachi")
IMAGE = re.compile(r"\.(tiff?|png|jpe?g)$", re.I)
# Where `scripts/setup.sh --bench` puts OCRmyPDF 17 (its venv's bin goes first
# on PATH, for ocrmypdf and img2pdf alike).
BENCH_VENV = os.environ.get("DIACHI_BENCH_VENV") or os.path.join(
    os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "diachi", "bench-venv")
if os.path.isdir(os.path.join(BENCH_VENV, "bin")):
    os.environ["PATH"] = os.path.join(BENCH_VENV, "bin") + os.pathsep + os.environ.get("PATH", "")


def natural(s):
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", s)]


def timed(cmd, env=None, shell=False):
    """Runs cmd under GNU time: (wall s, cpu s, peak RSS MiB)."""
    out = tempfile.mktemp()
    full = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", out]
    full += ["sh", "-c", cmd] if shell else cmd
    subprocess.run(full, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall, user, sys_, rss = open(out).read().split()[-4:]
    os.unlink(out)
    return float(wall), float(user) + float(sys_), int(rss) / 1024


def build_batch(copies, dest):
    src = os.path.join(ROOT, "samples", "batch")
    rows = list(csv.DictReader(open(os.path.join(src, "batch.csv"), encoding="utf-8")))
    out_rows = []
    for c in range(copies):
        for row in rows:
            doc = f"{row['id']}-{c:03d}"
            shutil.copytree(os.path.join(src, row["id"]), os.path.join(dest, doc))
            out_rows.append({**row, "id": doc})
    with open(os.path.join(dest, "batch.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(out_rows)


def build_mix(count, real_dirs, dest, seed=18, dpis=(200, 300, 400, 600)):
    """A library-like batch: rendered pages in many conditions, and real captures."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import random
    import accuracy
    rng = random.Random(seed)
    pool = accuracy.texts()
    tmp = tempfile.mkdtemp()
    rows = []
    for n in range(count):
        lang, text = pool[n % len(pool)]
        dpi = dpis[n % len(dpis)]
        cond = {"large_skew": n % 3 == 2, "degraded": n % 2 == 1,
                "turn": [0, 0, 0, 0, 90, 0, 0, 180, 0, 270][n % 10]}
        page, _ = accuracy.degrade(rng, accuracy.render(text, rng.choice(accuracy.FONT[lang]),
                                                         dpi, tmp), dpi, cond)
        doc = f"r{n:03d}"
        os.makedirs(os.path.join(dest, doc))
        name = "1.jpg" if n % 4 == 1 else "1.png"
        page.save(os.path.join(dest, doc, name), dpi=(dpi, dpi),
                  **({"quality": rng.randint(60, 90)} if name.endswith("jpg") else {}))
        rows.append((doc, lang))
    shutil.rmtree(tmp)
    for d in real_dirs:
        for row in csv.DictReader(open(os.path.join(d, "MANIFEST.tsv"), encoding="utf-8"),
                                  delimiter="\t"):
            src = os.path.join(d, row["file"])
            if not IMAGE.search(row["file"]) or not os.path.isfile(src):
                continue
            doc = os.path.splitext(row["file"])[0]
            os.makedirs(os.path.join(dest, doc))
            shutil.copyfile(src, os.path.join(dest, doc, row["file"]))
            rows.append((doc, row["language"]))
    with open(os.path.join(dest, "batch.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "language"])
        w.writerows(rows)


def build_cycles(batch, times, dest):
    """The documents of `batch` hard-linked `times` over into `dest`, in
    cycles: c00-<doc> for every doc, then c01-<doc>, and so on."""
    rows = list(csv.DictReader(open(os.path.join(batch, "batch.csv"), encoding="utf-8")))
    out_rows = []
    for c in range(times):
        for row in rows:
            doc = f"c{c:02d}-{row['id']}"
            shutil.copytree(os.path.join(batch, row["id"]), os.path.join(dest, doc),
                            copy_function=os.link)
            out_rows.append({**row, "id": doc})
    with open(os.path.join(dest, "batch.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(out_rows)


def flat(batch, times, jobs, work):
    """Peak RSS of diachi on `batch` and on it `times` over (build_cycles)."""
    big = os.path.join(work, "cycles")
    os.makedirs(big)
    build_cycles(batch, times, big)
    peaks = []
    for b in (batch, big):
        out = os.path.join(work, "flat-out")
        wall, cpu, rss = timed([DIACHI, "run", b, "--out", out, "--jobs", str(jobs)])
        pages = sum(len(p) for _, _, p in documents(b))
        print(f"{pages:6} pages: {wall:8.1f} s wall {cpu:8.1f} s CPU {rss:8.0f} MiB peak RSS")
        peaks.append(rss)
        shutil.rmtree(out)
    print(f"peak RSS {times}x the batch / the batch: {peaks[1] / peaks[0]:.2f} (target <= 1.2)")


def documents(batch):
    """[(doc id, language for tesseract, [page paths in order])]"""
    langs = {}
    path = os.path.join(batch, "batch.csv")
    if os.path.exists(path):
        for row in csv.DictReader(open(path, encoding="utf-8")):
            langs[row["id"]] = "+".join(re.split(r"[;,+\s]+", row.get("language", "").strip()) or ["vie"]) or "vie"
    docs = []
    for d in sorted(os.listdir(batch), key=natural):
        full = os.path.join(batch, d)
        if os.path.isdir(full) and not d.startswith("."):
            pages = sorted((p for p in os.listdir(full) if IMAGE.search(p)), key=natural)
            docs.append((d, langs.get(d) or "vie", [os.path.join(full, p) for p in pages]))
    return docs


def pdf_bytes(paths):
    return sum(os.path.getsize(p) for p in paths)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=6)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--batch")
    ap.add_argument("--mix", type=int, help="build a library-like batch of N rendered pages "
                    "plus the real captures")
    ap.add_argument("--real", nargs="*", default=[os.path.join(ROOT, "..", "shared", "realdev")],
                    help="folders of real captures for --mix (default ../shared/realdev)")
    ap.add_argument("--dpis", default="200,300,400,600",
                    help="resolutions the --mix pages are rendered at, in turn (default "
                         "200,300,400,600; the issue's held-out batch: 200,300,400)")
    ap.add_argument("--skip-ocrmypdf", action="store_true")
    ap.add_argument("--only-diachi", action="store_true", help="diachi alone (for RSS scaling runs)")
    ap.add_argument("--stages", action="store_true", help="time each step of every page")
    ap.add_argument("--flat", type=int, metavar="N",
                    help="peak RSS of diachi on the batch and on it N times over")
    ap.add_argument("--diachi", metavar="BIN",
                    help="the diachi binary to run (default target/release/diachi): to "
                         "measure an older build side by side")
    a = ap.parse_args()
    global DIACHI
    DIACHI = a.diachi or DIACHI
    if not os.path.exists(DIACHI):
        sys.exit("build first: cargo build --release")
    work = tempfile.mkdtemp(prefix="diachi-bench-")
    batch = a.batch or os.path.join(work, "batch")
    if not a.batch:
        os.makedirs(batch)
        if a.mix:
            build_mix(a.mix, a.real, batch, dpis=[int(d) for d in a.dpis.split(",")])
        else:
            build_batch(a.copies, batch)
    docs = documents(batch)
    pages = sum(len(p) for _, _, p in docs)
    if a.flat:
        print(f"batch: {batch}: {len(docs)} documents, {pages} pages; {a.jobs} jobs")
        flat(batch, a.flat, a.jobs, work)
        shutil.rmtree(work)
        return
    print(f"batch: {batch}: {len(docs)} documents, {pages} pages; {a.jobs} jobs")
    results = {}

    out = os.path.join(work, "diachi-out")
    results["diachi"] = timed([DIACHI, "run", batch, "--out", out, "--jobs", str(a.jobs)])
    diachi_pdf = pdf_bytes([os.path.join(out, d, "data", f"{d}.pdf") for d, _, _ in docs])

    if not a.only_diachi:
        # The floor: tesseract CLI, same language and mode, one process per
        # core, one OpenMP thread each.
        jobs_file = os.path.join(work, "tesseract-jobs")
        with open(jobs_file, "w") as f:
            for _, lang, ps in docs:
                for p in ps:
                    f.write(f"{lang}\t{p}\n")
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        cmd = (f"cut -f1,2 --output-delimiter=' ' {jobs_file} | "
               f"xargs -P {a.jobs} -n 2 sh -c 'tesseract \"$1\" - -l \"$0\" --psm 6 >/dev/null 2>&1'")
        results["tesseract"] = timed(cmd, env=env, shell=True)

    ocrmypdf_pdf = None
    if not a.only_diachi and not a.skip_ocrmypdf and shutil.which("ocrmypdf") and shutil.which("img2pdf"):
        odir = os.path.join(work, "ocrmypdf-out")
        os.makedirs(odir)
        # One document per OCRmyPDF process, --jobs of them at a time with
        # one job and one OpenMP thread each, as the floor runs: these
        # batches are mostly one-page documents, and `ocrmypdf --jobs N`
        # on a one-page file keeps one core busy. A page OCRmyPDF fails on
        # is logged and the rest go on.
        listing = os.path.join(work, "ocrmypdf-jobs")
        with open(listing, "w") as f:
            for d, lang, ps in docs:
                # xargs reads quoted arguments, one line a document.
                f.write(" ".join(f'"{v}"' for v in [d, lang] + ps) + "\n")
        script = os.path.join(work, "ocrmypdf.sh")
        with open(script, "w") as f:
            f.write('d="$1"; lang="$2"; shift 2\n'
                    f'img2pdf "$@" -o "{odir}/$d.in.pdf" && '
                    "ocrmypdf -q --deskew --rotate-pages --output-type pdfa --jobs 1 "
                    f'-l "$lang" --tesseract-pagesegmode 6 "{odir}/$d.in.pdf" "{odir}/$d.pdf" '
                    f'2>>"{odir}/errors.txt" || echo "$d" >> "{odir}/failed.txt"\n')
        cmd = f"xargs -P {a.jobs} -L 1 sh {script} < {listing}"
        version = subprocess.run(["ocrmypdf", "--version"], capture_output=True, text=True)
        print(f"ocrmypdf {version.stdout.strip()} ({shutil.which('ocrmypdf')})")
        results["ocrmypdf"] = timed(cmd, env={**os.environ, "OMP_THREAD_LIMIT": "1"}, shell=True)
        failed = os.path.join(odir, "failed.txt")
        if os.path.exists(failed):
            print(f"OCRmyPDF failed on {len(open(failed).read().split())} documents; see {odir}/errors.txt")
        ocrmypdf_pdf = pdf_bytes([os.path.join(odir, f"{d}.pdf") for d, _, _ in docs])

    print(f"\n{'':12}{'wall s':>10}{'CPU s':>10}{'peak RSS MiB':>14}")
    for name, (wall, cpu, rss) in results.items():
        print(f"{name:12}{wall:10.1f}{cpu:10.1f}{rss:14.0f}")
    if "tesseract" in results:
        print(f"\ndiachi CPU / tesseract floor CPU: {results['diachi'][1] / results['tesseract'][1]:.2f} (target <= 1.2)")
    if "ocrmypdf" in results:
        print(f"OCRmyPDF wall / diachi wall:      {results['ocrmypdf'][0] / results['diachi'][0]:.2f} (target >= 5)")
        print(f"PDF bytes per page: diachi {diachi_pdf / pages / 1024:.1f} KiB, OCRmyPDF {ocrmypdf_pdf / pages / 1024:.1f} KiB")
    else:
        print(f"PDF bytes per page: diachi {diachi_pdf / pages / 1024:.1f} KiB")
    if a.stages:
        print_stages(docs, results.get("tesseract"))
    shutil.rmtree(work)


def print_stages(docs, floor):
    """Each step's time summed over the batch (tools/stage_times, one page at
    a time, engines warm), largest first, with the floor's CPU beside."""
    tool = os.path.join(ROOT, "target", "release", "stage_times")
    totals, pages = {}, 0
    line = re.compile(r"^\s*([a-z][a-z -]*?):\s+([0-9.]+) ms")
    for _, lang, ps in docs:
        for p in ps:
            out = subprocess.run([tool, p, lang], capture_output=True, text=True).stdout
            pages += 1
            for row in out.splitlines():
                m = line.match(row)
                if m:
                    totals[m.group(1)] = totals.get(m.group(1), 0.0) + float(m.group(2)) / 1000
    total = sum(totals.values())
    print(f"\nsteps over {pages} pages (s, one thread):")
    for step, secs in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {step:>14} {secs:8.1f}  {100 * secs / total:5.1f}%")
    print(f"  {'all':>14} {total:8.1f}")
    if floor:
        print(f"  floor (plain tesseract, CPU s): {floor[1]:.1f}")


if __name__ == "__main__":
    main()
