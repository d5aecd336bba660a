"""``make bench``: how survey_app performs, beside baselines, on this machine.

1. Web: survey_app under gunicorn (2 workers by default) on SQLite, then on PostgreSQL,
   loaded by 16 concurrent clients (bench/loadgen.py) on the kiosk's T1 question page and on
   the final submit (replayed, and fresh), beside a bare Flask app (bench/bare_app.py) under
   the same gunicorn settings.
2. Export: N mothers with T1 and T2 on SQLite; build_export + the xlsx writer, against
   openpyxl write-only from plain lists and pandas' DataFrame.to_excel, with peak memory.
3. Research pages (bench/research.py): 100,000 participants on SQLite, then on PostgreSQL;
   the participants list, the T2 due and overdue lists and the dashboard timed in an
   in-process test client, with the plans of their SQL in bench/results/explain-<db>.txt.
4. Report page (bench/report.py): 300 mothers on SQLite, then on PostgreSQL; the Report page
   plain and for publication, the first request (charts drawn) and the next ones (cached).

Every load is bounded by a request count and a time limit, and talks to 127.0.0.1 only.
Results go to bench/results/latest.json. ``--quick`` shortens everything; ``--only research``
(or web, export, report) runs one part."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Run as a script: import from the repository root (bench.*, tests.*), not from bench/.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench import report, research, web  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "latest.json"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# name fragment -> (minimum ratio to bare Flask, p99 limit in ms, errors must be 0)
TARGETS = {
    "question page": (0.5, 50.0, False),
    "submit": (0.25, 50.0, True),
}


def postgres_available(url: str) -> str | None:
    """None when the server answers, else the reason."""
    completed = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "scripts" / "find_postgres.py")],
        env={**os.environ, "TEST_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return None if completed.returncode == 0 else completed.stderr.strip()


def target_of(name: str) -> tuple[float, float, bool] | None:
    for fragment, target in TARGETS.items():
        if name.startswith(fragment):
            return target
    return None


def judge(row: dict[str, Any], bare_rps: float) -> dict[str, Any]:
    ratio = row["rps"] / bare_rps if bare_rps else float("nan")
    row["ratio_to_bare"] = round(ratio, 3)
    target = target_of(row["name"])
    if target is None:
        row["target"], row["met"] = "", None
        return row
    minimum, p99_limit, zero_errors = target
    parts = [f">={minimum:.2f}x bare", f"p99<{p99_limit:.0f}ms"]
    met = ratio >= minimum and row["p99_ms"] < p99_limit
    if zero_errors:
        parts.append("0 errors")
        met = met and row["errors"] == 0
    row["target"], row["met"] = ", ".join(parts), met
    return row


def web_table(runs: list[dict[str, Any]], settings: str, clients: int) -> str:
    lines = [
        f"Web: {settings}; {clients} concurrent clients (threads, http.client); "
        f"nproc={os.cpu_count()}. 'server ms' = median time inside the worker (access log).",
        f"{'db':<10} {'scenario':<38} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'errors':>6} {'x bare':>7} {'server ms':>9}  {'target':<33} met",
    ]

    def line(db: str, row: dict[str, Any]) -> str:
        met = {True: "yes", False: "NO", None: ""}[row.get("met")]
        served = row.get("server_p50_ms")
        served_text = f"{served:.2f}" if served is not None else "-"
        return (
            f"{db:<10} {row['name']:<38} {row['rps']:>7.1f} {row['p50_ms']:>7.1f} "
            f"{row['p99_ms']:>7.1f} {row['errors']:>6} {row['ratio_to_bare']:>6.2f}x "
            f"{served_text:>9}  {row.get('target', ''):<33} {met}".rstrip()
        )

    for run in runs:
        if "skipped" in run:
            lines.append(f"{run['backend']:<10} skipped: {run['skipped']}")
            continue
        lines.append(line(run["backend"], run["bare"]))
        for row in run["scenarios"]:
            lines.append(line(run["backend"], row))
        log = run["server_log"]
        lines.append(
            f"{'':<10} server log: {log['database is locked']} 'database is locked', "
            f"{log['Traceback']} tracebacks, {log['5xx']} 5xx replies"
        )
    return "\n".join(lines)


def run_web(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    load = web.Load(
        clients=args.clients,
        requests=args.requests,
        seconds=args.seconds,
        warmup=min(100, args.requests // 10),
    )
    settings = f"gunicorn -w {args.workers} --threads {args.threads}"
    runs: list[dict[str, Any]] = []
    for backend in args.backends:
        if backend == "postgresql":
            reason = postgres_available(args.postgres_url)
            if reason:
                print(f"web: PostgreSQL skipped ({reason})", flush=True)
                runs.append({"backend": backend, "skipped": reason})
                continue
        started = time.perf_counter()
        # The baseline is measured beside each backend, so that both see the same machine.
        print(f"web: bare Flask ({settings}) ...", flush=True)
        bare = web.bench_bare(tmp / backend, load, args.workers, args.threads)
        bare["ratio_to_bare"] = 1.0
        print(f"web: survey_app on {backend} ({settings}) ...", flush=True)
        run = web.bench_app(
            tmp / backend, backend, args.postgres_url, load, args.workers, args.threads
        )
        for row in run["scenarios"]:
            judge(row, bare["rps"])
        run["bare"] = bare
        run["seconds"] = round(time.perf_counter() - started, 1)
        runs.append(run)
    return {
        "settings": {
            "gunicorn": settings,
            "clients": load.clients,
            "requests_per_scenario": load.requests,
            "seconds_per_scenario": load.seconds,
            "warmup": load.warmup,
        },
        "runs": runs,
        "table": web_table(runs, settings, load.clients),
    }


def _script(*arguments: str, timeout: float) -> dict[str, Any]:
    completed = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "bench" / "export.py"), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"bench/export.py {' '.join(arguments)} failed:\n{completed.stderr[-3000:]}"
        )
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


WHAT = {
    "app": "app: build_export + FORMATS['xlsx'].write",
    "raw": "raw: openpyxl write-only, plain lists",
    "pandas": "pandas: DataFrame.to_excel (linked sheet)",
}


def export_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "Export (SQLite): every sheet for app and raw; pandas writes the linked sheet only",
        f"{'N':>6} {'measurement':<44} {'seconds':>8} {'cells':>9} {'us/cell':>8} "
        f"{'x raw':>6} {'peak RSS MB':>11} {'(+ in timed part)':>17}",
    ]
    for size in rows:
        n = size["n"]
        measured = size["measurements"]
        raw_seconds = measured["raw"]["seconds"]
        cells_all = measured["raw"]["cells"]
        for what in ("app", "raw", "pandas"):
            m = measured[what]
            cells = m["cells"] or cells_all
            per_cell = m["seconds"] / cells * 1e6 if cells else float("nan")
            grown = m["peak_rss_mb"] - m["rss_before_mb"]
            lines.append(
                f"{n:>6} {WHAT[what]:<44} {m['seconds']:>8.2f} {cells:>9} {per_cell:>8.2f} "
                f"{m['seconds'] / raw_seconds:>5.2f}x {m['peak_rss_mb']:>11.0f} {grown:>+17.0f}"
            )
        lines.append(
            f"{'':>6} (data: {n} mothers, {2 * n} responses, generated in "
            f"{size['generated']['seconds']:.1f} s)"
        )
    return "\n".join(lines)


def run_export(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    sizes: list[dict[str, Any]] = []
    for n in args.sizes:
        url = f"sqlite:///{tmp / f'export-{n}.db'}"
        print(f"export: generating {n} mothers with T1 and T2 ...", flush=True)
        generated = _script("generate", "--db", url, "--n", str(n), timeout=600)
        measurements = {}
        for what in ("app", "raw", "pandas"):
            print(f"export: N={n}, {WHAT[what]} ...", flush=True)
            measurements[what] = _script("measure", "--db", url, "--what", what, timeout=600)
        sizes.append({"n": n, "generated": generated, "measurements": measurements})
    return {"sizes": sizes, "table": export_table(sizes)}


def run_research(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    runs: list[dict[str, Any]] = []
    for backend in args.backends:
        if backend == "postgresql":
            reason = postgres_available(args.postgres_url)
            if reason:
                print(f"research: PostgreSQL skipped ({reason})", flush=True)
                runs.append({"backend": backend, "skipped": reason})
                continue
        print(f"research: {args.participants} participants on {backend} ...", flush=True)
        runs.append(
            research.bench_backend(tmp / backend, backend, args.postgres_url, args.participants)
        )
    return {"runs": runs, "table": research.table(runs)}


def run_report(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    runs: list[dict[str, Any]] = []
    for backend in args.backends:
        if backend == "postgresql":
            reason = postgres_available(args.postgres_url)
            if reason:
                print(f"report: PostgreSQL skipped ({reason})", flush=True)
                runs.append({"backend": backend, "skipped": reason})
                continue
        print(f"report: {args.report_mothers} mothers on {backend} ...", flush=True)
        (tmp / backend / "report").mkdir()
        runs.append(
            report.bench_backend(
                tmp / backend / "report", backend, args.postgres_url, args.report_mothers
            )
        )
    return {"runs": runs, "table": report.table(runs)}


PARTS = ("web", "export", "research", "report")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short loads, small exports")
    parser.add_argument("--no-web", dest="web", action="store_false")
    parser.add_argument("--no-export", dest="export", action="store_false")
    parser.add_argument("--no-research", dest="research", action="store_false")
    parser.add_argument("--no-report", dest="report", action="store_false")
    parser.add_argument(
        "--only",
        choices=PARTS,
        default=None,
        help="run this part only (web, export, research or report)",
    )
    parser.add_argument(
        "--backends",
        default="sqlite,postgresql",
        type=lambda s: [b for b in s.split(",") if b],
        help="comma-separated: sqlite,postgresql",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_POSTGRES,
        help="the PostgreSQL server to make a fresh database on",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=None, help="per scenario, at most")
    parser.add_argument("--seconds", type=float, default=None, help="per scenario, at most")
    parser.add_argument(
        "--sizes",
        default=None,
        type=lambda s: [int(n) for n in s.split(",") if n],
        help="export sizes (mothers), comma-separated",
    )
    parser.add_argument(
        "--participants",
        type=int,
        default=None,
        help="participants for the research pages (100000; --quick: 2000)",
    )
    parser.add_argument(
        "--report-mothers",
        type=int,
        default=300,
        help="mothers behind the Report page (300)",
    )
    args = parser.parse_args(argv)
    if args.requests is None:
        args.requests = 600 if args.quick else 3000
    if args.seconds is None:
        args.seconds = 5.0 if args.quick else 15.0
    if args.sizes is None:
        args.sizes = [1000] if args.quick else [5000, 20000]
    if args.participants is None:
        args.participants = 2000 if args.quick else 100000
    if args.only is not None:
        for part in PARTS:
            setattr(args, part, part == args.only)
    for backend in args.backends:
        if backend not in ("sqlite", "postgresql"):
            parser.error(f"unknown backend {backend!r}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    began = time.perf_counter()
    results: dict[str, Any] = {
        "machine": {
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": os.getloadavg(),
        },
        "quick": args.quick,
    }
    if os.getloadavg()[0] > 1.0:
        print(
            f"note: load average {os.getloadavg()[0]:.1f} at start on {os.cpu_count()} cores: "
            "other work on this machine will skew the figures",
            flush=True,
        )
    with tempfile.TemporaryDirectory(prefix="survey-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for backend in args.backends:
            (tmp / backend).mkdir()
        if args.web:
            results["web"] = run_web(args, tmp)
        if args.export:
            results["export"] = run_export(args, tmp)
        if args.research:
            results["research"] = run_research(args, tmp)
        if args.report:
            results["report"] = run_report(args, tmp)
    results["seconds"] = round(time.perf_counter() - began, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print()
    if "web" in results:
        print(results["web"]["table"])
        print()
    if "export" in results:
        print(results["export"]["table"])
        print()
    if "research" in results:
        print(results["research"]["table"])
        print()
    if "report" in results:
        print(results["report"]["table"])
        print()
    results["machine"]["load_average_at_end"] = os.getloadavg()
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    start_load = results["machine"]["load_average_at_start"][0]
    print(
        f"nproc={os.cpu_count()}; load average {start_load:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} at end; took {results['seconds']:.0f} s; results in {RESULTS}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
