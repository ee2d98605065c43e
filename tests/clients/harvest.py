#!/usr/bin/env python3
"""Harvests an OAI-PMH repository with Sickle (PyPI), the way an aggregator
does, for tests/serve.rs.

harvest.py BASE_URL PREFIX SAVE_DIR [FROM]

Prints one JSON object: the records (identifier, datestamp, sets, titles or
MARC 245), and how many HTTP requests the harvest took. Every raw response
is saved in SAVE_DIR (NNN.xml) for schema validation.
"""
import json
import os
import sys

from sickle import Sickle
from sickle.oaiexceptions import NoRecordsMatch

base, prefix, save = sys.argv[1], sys.argv[2], sys.argv[3]
since = sys.argv[4] if len(sys.argv) > 4 else None
os.makedirs(save, exist_ok=True)


class Counting(Sickle):
    requests = 0

    def harvest(self, **kwargs):
        response = super().harvest(**kwargs)
        Counting.requests += 1
        with open(os.path.join(save, "%03d.xml" % Counting.requests), "wb") as f:
            f.write(response.http_response.content)
        return response


sickle = Counting(base, max_retries=0, timeout=30)
args = {"metadataPrefix": prefix}
if since:
    args["from"] = since
records = []
try:
    for r in sickle.ListRecords(**args):
        md = r.metadata
        title = md.get("title") or []
        if prefix == "marc21":
            ns = {"m": "http://www.loc.gov/MARC21/slim"}
            title = [t.text for t in r.xml.iterfind(".//m:datafield[@tag='245']/m:subfield[@code='a']", ns)]
        records.append({
            "identifier": r.header.identifier,
            "datestamp": r.header.datestamp,
            "sets": r.header.setSpecs,
            "title": title,
            "identifiers": md.get("identifier") or [],
        })
except NoRecordsMatch:
    pass
print(json.dumps({"requests": Counting.requests, "records": records}, ensure_ascii=False))
