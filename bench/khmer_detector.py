#!/usr/bin/env python3
"""The PP-OCR text detector's lines instead of Tesseract's layout, on real captures.

    python3 bench/khmer_detector.py CAPTURE:LANG...   (e.g. ../shared/realdev/khm_phonsobon_1.jpg:khm)

RapidOCR's PP-OCR detector (the ONNX file in the `rapidocr` wheel) finds the text lines;
a Khmer capture's lines are read by diachi's Khmer network (`tools/khmer_lines`), a
Vietnamese one's by Tesseract in line mode (`--psm 7`). Lines are put in reading order by
rows, then left to right. Prints the detector's CPU and the CER against `<stem>.gt.txt`
(realdev's rule), to compare with bench/real.py's figures for diachi.

Needs: `pip install rapidocr onnxruntime`, tesseract with vie, and
`cargo build --release -p tools --bin khmer_lines`.
"""
import os, subprocess, sys, tempfile, time
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from real import cer  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rows_of(engine, path):
    start = time.process_time()
    found = engine(path, use_det=True, use_cls=False, use_rec=False)
    cpu = time.process_time() - start
    boxes = []
    for quad in found.boxes:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    boxes.sort(key=lambda b: ((b[1] + b[3]) / 2, b[0]))
    rows = []
    for b in boxes:
        mid, h = (b[1] + b[3]) / 2, b[3] - b[1]
        if rows and abs((rows[-1][0][1] + rows[-1][0][3]) / 2 - mid) < h / 2:
            rows[-1].append(b)
        else:
            rows.append([b])
    return [sorted(r) for r in rows], cpu


def read(crops, lang):
    if lang == "khm":
        tool = os.path.join(ROOT, "target", "release", "khmer_lines")
        out = subprocess.run([tool] + crops, capture_output=True, text=True, check=True).stdout
        return {l.split("\t")[0]: l.split("\t")[1] for l in out.splitlines()}
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    return {c: subprocess.run(["tesseract", c, "-", "-l", lang, "--psm", "7"], capture_output=True,
                              text=True, env=env).stdout.strip() for c in crops}


def main():
    from rapidocr import RapidOCR
    engine = RapidOCR()
    work = tempfile.mkdtemp(prefix="diachi-detector-")
    for arg in sys.argv[1:]:
        path, lang = arg.rsplit(":", 1)
        rows, cpu = rows_of(engine, path)
        page = Image.open(path).convert("L")
        crops = []
        for i, row in enumerate(rows):
            for j, b in enumerate(row):
                f = os.path.join(work, f"{i:03d}_{j}.png")
                page.crop((max(0, int(b[0]) - 2), max(0, int(b[1]) - 2), int(b[2]) + 2,
                           int(b[3]) + 2)).save(f)
                crops.append((i, f))
        got = read([f for _, f in crops], lang)
        text = "\n".join(" ".join(got[f] for k, f in crops if k == i) for i in range(len(rows)))
        gt = os.path.splitext(path)[0] + ".gt.txt"
        score = f"CER {cer(text, open(gt, encoding='utf-8').read()):.3f}" if os.path.exists(gt) else ""
        print(f"{os.path.basename(path)}: {len(rows)} lines, detector {cpu:.2f} s CPU {score}")


if __name__ == "__main__":
    main()
