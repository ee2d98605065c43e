#!/usr/bin/env python3
"""Render diachi's sample batch from the ground-truth text beside it.

Each groundtruth/<doc>/<stem>.txt is shaped by pango-view (which shapes Khmer
correctly), pasted on an A5 page at the dpi below, optionally skewed, and
saved in the format the page list names, with its resolution recorded.
Deterministic: no randomness, so re-running reproduces the same pixels for
the same fonts.

Files of several pages (a scanner PDF, a multi-page TIFF) take their pages'
text from groundtruth/<doc>/<stem>-<n>.txt, n from 1.

Needs: pango1.0-tools, fonts-noto-core, fonts-khmeros, python3-pil (or
`pip install pillow`), and img2pdf for the scanner PDF. Run from anywhere:
python3 samples/make_samples.py
"""
import os
import subprocess
import tempfile

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
GT = os.path.join(HERE, "groundtruth")
BATCH = os.path.join(HERE, "batch")

# (document, output file name, font, dpi, skew degrees counter-clockwise).
# The text of batch/<document>/<stem>.<ext> is groundtruth/<document>/<stem>.txt.
PAGES = [
    ("can-tho-1925", "1.tif", "Noto Serif 11", 300, 0.0),
    ("can-tho-1925", "2.png", "Noto Serif 11", 300, 1.5),
    ("can-tho-1925", "10.jpg", "Noto Serif 11", 300, -1.0),
    ("wat-khleang", "scan_1.png", "Khmer OS 12", 300, 0.0),
    ("wat-khleang", "scan_2.png", "Khmer OS 12", 300, 2.0),
    ("song-ngu", "p1.tif", "Noto Serif 11", 300, 0.0),
    # A 1-bit scan (CCITT G4 TIFF), as bilevel scanner settings produce.
    ("cong-bao-1930", "1.tif", "DejaVu Serif 10", 300, 0.8),
    ("giay-to-xoay", "1.png", "Noto Serif 11", 300, 0.0),
    ("giay-to-xoay", "2.png", "Noto Serif 11", 300, 0.0),
]

BILEVEL = {("cong-bao-1930", "1.tif")}

# Files of several pages: (document, file, font, dpi, skew of each page).
# The PDF is what a document scanner writes: page 1 a gray JPEG, page 2 a
# 1-bit CCITT G4 image, one image a page (made by img2pdf, which stores
# them as they are). The TIFF holds two deflated gray pages.
MULTI = [
    ("ho-so-may-quet", "1.pdf", "Noto Serif 11", 300, [0.6, -0.4]),
    ("ho-so-may-quet", "2.tif", "Noto Serif 11", 300, [0.0, 1.0]),
]

# Pages scanned the wrong way round: (document, file) -> degrees the finished
# page is turned counter-clockwise (180: upside down; 90: text reads upwards).
TURNED = {("giay-to-xoay", "1.png"): 180, ("giay-to-xoay", "2.png"): 90}

A5_MM = (148, 210)


def render(text_file, font, dpi):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.png")
        subprocess.run(
            [
                "pango-view", "--no-display", f"--dpi={dpi}", f"--font={font}",
                "--margin=0", "--width=340", "--wrap=word", "--hinting=full",
                "--antialias=gray", "--background=white", "--foreground=black",
                "-o", out, text_file,
            ],
            check=True,
        )
        return Image.open(out).convert("L")


def page(text_img, dpi, skew):
    w = round(A5_MM[0] / 25.4 * dpi)
    h = round(A5_MM[1] / 25.4 * dpi)
    canvas = Image.new("L", (w, h), 255)
    margin = round(0.6 * dpi)
    canvas.paste(text_img, (margin, margin))
    if skew:
        canvas = canvas.rotate(skew, resample=Image.BICUBIC, fillcolor=255)
    return canvas


def main():
    for doc, name, font, dpi, skew in PAGES:
        stem = os.path.splitext(name)[0]
        img = page(render(os.path.join(GT, doc, stem + ".txt"), font, dpi), dpi, skew)
        if (doc, name) in TURNED:
            img = img.rotate(TURNED[(doc, name)], expand=True)
        os.makedirs(os.path.join(BATCH, doc), exist_ok=True)
        path = os.path.join(BATCH, doc, name)
        if (doc, name) in BILEVEL:
            img = img.point(lambda p: 255 if p > 140 else 0).convert("1")
            img.save(path, compression="group4", dpi=(dpi, dpi))
        elif name.endswith(".tif"):
            img.save(path, compression="tiff_deflate", dpi=(dpi, dpi))
        elif name.endswith(".jpg"):
            img.save(path, quality=88, dpi=(dpi, dpi))
        else:
            img.save(path, optimize=True, dpi=(dpi, dpi))
        print(path, img.size, f"skew={skew}")
    for doc, name, font, dpi, skews in MULTI:
        stem, ext = os.path.splitext(name)
        pages = [
            page(render(os.path.join(GT, doc, f"{stem}-{n}.txt"), font, dpi), dpi, skew)
            for n, skew in enumerate(skews, 1)
        ]
        path = os.path.join(BATCH, doc, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if ext == ".pdf":
            with tempfile.TemporaryDirectory() as tmp:
                jpeg = os.path.join(tmp, "1.jpg")
                pages[0].save(jpeg, quality=88, dpi=(dpi, dpi))
                g4 = os.path.join(tmp, "2.tif")
                bw = pages[1].point(lambda p: 255 if p > 140 else 0).convert("1")
                bw.save(g4, compression="group4", dpi=(dpi, dpi))
                subprocess.run(["img2pdf", "--nodate", jpeg, g4, "-o", path], check=True)
        else:
            pages[0].save(path, compression="tiff_deflate", dpi=(dpi, dpi),
                          save_all=True, append_images=pages[1:])
        print(path, len(pages), "pages")


if __name__ == "__main__":
    main()
