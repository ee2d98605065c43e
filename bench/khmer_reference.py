#!/usr/bin/env python3
"""diachi's Khmer network against khmer-ocr-ocm's own PyTorch code, line by line.

    python3 bench/khmer_reference.py LINE.png...

Each line image is read by the package's `KhmerOCR` (its own preprocessing: Pillow's
bilinear resize to 512x48) and by `tools/khmer_lines --stretch` (the same fit, in Rust).
Prints the lines read differently and the count read the same, and the CPU per line of each.

Needs: the khmer-ocr-ocm 0.1.0 wheel extracted where `KHMER_OCR_OCM` points (its folder
holding `khmer_ocr_ocm/`), torch and Pillow, and a release build of the tools
(`cargo build --release -p tools --bin khmer_lines`). Line crops can be cut from a page
with `tesseract PAGE out -l khm tsv` (level-4 rows).
"""
import os, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def reference(paths):
    sys.path.insert(0, os.environ["KHMER_OCR_OCM"])
    import torch
    from khmer_ocr_ocm.inference import ctc_greedy_decode, load_model, load_vocab, preprocess
    torch.set_num_threads(1)
    model, vocab = load_model(device="cpu"), load_vocab()
    out, cpu = {}, 0.0
    for p in paths:
        x = preprocess(p)
        start = time.process_time()
        with torch.no_grad():
            logits = model(x)
        cpu += time.process_time() - start
        out[p] = ctc_greedy_decode(logits, vocab)[0]
    return out, cpu / max(1, len(paths))


def diachi(paths):
    tool = os.path.join(ROOT, "target", "release", "khmer_lines")
    lines = subprocess.run([tool, "--stretch"] + paths, capture_output=True, text=True,
                           check=True).stdout.splitlines()
    out, ms = {}, []
    for line in lines:
        path, text, took = line.split("\t")
        out[path] = text
        ms.append(float(took.split()[0]))
    return out, sum(ms) / max(1, len(ms)) / 1000


def main():
    paths = sys.argv[1:]
    ref, ref_cpu = reference(paths)
    got, got_s = diachi(paths)
    same = 0
    for p in paths:
        if ref[p] == got.get(p):
            same += 1
        else:
            print(f"{p}\n  reference: {ref[p]}\n  diachi:    {got.get(p)}")
    print(f"{same} of {len(paths)} lines read the same; per line: reference {ref_cpu * 1000:.0f} ms "
          f"CPU, diachi {got_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
