#!/usr/bin/env python3
"""Turns bench/.work/results.jsonl into bench/results/latest.{json,md,png}.

Runs of one scenario at one connection count and table size are folded into the median (with the
range), since runs on this kind of shared machine vary by 10-15 %. The headline ratio is create_order
against the fixed reference transaction (reference_order_txn); the ratio against OrderCore's own
transaction (pgbench_order_txn) is the second figure. The CPU and WAL figures per order are summed
over the create_order runs at 32 connections (the rows that carry them) and divided by the orders
those runs created."""
import json
import statistics
import sys
from collections import defaultdict
from datetime import datetime, timezone

rows_path, out_dir, mode = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [json.loads(line) for line in open(rows_path) if line.strip()]

# Table size matters for the read scenarios only; repeated write runs are one group whatever the size.
SIZED = ("get_order", "list_orders", "lookup")
groups = defaultdict(list)
for row in rows:
    size = row["orders_in_table"] if row["scenario"] in SIZED else None
    groups[(row["scenario"], row["connections"], size)].append(row)

ORDER = ["create_order", "reference_order_txn", "pgbench_order_txn", "replay", "get_order", "list_orders", "lookup"]
folded = []
for (scenario, connections, orders), runs in sorted(groups.items(), key=lambda kv: (ORDER.index(kv[0][0]), kv[0][2] or 0, kv[0][1])):
    rps = [r["rps"] for r in runs]
    med = lambda key: statistics.median(r[key] for r in runs) if runs[0][key] is not None else None
    folded.append({
        "scenario": scenario, "connections": connections, "orders_in_table": orders, "runs": len(runs),
        "rps": round(statistics.median(rps), 1), "rps_min": round(min(rps), 1), "rps_max": round(max(rps), 1),
        "p50_ms": round(med("p50_ms"), 2), "p99_ms": round(med("p99_ms"), 2), "max_ms": round(max(r["max_ms"] for r in runs), 2),
        "non2xx": sum(r["non2xx"] for r in runs), "socket_errors": sum(r.get("socket_errors", 0) for r in runs),
        "peak_rss_mb": max((r["peak_rss_mb"] for r in runs if r.get("peak_rss_mb") is not None), default=None),
    })

def find(scenario, connections):
    return next((r for r in folded if r["scenario"] == scenario and r["connections"] == connections), None)

def ratios_against(ceiling_scenario):
    out = []
    for connections in sorted({r["connections"] for r in folded if r["scenario"] == "create_order"}):
        api, ceiling = find("create_order", connections), find(ceiling_scenario, connections)
        if api and ceiling:
            out.append({"connections": connections, "create_order_rps": api["rps"], f"{ceiling_scenario}_tps": ceiling["rps"],
                        "ratio": round(api["rps"] / ceiling["rps"], 3),
                        "create_order_p99_ms": api["p99_ms"], f"{ceiling_scenario}_p99_ms": ceiling["p99_ms"],
                        "p99_ratio": round(api["p99_ms"] / ceiling["p99_ms"], 2) if ceiling["p99_ms"] else None})
    return out

reference_ratios = ratios_against("reference_order_txn")   # the headline
ratios = ratios_against("pgbench_order_txn")                 # OrderCore's own transaction: the second figure
headline = next((r for r in reference_ratios if r["connections"] == 32), None)

# CPU and WAL per order: the create_order runs at 32 connections, summed, over the orders they created.
cost_runs = [r for r in rows if r["scenario"] == "create_order" and r["connections"] == 32 and "orders_created" in r]
orders_created = sum(r["orders_created"] for r in cost_runs)
def per_order(key, digits):
    if not orders_created or any(r.get(key) is None for r in cost_runs):
        return None
    return round(sum(r[key] for r in cost_runs) / orders_created, digits)   # digits None: a whole number
per_order_measurement = {"scenario": "create_order", "connections": 32, "runs": len(cost_runs), "orders_created": orders_created,
                         "api_cpu_ms": round(sum(r["api_cpu_ms"] for r in cost_runs), 1) if cost_runs else None,
                         "pg_cpu_ms": round(sum(r["pg_cpu_ms"] for r in cost_runs), 1) if cost_runs and all(r.get("pg_cpu_ms") is not None for r in cost_runs) else None,
                         "wal_bytes": sum(r["wal_bytes"] for r in cost_runs) if cost_runs else None}

result = {"generated_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "mode": mode,
          "headline_ratio": headline["ratio"] if headline else None,
          "headline_p99_ratio": headline["p99_ratio"] if headline else None,
          "api_cpu_ms_per_order": per_order("api_cpu_ms", 3), "pg_cpu_ms_per_order": per_order("pg_cpu_ms", 3),
          "wal_bytes_per_order": per_order("wal_bytes", None), "per_order_measurement": per_order_measurement,
          "results": folded, "reference_ratios": reference_ratios, "ceiling_ratios": ratios}
json.dump(result, open(f"{out_dir}/latest.json", "w"), indent=2)

