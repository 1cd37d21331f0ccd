#!/usr/bin/env python3
"""Prints codec_pairs_bench's results as a markdown table.

Usage:
  taskset -c 1 build/release/codec_pairs_bench --benchmark_format=json \
      --benchmark_repetitions=3 --benchmark_report_aggregates_only=true > pairs.json
  bench/codec_pairs_table.py pairs.json

One row per client protocol -> deployment protocol; each cell is the CPU time of one
translation and, in brackets, its ratio to a memcpy of the same input bytes measured in the
same run. With repetitions the median is used. Standard library only.
"""
import json
import sys

PROTOCOLS = ["openai", "anthropic", "gemini", "bedrock"]
# column title, benchmark family, baseline case, whose input bytes (client's or upstream's)
COLUMNS = [
    ("request", "BM_Request", "request", "ingress"),
    ("response", "BM_Response", "response", "egress"),
    ("stream: text delta", "BM_StreamText", "text", "egress"),
    ("stream: tool-call delta", "BM_StreamTool", "tool", "egress"),
]


def load(path):
    with open(path) as f:
        doc = json.load(f)
    times = {}
    for b in doc["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        name = b.get("run_name", b["name"])
        if b.get("run_type") == "iteration" and name in times:
            continue  # without aggregates, keep the first repetition
        scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
        times[name] = b["cpu_time"] * scale
    return doc.get("context", {}), times


def fmt_time(ns):
    return f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.0f} ns"


def cell(times, name, base):
    if name not in times:
        return "—"
    t = times[name]
    if base in times and times[base] > 0:
        return f"{fmt_time(t)} ({t / times[base]:.0f}×)"
    return fmt_time(t)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    context, times = load(sys.argv[1])
    load_avg = context.get("load_avg")
    if load_avg:
        print(f"Load average at the start: {', '.join(f'{x:.2f}' for x in load_avg)}; "
              f"{context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz.\n")
    print("| client → deployment | " + " | ".join(c[0] for c in COLUMNS) + " |")
    print("|---|" + "---:|" * len(COLUMNS))
    for i in PROTOCOLS:
        for e in PROTOCOLS:
            variants = [("", "")] if i != e else [("", " (forward)"), ("(translated)", " (translated)")]
            for suffix, label in variants:
                row = [f"{i} → {e}{label}"]
                for _, family, case, side in COLUMNS:
                    base = f"BM_Memcpy/{case}/{i if side == 'ingress' else e}"
                    row.append(cell(times, f"{family}/{i}->{e}{suffix}", base))
                if all(c == "—" for c in row[1:]):
                    continue  # no such path (Bedrock is not an ingress: no forwarding)
                print("| " + " | ".join(row) + " |")
    print()
    print("| baseline: memcpy of | " + " | ".join(PROTOCOLS) + " |")
    print("|---|" + "---:|" * len(PROTOCOLS))
    for title, case in [("request body", "request"), ("response body", "response"),
                        ("text event", "text"), ("tool-call event", "tool")]:
        print(f"| {title} | " + " | ".join(cell(times, f"BM_Memcpy/{case}/{p}", "") for p in PROTOCOLS) + " |")
    print("| decode_ingress (every request) | " +
          " | ".join(cell(times, f"BM_Ingress/{p}", f"BM_Memcpy/request/{p}") for p in PROTOCOLS) + " |")


if __name__ == "__main__":
    main()
