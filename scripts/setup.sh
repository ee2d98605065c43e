#!/usr/bin/env bash
# Installs what diachi needs on Debian/Ubuntu, only what is missing.
#   scripts/setup.sh          to build and run diachi
#   scripts/setup.sh --test   also what the test suite uses
#   scripts/setup.sh --bench  also what bench/*.py use (README, "Benchmarks")
set -euo pipefail

# python3-pip fetches the Khmer recognizer's model (below).
packages=(pkg-config libtesseract-dev libleptonica-dev
          tesseract-ocr-eng tesseract-ocr-vie tesseract-ocr-khm tesseract-ocr-osd
          python3 python3-pip)
if [[ "${1:-}" == "--test" ]]; then
  # pdftotext/pdffonts, xmllint for ../shared/schemas/validate, python for bagit-python;
  # img2pdf, Ghostscript, OCRmyPDF (with pikepdf) and OpenJPEG's tools make the scanner
  # PDFs and JPEG 2000 masters the input tests read; Chromium and ChromeDriver
  # drive the search page as a reader does (tests/serve.rs).
  packages+=(poppler-utils libxml2-utils python3 python3-pip
             img2pdf ghostscript ocrmypdf python3-pikepdf libopenjp2-tools
             chromium chromium-driver)
fi
if [[ "${1:-}" == "--bench" ]]; then
  # pango-view and the fonts render the generated pages, Pillow degrades and
  # saves them; GNU time measures every tool; the tesseract CLI is the floor;
  # img2pdf and a venv hold OCRmyPDF 17 (below).
  packages+=(tesseract-ocr pango1.0-tools fonts-noto-core fonts-khmeros
             python3-pil python3-venv time img2pdf ghostscript)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "setup: cargo not found: install Rust with rustup (https://rustup.rs), then run this again" >&2
  exit 1
fi

# The Khmer line recognizer's model (ocr.khmer_engine, ocr.models_dir):
# the khmer-ocr-ocm 0.1.0 wheel (MIT) from PyPI, pinned by version and
# SHA-256, of which only the weights and the alphabet are kept. diachi
# checks both files' SHA-256 again when it loads them.
models="${DIACHI_MODELS:-${XDG_DATA_HOME:-$HOME/.local/share}/diachi/models}"
khmer_model="$models/khmer-ocr-ocm-0.1.0"
if [[ ! -f "$khmer_model/model.pth" || ! -f "$khmer_model/vocab.json" ]]; then
  echo "setup: installing the Khmer recognizer's model into $khmer_model" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "khmer-ocr-ocm==0.1.0 --hash=sha256:89cfedfe07dc937fde881878bc7ab9261695392139f8e187885ba091761bbe05" \
    > "$tmp/requirements.txt"
  python3 -m pip download -q --no-deps --only-binary=:all: --require-hashes \
    -r "$tmp/requirements.txt" -d "$tmp"
  mkdir -p "$tmp/model" "$models"
  python3 - "$tmp"/khmer_ocr_ocm-0.1.0-py3-none-any.whl "$tmp/model" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    for name in ("model.pth", "vocab.json"):
        with open(f"{sys.argv[2]}/{name}", "wb") as out:
            out.write(wheel.read(f"khmer_ocr_ocm/assets/{name}"))
PY
  rm -rf "$khmer_model"
  mv "$tmp/model" "$khmer_model"
fi

# Python clients the tests check diachi against: bagit-python (verify) and
# Sickle, an OAI-PMH harvester (serve).
pip_install() {
  python3 -m pip install -q "$1" 2>/dev/null \
    || python3 -m pip install -q --user "$1" 2>/dev/null \
    || python3 -m pip install -q --break-system-packages "$1"
}
if [[ "${1:-}" == "--test" ]]; then
  for module in bagit:bagit sickle:sickle==0.7.0; do
    if ! python3 -c "import ${module%%:*}" 2>/dev/null; then
      echo "setup: installing ${module#*:}" >&2
      pip_install "${module#*:}"
    fi
  done
fi

# OCRmyPDF 17, the benchmark's yardstick (Debian's is older), in its own
# venv: installed into the user's site-packages, it shadowed the pikepdf of
# Debian's OCRmyPDF, which the tests' scanner PDFs are made with, and broke
# them. bench/bench.py looks for it here first.
if [[ "${1:-}" == "--bench" ]]; then
  venv="${DIACHI_BENCH_VENV:-${XDG_DATA_HOME:-$HOME/.local/share}/diachi/bench-venv}"
  if [[ ! -x "$venv/bin/ocrmypdf" ]]; then
    echo "setup: installing OCRmyPDF 17.13.0 into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "ocrmypdf==17.13.0" img2pdf
  fi
fi
