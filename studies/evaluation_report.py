"""Every figure docs/evaluation.md quotes, from one command: what question it answers is "how do the ranking and
the urgency advice do on each case set, against the panel, today?"

Runs ``python -m engine evaluate FILES --method tfidf --about-you --format json`` on each set (what the app and
``score`` do: the default method with the cases' age and sex; and ``--findings-only`` where asked) and prints
Markdown tables: ranking (top-1 strictly and with the relation between a lesion and the disease it arises in,
top-3, MRR), urgency against the panel (within, under, under by two or more, over, exact, emergency sensitivity,
weighted kappa, harm-weighted cost, each with its 95% interval), the raters read against each other, and the
findings-only comparison.

Usage::

    python studies/evaluation_report.py            # development sets only
    python studies/evaluation_report.py --blind    # also the blind sets (measure them once, at the end)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEVELOPMENT = {
    "teaching (team-written)": ["data/cases/calcinosis_cutis.json", "data/cases/mimics.json",
                                "data/cases/underlying_diseases.json"],
    "published, outside style": ["data/cases/published_hpo.json"],
    **{f"outside set {n}": sorted(str(p.relative_to(ROOT)) for p in (ROOT / "datasets" / "outside")
                                  .glob(f"outside{n}_*.json")) for n in range(2, 10)},
}
BLIND = {
    "blind (ranking set)": sorted(str(p.relative_to(ROOT)) for p in (ROOT / "datasets" / "blind").glob("*.json")),
    "blind triage set": sorted(str(p.relative_to(ROOT)) for p in (ROOT / "datasets" / "blind_triage")
                               .glob("*.json")),
}


def evaluate(files: list[str], findings_only: bool = False) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "engine", "evaluate", *files, "--method", "tfidf", "--about-you", "--format", "json"]
    if findings_only:
        cmd.append("--findings-only")
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    report: dict[str, Any] = json.loads(out)["report"]
    return report


def pct(entry: dict[str, Any] | None) -> str:
    if not entry or entry.get("share") is None:
        return "n/a"
    lo, hi = entry["ci95"]
    return f"{entry['share']:.1%} ({lo:.0%}-{hi:.0%})"


def kappa(entry: dict[str, Any] | None) -> str:
    if not entry or entry.get("kappa") is None:
        return "n/a"
    ci = entry.get("ci95")
    return f"{entry['kappa']:.2f}" + (f" ({ci[0]:.2f}-{ci[1]:.2f})" if ci else "")


def relation(report: dict[str, Any]) -> str:
    """Top-1 counting a lesion and the disease it arises in, named together, as right (docs/evaluation.md)."""
    r = report["top1_with_relation"]
    return f"{r['top1_with_relation']:.1%} (+{len(r['added'])})"


def urgency_row(name: str, t: dict[str, Any]) -> str:
    o = t["overall"]
    k = t["kappa"]
    cost = o["cost"]
    return (f"| {name} | {o['n']} | {pct(o['within'])} | {pct(o['under'])} | {pct(o['under_two_plus'])} | "
            f"{pct(o['over'])} | {pct(o['exact'])} | {pct(t['emergency_sensitivity'])} | {kappa(k['consensus'])} | "
            f"{cost['mean']:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blind", action="store_true", help="also the blind sets (measured once, at the end)")
    args = parser.parse_args()
    sets = {**DEVELOPMENT, **(BLIND if args.blind else {})}
    reports = {name: evaluate(files) for name, files in sets.items()}
    dev = evaluate([f for files in DEVELOPMENT.values() for f in files])
    print("## Ranking (tfidf, the default)\n")
    print("| set | cases | top-1 (95% CI) | top-1 with the relation | top-3 (95% CI) | MRR |\n"
          "|---|---|---|---|---|---|")
    for name, r in [*reports.items(), ("**all development sets**", dev)]:
        print(f"| {name} | {r['n']} | {r['top1']:.1%} ({r['top1_ci95'][0]:.0%}-{r['top1_ci95'][1]:.0%}) | "
              f"{relation(r)} | {r['top3']:.1%} ({r['top3_ci95'][0]:.0%}-{r['top3_ci95'][1]:.0%}) | {r['mrr']:.3f} |")
    print("\n## Urgency against the panel\n")
    print("| set | cases | within | under | under by ≥ 2 | over | exact | emergency sensitivity | kappa | cost |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, r in reports.items():
        if r.get("triage"):
            print(urgency_row(name, r["triage"]))
    print(urgency_row("**all development sets**", dev["triage"]))
    print("\n## Each rater read against the other (the other's level as the reference)\n")
    print("| set | rater | against | exact | under | over | kappa |\n|---|---|---|---|---|---|---|")
    for name, r in [("all development sets", dev), *reports.items()]:
        for pair, b in (r.get("triage") or {}).get("raters", {}).items():
            rater, other = pair.split("_vs_")
            print(f"| {name} | {rater} | {other} | {pct(b['exact'])} | {pct(b['under'])} | {pct(b['over'])} | "
                  f"{kappa(b['kappa'])} |")
    if args.blind:
        files = BLIND["blind triage set"]
        only = evaluate(files, findings_only=True)
        full = reports["blind triage set"]
        print("\n## The blind triage set with and without course and context\n")
        print("| who, seeing what | within | under | under by ≥ 2 | over |\n|---|---|---|---|---|")
        for label, t in (("engine, findings, course and context", full["triage"]["overall"]),
                         ("engine, findings only", only["triage"]["overall"])):
            print(f"| {label} | {pct(t['within'])} | {pct(t['under'])} | {pct(t['under_two_plus'])} | "
                  f"{pct(t['over'])} |")
        for who, t in (full["triage"].get("findings_only_panel") or {}).items():
            print(f"| findings-only panel: {who} | {pct(t['within'])} | {pct(t['under'])} | "
                  f"{pct(t['under_two_plus'])} | {pct(t['over'])} |")
        print("\nPer reference level (blind triage set, full inputs):\n")
        print("| reference | n | within | under | over |\n|---|---|---|---|---|")
        for level, b in full["triage"]["by_reference_level"].items():
            print(f"| {level} | {b['n']} | {pct(b['within'])} | {pct(b['under'])} | {pct(b['over'])} |")


if __name__ == "__main__":
    main()
