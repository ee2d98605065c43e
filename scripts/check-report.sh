#!/usr/bin/env bash
# A documented check of the batch report in a real browser (Debian's
# chromium, headless, no network): renders REPORT to a PNG and checks, in
# the DOM the browser built, that the review table lists the flagged rows.
#   scripts/check-report.sh OUT/report.html [screenshot.png]
set -euo pipefail
report=$(realpath "$1")
shot=${2:-${report%.html}.png}
command -v chromium >/dev/null || { echo "install chromium (apt-get install chromium)" >&2; exit 2; }
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --user-data-dir="$(mktemp -d)")
chromium "${flags[@]}" --window-size=1200,1600 --screenshot="$shot" "file://$report" 2>/dev/null
dom=$(chromium "${flags[@]}" --dump-dom "file://$report" 2>/dev/null)
expected=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["review"]))' "${report%.html}.json")
rows=$(grep -o 'data-doc="[^"]*"' <<<"$dom" | wc -l)
images=$(grep -c '<img' <<<"$dom" || true)
echo "review rows in the rendered page: $rows (report.json: $expected); images: $images; screenshot: $shot"
[[ "$rows" -eq "$expected" ]]
