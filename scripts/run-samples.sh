#!/usr/bin/env bash
# Quick start 1: install what is missing, build diachi, package samples/batch
# into out/samples, and verify the bags.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --quiet
target/release/diachi run samples/batch --out out/samples "$@"
target/release/diachi verify out/samples
