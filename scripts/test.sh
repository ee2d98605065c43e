#!/usr/bin/env bash
# Quick start 2: install what is missing, then run the whole test suite
# (unit tests of every crate, and the end-to-end tests on samples/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
cargo test --workspace --locked "$@"
