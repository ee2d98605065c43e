#!/usr/bin/env bash
# Quick start 1: install what is missing, build diachi, package samples/batch
# into out/samples, verify the bags and index them for `diachi serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --quiet
target/release/diachi run samples/batch --out out/samples "$@"
target/release/diachi verify out/samples
target/release/diachi index out/samples
