#!/usr/bin/env python3
"""Builds a collection of bags for timing `diachi verify` against
bagit-python's `--validate` on the same bags.

    bench/verify.py [--dir /tmp/diachi-verify-bench] [--gib 1.2]

The collection holds as many bags as it takes to reach the size: each bag
has a few large files (scans: 8 MiB each) and many small ones (sidecars:
2-20 KiB), made by bagit-python with its default sha256 and sha512
manifests. Contents are random, so no file compresses or repeats.

It prints the two commands to time; the README runs them with farm-bench.
"""

import argparse
import os
import random
import subprocess
import sys


def make_bag(path, rng, large, small):
    data = os.path.join(path, "payload")
    os.makedirs(os.path.join(data, "masters"), exist_ok=True)
    os.makedirs(os.path.join(data, "text"), exist_ok=True)
    size = 0
    for i in range(large):
        n = 8 << 20
        with open(os.path.join(data, "masters", f"{i:04}.tif"), "wb") as f:
            f.write(rng.randbytes(n))
        size += n
    for i in range(small):
        n = rng.randint(2 << 10, 20 << 10)
        with open(os.path.join(data, "text", f"{i:04}.txt"), "wb") as f:
            f.write(rng.randbytes(n))
        size += n
    # bagit-python makes the bag in place from the folder's contents.
    subprocess.run(
        [sys.executable, "-m", "bagit", "--quiet", "--processes", "2", data],
        check=True,
    )
    os.rename(data, os.path.join(path, "bag"))
    return size


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/tmp/diachi-verify-bench")
    ap.add_argument("--gib", type=float, default=1.2)
    args = ap.parse_args()
    rng = random.Random(8493)
    target = int(args.gib * (1 << 30))
    total = 0
    bags = []
    n = 0
    while total < target:
        path = os.path.join(args.dir, f"box{n // 10:02}", f"doc{n:03}")
        if not os.path.exists(os.path.join(path, "bag", "bagit.txt")):
            total += make_bag(path, rng, large=6, small=200)
        else:
            total += sum(
                os.path.getsize(os.path.join(r, f))
                for r, _, fs in os.walk(os.path.join(path, "bag", "data"))
                for f in fs
            )
        bags.append(os.path.join(path, "bag"))
        n += 1
    print(f"{len(bags)} bags, {total / (1 << 30):.2f} GiB of payload, in {args.dir}")
    print("diachi:       diachi verify --jobs 2", args.dir)
    print("bagit-python: python3 -m bagit --validate --quiet --processes 2 " + " ".join(bags[:2]) + " ...")
    with open(os.path.join(args.dir, "bags.txt"), "w") as f:
        f.write("\n".join(bags) + "\n")


if __name__ == "__main__":
    main()