lines = [f"# Benchmark results ({mode} run, {result['generated_at']})", "",
         "API (Release build) and PostgreSQL on the same machine; wrk (the load generator) shares its cores.", "",
         "Socket errors are wrk's connect/read/write errors and timeouts (2 s): requests that got no answer in time.", "",
         "| scenario | connections | orders in table | runs | req/s (median, range) | p50 ms | p99 ms | max ms | non-2xx | socket errors | peak RSS MB |",
         "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
for r in folded:
    rng = f" ({r['rps_min']:.0f}-{r['rps_max']:.0f})" if r["runs"] > 1 else ""
    lines.append(f"| {r['scenario']} | {r['connections']} | {r['orders_in_table'] if r['orders_in_table'] is not None else '-'} | {r['runs']} | "
                 f"{r['rps']:.0f}{rng} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['non2xx']} | {r['socket_errors']} | {r['peak_rss_mb'] or '-'} |")
fmt = lambda v, spec="": "-" if v is None else format(v, spec)
# the headline, the cost per order and the second ratio come first, above the table of every scenario
table_at = len(lines) - len(folded) - 2
summary = ["## Headline: create_order against the fixed reference (pgbench -M prepared, bench/reference/reference_order.sql)", "",
          "The reference is a minimal order transaction (one order row, two item rows, one conditional stock reservation) on its "
          "own schema in the same cluster, after the API has stopped; it never changes with OrderCore's code.", "",
          "| connections | create_order req/s | reference tps | ratio | create_order p99 ms | reference p99 ms | p99 ratio |",
          "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
for r in reference_ratios:
    summary.append(f"| {r['connections']} | {r['create_order_rps']:.0f} | {r['reference_order_txn_tps']:.0f} | **{r['ratio']}** | "
                 f"{r['create_order_p99_ms']} | {r['reference_order_txn_p99_ms']} | {r['p99_ratio']} |")
m = per_order_measurement
summary += ["", f"## Cost per order (create_order at 32 connections, {m['runs']} run(s), {m['orders_created']} orders created)", "",
          "| API CPU ms/order | PostgreSQL CPU ms/order | WAL bytes/order |", "| ---: | ---: | ---: |",
          f"| {fmt(result['api_cpu_ms_per_order'])} | {fmt(result['pg_cpu_ms_per_order'])} | {fmt(result['wal_bytes_per_order'], '.0f')} |", "",
          "API: utime+stime of the API process; PostgreSQL: the postmaster's utime+stime+cutime+cstime plus utime+stime of its "
          "live children (`-` for an external database); WAL: `pg_current_wal_lsn()` difference; each before and after every run, summed.",
          "", "## Second figure: create_order against OrderCore's own transaction (pgbench -M simple, bench/sql/order_txn.sql)", "",
          "| connections | create_order req/s | pgbench tps | ratio | p99 ratio |", "| ---: | ---: | ---: | ---: | ---: |"]
for r in ratios:
    summary.append(f"| {r['connections']} | {r['create_order_rps']:.0f} | {r['pgbench_order_txn_tps']:.0f} | {r['ratio']} | {r['p99_ratio']} |")
lines[table_at:table_at] = summary + ["", "## All scenarios", ""]

# Before/after: the run recorded in before.json (the first full run, before profiling) against this one.
try:
    before = json.load(open(f"{out_dir}/before.json"))
except FileNotFoundError:
    before = None
if before:
    def key(r):
        # the read scenarios' two table sizes: the small one holds 10,000 seeded orders plus those the run created
        size = r["orders_in_table"]
        return (r["scenario"], r["connections"], None if size is None else ("1M" if size >= 500_000 else "10k"))
    earlier = {key(r): r for r in before["results"]}
    lines += ["", f"## Before and after profiling (before: the {before['mode']} run of {before['generated_at']}, `before.json`)", "",
              "| scenario | connections | orders in table | req/s before | req/s now | p99 ms before | p99 ms now | peak RSS MB before | now |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in folded:
        b = earlier.get(key(r))
        if b:
            lines.append(f"| {r['scenario']} | {r['connections']} | {r['orders_in_table'] if r['orders_in_table'] is not None else '-'} | "
                         f"{b['rps']:.0f} | {r['rps']:.0f} | {b['p99_ms']} | {r['p99_ms']} | {b['peak_rss_mb'] or '-'} | {r['peak_rss_mb'] or '-'} |")
    try:
        lines += ["", open(f"{out_dir}/profiling.md").read().rstrip()]
    except FileNotFoundError:
        pass
open(f"{out_dir}/latest.md", "w").write("\n".join(lines) + "\n")

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

labels = [f"{r['scenario']}\n{r['connections']}c" + (f"\n{r['orders_in_table']:,}" if r["orders_in_table"] and r["scenario"] in ("get_order", "list_orders", "lookup") else "") for r in folded]
fig, (top, bottom) = plt.subplots(2, 1, figsize=(max(10, len(folded) * 0.7), 9), sharex=True)
xs = range(len(folded))
COLOURS = {"reference_order_txn": "#444", "pgbench_order_txn": "#aaa"}
top.bar(xs, [r["rps"] for r in folded], color=[COLOURS.get(r["scenario"], "#2a6fdb") for r in folded])
top.set_ylabel("requests/s (median)")
headline_text = f"create_order / reference at 32c: {result['headline_ratio']}" if result["headline_ratio"] is not None else "no reference run"
top.set_title(f"OrderCore benchmark ({mode}, {result['generated_at']}); dark grey = fixed reference, light grey = own transaction "
              f"(pgbench)\n{headline_text}; API {fmt(result['api_cpu_ms_per_order'])} + PostgreSQL {fmt(result['pg_cpu_ms_per_order'])} "
              f"CPU ms/order, {fmt(result['wal_bytes_per_order'], '.0f')} WAL bytes/order", fontsize=9)
bottom.plot(xs, [r["p50_ms"] for r in folded], "o-", label="p50")
bottom.plot(xs, [r["p99_ms"] for r in folded], "s-", label="p99")
bottom.set_ylabel("latency ms")
bottom.set_yscale("log")
bottom.legend()
bottom.set_xticks(list(xs))
bottom.set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
fig.tight_layout()
fig.savefig(f"{out_dir}/latest.png", dpi=110)
print(f"wrote {out_dir}/latest.json, latest.md, latest.png")
