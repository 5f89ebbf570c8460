#!/usr/bin/env python3
"""Summarizes a soak's samples (tests/soak/soak.sh): for each process and
figure (resident memory, open file descriptors, threads), the mean of the
samples of the minute after warm-up against the mean of the last minute's.

    tests/soak/summarize.py OUT_DIR WARMUP_MINUTES MINUTES [JOB_LINE]

Reads OUT_DIR/samples.csv, writes OUT_DIR/summary.md, prints it, and exits 1
if any figure grew by 5% or more."""
import csv
import statistics
import sys


def main():
    out, warmup, minutes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    job = sys.argv[4].strip() if len(sys.argv) > 4 else ""
    rows = list(csv.DictReader(open(f"{out}/samples.csv")))
    names = sorted({r["process"] for r in rows})
    lines = [f"Soak of {minutes} minutes; growth from minute {warmup} to "
             f"{warmup + 1} against the last minute (means of the samples in "
             "each).", ""]
    if job:
        lines += [f"Job at the end: `{job}`", ""]
    lines += ["| process | figure | after warm-up | at the end | growth |",
              "|---|---|---|---|---|"]
    failed = False
    for name in names:
        mine = [r for r in rows if r["process"] == name]
        for figure in ("rss_kib", "fds", "threads"):
            early = [float(r[figure]) for r in mine
                     if warmup * 60 <= int(r["seconds"]) < (warmup + 1) * 60]
            late = [float(r[figure]) for r in mine
                    if int(r["seconds"]) >= (minutes - 1) * 60]
            if not early or not late:
                continue
            a, b = statistics.mean(early), statistics.mean(late)
            growth = (b - a) / a if a else 0.0
            failed |= growth >= 0.05
            lines.append(
                f"| {name} | {figure} | {a:.0f} | {b:.0f} | {growth:+.1%} |")
    open(f"{out}/summary.md", "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
