#!/usr/bin/env python3
"""Drives Debian's headless Chromium through ChromeDriver (W3C WebDriver,
plain HTTP, no client library) the way a reader uses the search page, for
tests/serve.rs.

browser.py SEARCH_URL SCREENSHOT QUERY [QUERY ...]

For each query: opens SEARCH_URL, types the query into the search box,
submits the form with its button, and reads the rendered DOM: the result
documents (data-id), their page links (href) and the result count. Prints
one JSON object; the last results page is saved as a PNG screenshot.
"""
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

search_url, screenshot, queries = sys.argv[1], sys.argv[2], sys.argv[3:]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


port = free_port()
driver = subprocess.Popen(
    [shutil.which("chromedriver") or "/usr/bin/chromedriver", "--port=%d" % port],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
root = "http://127.0.0.1:%d" % port


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(root + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)["value"]


profile = tempfile.mkdtemp(prefix="diachi-chromium-")
try:
    for _ in range(100):
        try:
            call("GET", "/status")
            break
        except OSError:
            time.sleep(0.1)
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--window-size=1200,1600",
             "--user-data-dir=" + profile]
    session = call("POST", "/session", {"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": shutil.which("chromium") or "/usr/bin/chromium", "args": flags}}}})
    sid = session["sessionId"]
    s = "/session/" + sid

    def find_all(css, within=None):
        base = s + ("/element/%s" % within if within else "")
        # The W3C element reference: the one value of each object.
        return [next(iter(e.values()))
                for e in call("POST", base + "/elements", {"using": "css selector", "value": css})]

    def attr(el, name):
        return call("GET", s + "/element/%s/attribute/%s" % (el, name))

    def text(el):
        return call("GET", s + "/element/%s/text" % el)

    out = []
    for q in queries:
        call("POST", s + "/url", {"url": search_url})
        box = find_all("#q")[0]
        call("POST", s + "/element/%s/value" % box, {"text": q})
        call("POST", s + "/element/%s/click" % find_all("#go")[0], {})
        for _ in range(100):
            if find_all("#count"):
                break
            time.sleep(0.1)
        docs = []
        for d in find_all("li.doc"):
            docs.append({
                "id": attr(d, "data-id"),
                "links": [attr(a, "href") for a in find_all("a.pdf", d)],
                "images": [attr(i, "src") for i in find_all("img", d)],
                "snippets": [text(p) for p in find_all("p.snippet", d)],
                "marked": [text(b) for b in find_all("p.snippet b", d)],
            })
        url = call("GET", s + "/url")
        count = text(find_all("#count")[0]) if find_all("#count") else ""
        out.append({"query": q, "url": url, "count": count, "documents": docs})
    png = call("GET", s + "/screenshot")
    with open(screenshot, "wb") as f:
        f.write(base64.b64decode(png))
    call("DELETE", s)
    print(json.dumps(out, ensure_ascii=False))
finally:
    driver.terminate()
    driver.wait()
    # Chromium may outlive its driver (a failed call, a slow quit): end
    # every process of this run's profile, so none is left behind.
    for _ in range(50):
        if subprocess.run(["pkill", "-f", profile]).returncode != 0:
            break
        time.sleep(0.1)
    subprocess.run(["pkill", "-9", "-f", profile])
    shutil.rmtree(profile, ignore_errors=True)
