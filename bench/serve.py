#!/usr/bin/env python3
"""Load test of `diachi serve` on a collection of at least 10,000 pages.

    bench/serve.py [--dir /tmp/diachi-serve-bench] [--pages 10000]
                   [--requests 20000] [--diachi target/release/diachi]

1. Runs diachi on samples/batch once, then repeats its bags under new ids
   (`<id>-r<n>`) until the collection holds --pages pages. Files are hard
   links, except the ones that name the id (record.json, the PDF and text
   renamed), and each copy's manifests and Payload-Oxum are made right, so
   every copy is a valid bag.
2. Times `diachi index` from nothing, then again with nothing changed.
3. Starts `diachi serve` and times until its first answer.
4. Runs oha (`cargo install oha`) with a fixed number of requests and 8
   connections, on loopback, against search queries (Vietnamese with and
   without marks, Khmer, with filters) and against OAI-PMH ListRecords
   pages (first pages and resumption tokens), and prints p50/p99 latency.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def copy_bag(src, dst, old_id, new_id):
    """A copy of bag `src` as `new_id`: hard links but for what names the id."""
    renames = {f"data/{old_id}.pdf": f"data/{new_id}.pdf", f"data/{old_id}.txt": f"data/{new_id}.txt"}
    manifest = []
    oxum_bytes = 0
    for line in open(os.path.join(src, "manifest-sha256.txt"), encoding="utf-8"):
        digest, rel = line.rstrip("\n").split(None, 1)
        new_rel = renames.get(rel, rel)
        os.makedirs(os.path.dirname(os.path.join(dst, new_rel)), exist_ok=True)
        if rel == "data/metadata/record.json":
            record = json.load(open(os.path.join(src, rel), encoding="utf-8"))
            record["id"] = new_id
            with open(os.path.join(dst, new_rel), "w", encoding="utf-8") as f:
                json.dump(record, f, ensure_ascii=False, indent=2)
            digest = sha256(os.path.join(dst, new_rel))
        else:
            os.link(os.path.join(src, rel), os.path.join(dst, new_rel))
        oxum_bytes += os.path.getsize(os.path.join(dst, new_rel))
        manifest.append(f"{digest}  {new_rel}\n")
    with open(os.path.join(dst, "manifest-sha256.txt"), "w", encoding="utf-8") as f:
        f.writelines(manifest)
    shutil.copy(os.path.join(src, "bagit.txt"), os.path.join(dst, "bagit.txt"))
    info = open(os.path.join(src, "bag-info.txt"), encoding="utf-8").read()
    info = re.sub(r"External-Identifier: .*", f"External-Identifier: {new_id}", info)
    info = re.sub(r"Payload-Oxum: .*", f"Payload-Oxum: {oxum_bytes}.{len(manifest)}", info)
    with open(os.path.join(dst, "bag-info.txt"), "w", encoding="utf-8") as f:
        f.write(info)
    tags = [t for t in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt")]
    with open(os.path.join(dst, "tagmanifest-sha256.txt"), "w", encoding="utf-8") as f:
        for t in tags:
            f.write(f"{sha256(os.path.join(dst, t))}  {t}\n")


def build(diachi, base, pages_wanted):
    seed = os.path.join(base, "seed")
    big = os.path.join(base, "out")
    if os.path.isdir(big) and os.path.exists(os.path.join(base, "done")):
        return big
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    subprocess.run([diachi, "run", os.path.join(ROOT, "samples/batch"), "--out", seed, "--quiet"], check=True)
    bags = [d for d in sorted(os.listdir(seed)) if os.path.exists(os.path.join(seed, d, "bagit.txt"))]
    per_round = sum(len(json.load(open(os.path.join(seed, b, "data/metadata/record.json")))["pages"]) for b in bags)
    rounds = -(-pages_wanted // per_round)
    os.makedirs(big)
    for n in range(rounds):
        for b in bags:
            new_id = f"{b}-r{n:04}"
            copy_bag(os.path.join(seed, b), os.path.join(big, new_id), b, new_id)
            thumbs = os.path.join(seed, ".diachi/thumbs", b)
            if os.path.isdir(thumbs):
                dst = os.path.join(big, ".diachi/thumbs", new_id)
                os.makedirs(dst, exist_ok=True)
                for t in os.listdir(thumbs):
                    os.link(os.path.join(thumbs, t), os.path.join(dst, t))
    open(os.path.join(base, "done"), "w").write(f"{rounds * per_round} pages, {rounds * len(bags)} bags\n")
    return big


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(base, paths, requests, connections=8):
    """oha: a fixed number of requests over `paths` in turn, on loopback."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("".join(base + p + "\n" for p in paths))
        urls = f.name
    out = subprocess.run(
        ["oha", "--no-tui", "--output-format", "json", "-n", str(requests), "-c", str(connections),
         "--urls-from-file", urls],
        check=True, capture_output=True, text=True).stdout
    os.unlink(urls)
    r = json.loads(out)
    pct = r["latencyPercentiles"]
    codes = r.get("statusCodeDistribution", {})
    return {"requests": sum(codes.values()), "p50": f"{pct['p50'] * 1000:.1f} ms",
            "p99": f"{pct['p99'] * 1000:.1f} ms", "rps": round(r["summary"]["requestsPerSec"]),
            "non_2xx": sum(n for c, n in codes.items() if not c.startswith("2"))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/tmp/diachi-serve-bench")
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--diachi", default=os.path.join(ROOT, "target/release/diachi"))
    args = ap.parse_args()
    if not shutil.which("oha"):
        sys.exit("needs oha: cargo install oha")
    out = build(args.diachi, args.dir, args.pages)
    print("collection:", open(os.path.join(args.dir, "done")).read().strip())
    shutil.rmtree(os.path.join(out, ".diachi/search"), ignore_errors=True)
    for what in ("index from nothing", "index, nothing changed"):
        t = time.time()
        said = subprocess.run([args.diachi, "index", out], check=True, capture_output=True, text=True).stdout
        print(f"{what}: {time.time() - t:.2f} s ({said.strip()})")
    port = free_port()
    t = time.time()
    server = subprocess.Popen([args.diachi, "serve", out, "--bind", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/oai?verb=Identify", timeout=5).read()
                break
            except OSError:
                time.sleep(0.01)
        print(f"serve: first answer after {time.time() - t:.2f} s")
        q = urllib.parse.quote
        searches = ["/search?q=can+tho&format=json", "/search?q=" + q("Cần Thơ") + "&format=json",
                    "/search?q=" + q("sông Hậu") + "&format=json",
                    "/search?q=" + q("វត្តឃ្លាំង") + "&format=json",
                    "/search?q=" + q("đê bao") + "&lang=vie&from=1900&until=1950&format=json",
                    "/search?q=" + q("Sóc Trăng"),
                    "/search?q=" + q("chùa") + "&collection=chua-khmer-soc-trang&format=json"]
        # ListRecords: the first page, and pages deep in the list.
        oai = ["/oai?verb=ListRecords&metadataPrefix=oai_dc", "/oai?verb=ListRecords&metadataPrefix=marc21"]
        page = urllib.request.urlopen(base + oai[0]).read().decode()
        for _ in range(5):
            token = re.search(r"<resumptionToken[^>]*>([^<]+)<", page)
            if not token:
                break
            oai.append("/oai?verb=ListRecords&resumptionToken=" + token.group(1))
            page = urllib.request.urlopen(base + oai[-1]).read().decode()
        rows = [("search", load(base, searches, args.requests)),
                ("ListRecords (100 records a page)", load(base, oai, args.requests // 10))]
        print("| requests | count | p50 | p99 | req/s | non-2xx |")
        print("|---|---|---|---|---|---|")
        for name, r in rows:
            print(f"| {name} | {r['requests']} | {r['p50']} | {r['p99']} | {r['rps']} | {r['non_2xx']} |")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
