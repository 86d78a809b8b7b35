"""Benchmark: the 8-exercise handout, whole-process runs, a 1,000-row roster, the library export,
and a plain straight-reportlab version of the same handout measured side by side.

    .venv/bin/python bench/bench.py [--quick] [--json results.json] [--keep]

Prints every figure with the issue's target next to it (PASS/FAIL) and the exact commands run.
Everything it writes (roster CSVs, PDFs) goes to a temporary folder, removed at the end unless
--keep. See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STRAIGHT = HERE / "straight_reportlab.py"

EXERCISES = [
    "bird-dog",
    "glute-bridge",
    "dead-bug",
    "side-plank",
    "cat-cow",
    "squat",
    "hip-hinge",
    "childs-pose",
]
DATE = "2026-11-25"
PATIENT = "Jane Doe"
CHECKBOXES = 112  # 8 exercises x 7 days x 2 weeks

# The acceptance figures.
TARGET_INPROC_MS = 25.0
TARGET_SIZE_KB = 80.0
TARGET_SIZE_PICTURES_KB = 120.0
TARGET_BATCH_S_PER_1000 = 15.0
TARGET_BATCH_VS_STRAIGHT = 0.5
FLAT_TOLERANCE = 0.10  # "flat": a later peak at most 10% above an earlier / smaller-run peak
KB = 1024
SAMPLE_EVERY = 0.05  # seconds between memory samples of the batch's process tree


# ------------------------------------------------------------------------------- helpers


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else math.nan


def p90(xs: list[float]) -> float:
    """Nearest-rank 90th percentile."""
    if not xs:
        return math.nan
    s = sorted(xs)
    return s[max(0, math.ceil(0.9 * len(s)) - 1)]


def handouts_exe() -> str:
    """The `handouts` console script of the venv this Python belongs to."""
    exe = Path(sys.executable).parent / "handouts"
    if exe.exists():
        return str(exe)
    found = shutil.which("handouts")
    if found is None:
        sys.exit(
            "bench: no `handouts` console script beside this Python; run it with the "
            "venv's python (.venv/bin/python bench/bench.py)"
        )
    return found


class Commands:
    """Every command run, in order, with how many times (printed at the end)."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def note(self, cmd: list[str] | str, times: int = 1) -> None:
        key = cmd if isinstance(cmd, str) else shlex.join(str(c) for c in cmd)
        self.seen[key] = self.seen.get(key, 0) + times


COMMANDS = Commands()

# Measure the tool as an installed one runs: pip compiles bytecode at install time, so a
# process imports .pyc files. A shell with PYTHONDONTWRITEBYTECODE set (some sandboxes do)
# would instead compile every module of an editable install from source on every run.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str], *, cwd: Path | None = None, check: bool = True, note: bool = True) -> dict:
    """Run a command to the end: wall seconds, exit code, peak RSS (ru_maxrss), output."""
    if note:
        COMMANDS.note(cmd)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], stdout=out, stderr=err, cwd=cwd, env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = {
            "wall_s": wall,
            "rc": proc.returncode,
            "maxrss_kb": usage.ru_maxrss,
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "stdout": out.read().decode(errors="replace"),
            "stderr": err.read().decode(errors="replace"),
        }
    if check and result["rc"] != 0:
        raise RuntimeError(
            f"command failed ({result['rc']}): {shlex.join(map(str, cmd))}\n"
            f"{result['stderr'][-2000:]}"
        )
    return result


def repeat(commands: dict, n: int, warmup: int = 1) -> dict:
    """Run each command warmup + n times, interleaved round-robin (so a busy spell on the
    machine hits all of them alike); per command the median/min/p90 wall and peak RSS."""
    names = list(commands)
    for name in names:
        COMMANDS.note(commands[name]("N"), warmup + n)
    runs: dict[str, list] = {name: [] for name in names}
    for i in range(warmup + n):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            r = run(commands[name](f"w{i}" if i < warmup else str(i - warmup)), note=False)
            if i >= warmup:
                runs[name].append(r)
    out = {}
    for name, rs in runs.items():
        walls = [r["wall_s"] * 1000 for r in rs]
        out[name] = {
            "runs": n,
            "median_ms": median(walls),
            "min_ms": min(walls),
            "p90_ms": p90(walls),
            "walls_ms": walls,
            "peak_rss_mb": max(r["maxrss_kb"] for r in rs) / 1024,
            "median_rss_mb": median([r["maxrss_kb"] for r in rs]) / 1024,
            "last_stdout": rs[-1]["stdout"].strip(),
        }
    return out


def _busy_cpu_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (all processes)."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return math.nan
    busy = v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)
    return busy / os.sysconf("SC_CLK_TCK")


def _own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Meter:
    """How busy other people's processes kept the CPUs while a stage ran (noise)."""

    def __init__(self) -> None:
        self.stages: dict[str, dict] = {}

    def start(self, name: str) -> None:
        print(f"... {name}", file=sys.stderr, flush=True)
        self._name, self._t = name, time.perf_counter()
        self._busy, self._own = _busy_cpu_s(), _own_cpu_s()

    def stop(self) -> None:
        wall = time.perf_counter() - self._t
        own = _own_cpu_s() - self._own
        foreign = max(0.0, _busy_cpu_s() - self._busy - own)
        self.stages[self._name] = {
            "wall_s": wall,
            "own_cpu_s": own,
            "other_cpu_s": foreign,
            "other_cores": foreign / wall if wall else math.nan,
        }


# ------------------------------------------------------------------ in-process (child)


def _vm(field: str, pid: str = "self") -> float:
    """A /proc/<pid>/status memory field in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return math.nan


def child(kind: str, warm: int, out: Path) -> None:
    """Run in a fresh process: the cold build, then `warm` builds; print JSON on stdout."""
    t0 = time.perf_counter()
    if kind == "handouts":
        import datetime as dt

        from handouts.make import HandoutRequest, build, open_clinic, open_library, plan_from

        t1 = time.perf_counter()
        library, clinic = open_library(None), open_clinic(None)
        request = HandoutRequest(
            patient=PATIENT,
            exercises=list(EXERCISES),
            tips="all",
            mistakes="all",
            weeks=2,
            date=DATE,
        )
        # A batch worker is handed an already-validated plan and calls build() with the
        # library and clinic it loaded once; do the same.
        plan = plan_from(request)
        today = dt.date.fromisoformat(DATE)
        t2 = time.perf_counter()

        def make() -> tuple[bytes, int, int]:
            _, rendered = build(request, library=library, clinic=clinic, today=today, plan=plan)
            return rendered.pdf, rendered.pages, rendered.checkboxes
    else:
        sys.path.insert(0, str(HERE))
        import straight_reportlab as straight

        t1 = time.perf_counter()
        content = straight.load_content()
        t2 = time.perf_counter()

        def make() -> tuple[bytes, int, int]:
            pdf = straight.build_pdf(
                content, PATIENT, straight.dt.date.fromisoformat(DATE), list(EXERCISES), 2
            )
            return pdf, len(re.findall(rb"/Type /Page(?!s)", pdf)), pdf.count(b"/FT /Btn")

    pdf, pages, boxes = make()
    t3 = time.perf_counter()
    hwm_cold = _vm("VmHWM")
    times, cpu = [], []
    for _ in range(warm):
        a, c = time.perf_counter(), time.process_time()
        make()
        times.append((time.perf_counter() - a) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    result = {
        "import_ms": (t1 - t0) * 1000,
        "load_ms": (t2 - t1) * 1000,
        "first_build_ms": (t3 - t2) * 1000,
        "cold_total_ms": (t3 - t0) * 1000,
        "warm_ms": times,
        "warm_cpu_ms": cpu,
        "bytes": len(pdf),
        "pages": pages,
        "checkboxes": boxes,
        "hwm_after_first_mb": hwm_cold,
        "hwm_mb": _vm("VmHWM"),
        "rss_mb": _vm("VmRSS"),
    }
    if warm:
        result["stages"] = _stages(kind, make, max(5, warm // 2))
    out.write_bytes(pdf)
    import reportlab

    result["reportlab"] = reportlab.Version
    print(json.dumps(result))


def _stages(kind: str, make, n: int) -> dict:
    """Where a warm build's time goes (a separate pass with timers wrapped around the stages)."""
    from reportlab.pdfgen.canvas import Canvas

    spent = {"render": 0.0, "save": 0.0}
    original_save = Canvas.save

    def timed_save(self, *a, **k):
        s = time.perf_counter()
        try:
            return original_save(self, *a, **k)
        finally:
            spent["save"] += time.perf_counter() - s

    Canvas.save = timed_save
    story = None
    if kind == "handouts":
        import handouts.render.story as story

        original_render = story.render_handout

        def timed_render(*a, **k):
            s = time.perf_counter()
            try:
                return original_render(*a, **k)
            finally:
                spent["render"] += time.perf_counter() - s

        story.render_handout = timed_render
    total = 0.0
    try:
        for _ in range(n):
            s = time.perf_counter()
            make()
            total += time.perf_counter() - s
    finally:
        Canvas.save = original_save
        if story is not None:
            story.render_handout = original_render
    per = {k: v / n * 1000 for k, v in spent.items()}
    total_ms = total / n * 1000
    if kind == "handouts":
        return {
            "builds": n,
            "total_ms": total_ms,
            "prepare_ms": total_ms - per["render"],  # plan, compose, layout, theme
            "layout_draw_ms": per["render"] - per["save"],  # platypus: wrap, split, draw
            "pdf_save_ms": per["save"],
        }  # serialising objects, compression
    return {
        "builds": n,
        "total_ms": total_ms,
        "layout_draw_ms": total_ms - per["save"],
        "pdf_save_ms": per["save"],
    }


def in_process(kind: str, warm: int, colds: int, tmp: Path) -> dict:
    """One fresh process for the cold build + warm builds, and more for the cold figures."""
    results = []
    for i in range(colds):
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            kind,
            "--warm",
            str(warm if i == 0 else 0),
            "--child-out",
            str(tmp / f"{kind}-{i}.pdf"),
        ]
        if i < 2:
            COMMANDS.note(
                cmd[:-1] + [str(tmp / f"{kind}-{'N' if i else 0}.pdf")], 1 if i == 0 else colds - 1
            )
        results.append(json.loads(run(cmd, note=False)["stdout"]))
    first = results[0]
    warm_ms = first["warm_ms"]
    return {
        "cold_first_build_ms": median([r["first_build_ms"] for r in results]),
        "cold_import_ms": median([r["import_ms"] for r in results]),
        "cold_load_ms": median([r["load_ms"] for r in results]),
        "cold_total_ms": median([r["cold_total_ms"] for r in results]),
        "cold_processes": colds,
        "warm_builds": len(warm_ms),
        "warm_median_ms": median(warm_ms),
        "warm_p90_ms": p90(warm_ms),
        "warm_min_ms": min(warm_ms) if warm_ms else math.nan,
        "warm_cpu_median_ms": median(first["warm_cpu_ms"]),
        "warm_ms_all": warm_ms,
        "bytes": first["bytes"],
        "kb": first["bytes"] / KB,
        "pages": first["pages"],
        "checkboxes": first["checkboxes"],
        "peak_rss_after_first_build_mb": median([r["hwm_after_first_mb"] for r in results]),
        "peak_rss_after_warm_mb": first["hwm_mb"],
        "stages": first.get("stages"),
        "reportlab": first["reportlab"],
        "pdf": str(tmp / f"{kind}-0.pdf"),
    }


# ------------------------------------------------------------ the roster and the batch


FIRST = [
    "Ava",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jamal",
    "Kira",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Pavel",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Aoife",
    "Bjørn",
    "Célia",
    "Dmitri",
    "Eun-ji",
    "François",
]
LAST = [
    "Abara",
    "Bauer",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "López",
    "Müller",
    "Nakamura",
    "O'Brien",
    "Petrov",
    "Quispe",
    "Rossi",
    "Singh",
    "Tanaka",
    "Ulloa",
    "Varga",
    "Wong",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Andersson",
    "Brennan",
    "Costa",
    "Diallo",
    "Evans",
    "Novak",
]


def write_roster(path: Path, rows: int) -> Path:
    """`rows` distinct patients, the same 8 exercises, 2 weeks, all tips and mistakes."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["patient", "date", "exercises", "tips", "mistakes", "weeks"])
        for i in range(rows):
            name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}"
            if i >= len(FIRST) * len(LAST):
                name += f" {i // (len(FIRST) * len(LAST)) + 1}"
            w.writerow([name, DATE, ";".join(EXERCISES), "all", "all", 2])
    return path


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants (psutil when installed, else /proc)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            root = psutil.Process(pid)
            return [pid] + [c.pid for c in root.children(recursive=True)]
        except psutil.Error:
            return []
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo += _children(p)
    return tree


def _memory(pid: int) -> tuple[float, float] | None:
    """(RSS, PSS) of one process in MB, or None if it is gone (or going)."""
    try:
        rss = _vm("VmRSS", str(pid))
        pss = math.nan
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) / 1024
                    break
    except (OSError, ValueError):
        return None
    return None if math.isnan(rss) or math.isnan(pss) else (rss, pss)


def run_batch(roster: Path, out_dir: Path, rows: int) -> dict:
    """`handouts batch` as a subprocess, its process tree's memory sampled every 50 ms."""
    cmd = [handouts_exe(), "batch", str(roster), "-o", str(out_dir)]
    COMMANDS.note(cmd)
    done = [0]
    progress = re.compile(r"^\[(\d+)/(\d+)\]")
    err_tail: list[str] = []

    def read_progress(stream) -> None:
        for raw in stream:
            line = raw.decode(errors="replace")
            m = progress.match(line)
            if m:
                done[0] = int(m.group(1))
            else:
                err_tail.append(line)

    # (seconds, rows done, total RSS MB, total PSS MB, processes, parent RSS, largest worker)
    samples = []
    per_pid_peak: dict[int, float] = {}
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.PIPE, start_new_session=True, env=ENV
        )
        reader = threading.Thread(target=read_progress, args=(proc.stderr,), daemon=True)
        reader.start()
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            rss = pss = parent = worker = 0.0
            n = 0
            for p in process_tree(proc.pid):
                mem = _memory(p)
                if mem is None:
                    continue
                rss += mem[0]
                pss += mem[1]
                n += 1
                if p == proc.pid:
                    parent = mem[0]
                else:
                    worker = max(worker, mem[0])
                per_pid_peak[p] = max(per_pid_peak.get(p, 0.0), mem[0])
            if n:
                samples.append(
                    (time.perf_counter() - started, done[0], rss, pss, n, parent, worker)
                )
            time.sleep(SAMPLE_EVERY)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        reader.join(timeout=5)
        out.seek(0)
        stdout = out.read().decode(errors="replace").strip()
    pdfs = list(out_dir.glob("*.pdf"))
    result = {
        "rows": rows,
        "wall_s": wall,
        "rc": proc.returncode,
        "stdout": stdout,
        "stderr_tail": "".join(err_tail[-5:]),
        "files": len(pdfs),
        "total_mb": sum(p.stat().st_size for p in pdfs) / KB / KB,
        "rows_per_s": rows / wall,
        "samples": len(samples),
        "peak_rss_mb": max((s[2] for s in samples), default=math.nan),
        "peak_pss_mb": max((s[3] for s in samples), default=math.nan),
        "max_processes": max((s[4] for s in samples), default=0),
        "peak_rss_one_process_mb": max(per_pid_peak.values(), default=math.nan),
        "parent_maxrss_mb": usage.ru_maxrss / 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime,  # the parent and its reaped workers
        "series": [[round(x, 3 if i == 0 else 1) for i, x in enumerate(s)] for s in samples],
    }
    # Peak so far when 25%, 50% and 100% of the rows were done.
    for pct in (25, 50, 100):
        upto = [s for s in samples if s[1] <= rows * pct / 100]
        result[f"peak_rss_at_{pct}pct_mb"] = max((s[2] for s in upto), default=math.nan)
        result[f"peak_pss_at_{pct}pct_mb"] = max((s[3] for s in upto), default=math.nan)
        result[f"parent_peak_at_{pct}pct_mb"] = max((s[5] for s in upto), default=math.nan)
        result[f"worker_peak_at_{pct}pct_mb"] = max((s[6] for s in upto), default=math.nan)
    if proc.returncode != 0 or len(pdfs) != rows:
        result["error"] = (
            f"exit code {proc.returncode}, {len(pdfs)} of {rows} files written: "
            f"{result['stderr_tail']}"
        )
    return result


# --------------------------------------------------------------------- the whole run


def machine() -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), ""
            )
    except OSError:
        pass
    git = {}
    try:
        git["head"] = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "src", "layouts", "exercises.yaml"],
            capture_output=True,
            text=True,
        ).stdout.splitlines()
        git["uncommitted_product_files"] = len(status)
    except OSError:
        pass
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": model,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_exe": sys.executable,
        "loadavg_start": os.getloadavg(),
        "git": git,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions and 200 roster rows instead of 1000"
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--rows", type=int, help="roster rows (default 1000, --quick 200)")
    parser.add_argument("--child", choices=["handouts", "straight"], help=argparse.SUPPRESS)
    parser.add_argument("--warm", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.warm, args.child_out)
        return 0

    quick = args.quick
    rows = args.rows or (200 if quick else 1000)
    warm = 15 if quick else 50
    colds = 2 if quick else 5
    reps = 3 if quick else 10
    small_rows = max(rows // 4, 8)
    exe = handouts_exe()
    tmp = Path(tempfile.mkdtemp(prefix="handouts-bench-"))
    info = machine()
    settings = {
        "quick": quick,
        "rows": rows,
        "small_rows": small_rows,
        "warm_builds": warm,
        "cold_processes": colds,
        "whole_process_runs": reps,
        "tmp": str(tmp),
    }
    print(
        f"machine: {info['cpu_count']} CPUs ({info['cpus_usable']} usable), "
        f"{info['cpu_model']}; Python {info['python']} ({info['python_exe']}); "
        f"{info['platform']}; load average {info['loadavg_start'][0]:.2f}"
    )
    print(
        f"checkout: {ROOT} at {info['git'].get('head', '?')}, "
        f"{info['git'].get('uncommitted_product_files', '?')} uncommitted product files "
        f"(the working tree is what is measured)"
    )
    print(f"settings: {json.dumps(settings)}\n", flush=True)
    res: dict = {}
    meter = Meter()
    try:
        # (a) and (f): in-process builds, each kind in fresh processes.
        meter.start("in-process handouts")
        res["inproc_handouts"] = in_process("handouts", warm, colds, tmp)
        meter.stop()
        meter.start("in-process straight")
        res["inproc_straight"] = in_process("straight", warm, colds, tmp)
        meter.stop()

        # (b) and (f): whole processes.
        meter.start("whole processes (interleaved)")
        whole = repeat(
            {
                "make": lambda tag: [
                    exe,
                    "make",
                    "--patient",
                    PATIENT,
                    *[a for e in EXERCISES for a in ("-e", e)],
                    "--tips",
                    "all",
                    "--mistakes",
                    "all",
                    "--weeks",
                    "2",
                    "--date",
                    DATE,
                    "-o",
                    str(tmp / f"make-{tag}.pdf"),
                ],
                "straight_process": lambda tag: [
                    sys.executable,
                    str(STRAIGHT),
                    "-o",
                    str(tmp / f"straight-{tag}.pdf"),
                ],
                "help": lambda tag: [exe, "--help"],
            },
            reps,
        )
        res.update(whole)
        res["make"]["bytes"] = (tmp / "make-0.pdf").stat().st_size
        meter.stop()

        # (c): the roster through `handouts batch`, and a quarter-size run for flatness.
        roster = write_roster(tmp / f"roster-{rows}.csv", rows)
        small = write_roster(tmp / f"roster-{small_rows}.csv", small_rows)
        meter.start(f"batch {small_rows} rows")
        res["batch_small"] = run_batch(small, tmp / "batch-small", small_rows)
        meter.stop()
        meter.start(f"batch {rows} rows")
        res["batch"] = run_batch(roster, tmp / "batch", rows)
        meter.stop()

        # (f): the same roster, straight reportlab, one after another in one process.
        meter.start(f"straight {rows} in turn")
        seq = run(
            [
                sys.executable,
                str(STRAIGHT),
                "--roster",
                str(roster),
                "-o",
                str(tmp / "straight-seq"),
            ]
        )
        meter.stop()
        files = list((tmp / "straight-seq").glob("*.pdf"))
        res["straight_seq"] = {
            "rows": rows,
            "wall_s": seq["wall_s"],
            "files": len(files),
            "cpu_s": seq["cpu_s"],
            "peak_rss_mb": seq["maxrss_kb"] / 1024,
            "rows_per_s": rows / seq["wall_s"],
            "stdout": seq["stdout"].strip(),
        }

        # (d): the library export, if the command exists yet.
        meter.start("library export")
        probe = run([exe, "library", "--help"], check=False)
        if probe["rc"] != 0:
            said = (probe["stderr"] or probe["stdout"]).strip().splitlines() or [""]
            res["library"] = {
                "skipped": f"`handouts library --help` exited {probe['rc']}: {said[-1].strip()}"
            }
        else:
            lib_reps = 1 if quick else 3
            res["library"] = repeat(
                {"library": lambda tag: [exe, "library", "-o", str(tmp / f"lib-{tag}")]}, lib_reps
            )["library"]
            out = tmp / "lib-0"
            files = [p for p in out.rglob("*") if p.is_file()] if out.is_dir() else []
            res["library"]["files"] = len(files)
            res["library"]["total_kb"] = sum(p.stat().st_size for p in files) / KB
        meter.stop()
        res["noise"] = meter.stages
    finally:
        info["loadavg_end"] = os.getloadavg()
        if args.keep:
            print(f"kept: {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    table, checks = report(res, rows, small_rows, quick)
    print_table(table)
    print(
        f"\nload average at the end: {info['loadavg_end'][0]:.2f} "
        "(other work on the machine skews the figures)"
    )
    print(
        "\ncommands (× times run; the in-process figures are handouts.make.build(request, "
        "library=, clinic=, plan=, today=) / straight_reportlab.build_pdf() called in a loop "
        "inside the --child processes):"
    )
    print(
        f"  (TMP={tmp}{', removed' if not args.keep else ''}; the first of each repeated "
        "command is a warm-up, not counted)"
    )
    for cmd, times in COMMANDS.seen.items():
        print(f"  {times:>3} × {cmd.replace(str(tmp), '$TMP')}")
    failed = [c["name"] for c in checks if c["pass"] is False]
    print(
        f"\n{len(checks) - len(failed)} of {len(checks)} targets met"
        + (f"; FAILED: {', '.join(failed)}" if failed else "")
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "settings": settings,
                    "results": res,
                    "checks": checks,
                    "table": table,
                    "commands": [
                        {"command": c.replace(str(tmp), "$TMP"), "times": n}
                        for c, n in COMMANDS.seen.items()
                    ],
                },
                indent=2,
                default=str,
            )
        )
        print(f"results written to {args.json}")
    return 0


# ----------------------------------------------------------------------------- report


def report(res: dict, rows: int, small_rows: int, quick: bool) -> tuple[list, list]:
    """The table's rows (section, figure, value, target, verdict) and the checks."""
    table: list[list[str]] = []
    checks: list[dict] = []

    def row(
        section: str,
        figure: str,
        value: str,
        target: str = "",
        ok: bool | None = None,
        name: str | None = None,
        number: float | None = None,
    ) -> None:
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        table.append([section, figure, value, target, verdict])
        if ok is not None:
            checks.append(
                {"name": name or figure, "value": number, "target": target, "pass": bool(ok)}
            )

    ms = lambda x: f"{x:,.1f} ms"  # noqa: E731
    mb = lambda x: f"{x:,.1f} MB"  # noqa: E731

    h, s = res["inproc_handouts"], res["inproc_straight"]
    a = "a) in-process"
    row(
        a,
        "handouts: cold first build() (fresh process)",
        ms(h["cold_first_build_ms"]),
        f"median of {h['cold_processes']} processes",
    )
    row(
        a,
        "handouts: cold import + load library/clinic",
        f"{ms(h['cold_import_ms'])} + {ms(h['cold_load_ms'])}",
    )
    row(
        a,
        f"handouts: warm build() median ({h['warm_builds']} builds)",
        ms(h["warm_median_ms"]),
        f"<= {TARGET_INPROC_MS:.0f} ms",
        h["warm_median_ms"] <= TARGET_INPROC_MS,
        "in-process warm median",
        h["warm_median_ms"],
    )
    row(a, "handouts: warm build() p90 / min", f"{ms(h['warm_p90_ms'])} / {ms(h['warm_min_ms'])}")
    row(a, "handouts: warm build() CPU time median", ms(h["warm_cpu_median_ms"]))
    if h.get("stages"):
        st = h["stages"]
        row(
            a,
            "handouts: warm stages prepare / layout+draw / PDF save",
            f"{ms(st['prepare_ms'])} / {ms(st['layout_draw_ms'])} / {ms(st['pdf_save_ms'])}",
        )
    row(
        a,
        "handouts: pages / checkboxes",
        f"{h['pages']} / {h['checkboxes']}",
        f"- / {CHECKBOXES}",
        h["checkboxes"] == CHECKBOXES,
        "checkbox count",
        h["checkboxes"],
    )
    row(
        a,
        "handouts: file size",
        f"{h['kb']:.1f} KB ({h['bytes']:,} B)",
        f"<= {TARGET_SIZE_KB:.0f} KB",
        h["kb"] <= TARGET_SIZE_KB,
        "file size <= 80 KB",
        h["kb"],
    )
    row(
        a,
        "handouts: file size (pictures-issue limit)",
        f"{h['kb']:.1f} KB",
        f"<= {TARGET_SIZE_PICTURES_KB:.0f} KB",
        h["kb"] <= TARGET_SIZE_PICTURES_KB,
        "file size <= 120 KB (with illustrations)",
        h["kb"],
    )

    b = "b) whole process"
    mk, hp = res["make"], res["help"]
    sp = res["straight_process"]
    row(
        b,
        f"handouts make: median ({mk['runs']} runs)",
        ms(mk["median_ms"]),
        f"<= straight {ms(sp['median_ms'])}",
        mk["median_ms"] <= sp["median_ms"],
        "handouts make <= straight-reportlab process",
        mk["median_ms"],
    )
    row(b, "handouts make: min / p90", f"{ms(mk['min_ms'])} / {ms(mk['p90_ms'])}")
    row(b, f"handouts --help: median ({hp['runs']} runs)", ms(hp["median_ms"]))

    c = f"c) batch {rows} rows"
    bt, sm, seq = res["batch"], res["batch_small"], res["straight_seq"]
    limit = TARGET_BATCH_S_PER_1000 * rows / 1000
    scaled = "" if rows == 1000 else f" (15 s scaled to {rows} rows)"
    row(
        c,
        f"handouts batch: wall (default jobs, {bt['max_processes']} processes)",
        f"{bt['wall_s']:.2f} s ({bt['rows_per_s']:.1f} rows/s)",
        f"<= {limit:g} s{scaled}",
        bt["wall_s"] <= limit and "error" not in bt,
        "batch wall time",
        bt["wall_s"],
    )
    row(
        c,
        "straight reportlab: same roster in turn, one process",
        f"{seq['wall_s']:.2f} s ({seq['rows_per_s']:.1f} rows/s)",
    )
    ratio = bt["wall_s"] / seq["wall_s"]
    row(
        c,
        "handouts batch / straight sequential",
        f"{ratio:.2f}×",
        f"<= {TARGET_BATCH_VS_STRAIGHT}×",
        ratio <= TARGET_BATCH_VS_STRAIGHT and "error" not in bt,
        "batch <= half of straight sequential",
        ratio,
    )
    row(c, "handouts batch: files written / total size", f"{bt['files']} / {bt['total_mb']:.1f} MB")
    row(
        c,
        "handouts batch: CPU time, all processes",
        f"{bt['cpu_s']:.1f} s ({bt['cpu_s'] / rows * 1000:.0f} ms/row)",
    )
    row(
        c,
        "straight sequential: CPU time",
        f"{seq['cpu_s']:.1f} s ({seq['cpu_s'] / rows * 1000:.0f} ms/row)",
    )
    if "error" in bt:
        row(c, "handouts batch: ERROR", bt["error"][:120])
    row(
        c,
        f"handouts batch: {small_rows}-row run wall",
        f"{sm['wall_s']:.2f} s ({sm['rows_per_s']:.1f} rows/s)",
    )

    e = "e) peak memory"
    row(
        e,
        "in-process handouts: peak RSS after 1 build / after all",
        f"{mb(h['peak_rss_after_first_build_mb'])} / {mb(h['peak_rss_after_warm_mb'])}",
    )
    row(e, "handouts make: peak RSS (ru_maxrss)", mb(mk["peak_rss_mb"]))
    row(e, "handouts --help: peak RSS", mb(hp["peak_rss_mb"]))
    row(
        e,
        "batch: peak RSS of the process tree (sum)",
        f"{mb(bt['peak_rss_mb'])} (PSS {mb(bt['peak_pss_mb'])})",
    )
    row(
        e,
        "batch: parent peak RSS at 25% / 100% of rows",
        f"{mb(bt['parent_peak_at_25pct_mb'])} / {mb(bt['parent_peak_at_100pct_mb'])}",
    )
    row(
        e,
        "batch: largest worker peak RSS at 25% / 100%",
        f"{mb(bt['worker_peak_at_25pct_mb'])} / {mb(bt['worker_peak_at_100pct_mb'])}",
    )
    per_row = (bt["peak_rss_at_100pct_mb"] - bt["peak_rss_at_25pct_mb"]) * 1024 / (0.75 * rows)
    row(e, "batch: tree growth per row, 25% -> 100%", f"{per_row:+.1f} KB/row")
    row(
        e,
        "batch: tree peak RSS at 25% / 50% / 100% of rows",
        " / ".join(mb(bt[f"peak_rss_at_{p}pct_mb"]) for p in (25, 50, 100)),
    )
    grow_run = bt["peak_rss_at_100pct_mb"] / bt["peak_rss_at_25pct_mb"] - 1
    row(
        e,
        "batch: growth from 25% to 100% of the run",
        f"{grow_run:+.1%}",
        f"<= +{FLAT_TOLERANCE:.0%}",
        grow_run <= FLAT_TOLERANCE,
        "memory flat within the run",
        grow_run,
    )
    grow_size = bt["peak_rss_mb"] / sm["peak_rss_mb"] - 1
    row(
        e,
        f"batch: tree peak {rows} rows vs {small_rows} rows",
        f"{mb(bt['peak_rss_mb'])} vs {mb(sm['peak_rss_mb'])} ({grow_size:+.1%})",
        f"<= +{FLAT_TOLERANCE:.0%}",
        grow_size <= FLAT_TOLERANCE,
        "memory flat with roster size",
        grow_size,
    )

    d = "d) library export"
    lib = res["library"]
    if "skipped" in lib:
        row(d, "handouts library -o DIR", "skipped", lib["skipped"][:70])
    else:
        row(
            d,
            f"handouts library -o DIR: median ({lib['runs']} runs)",
            ms(lib["median_ms"]),
            "(no target given)",
        )
        row(
            d,
            "handouts library: files / size / peak RSS",
            f"{lib['files']} / {lib['total_kb']:.0f} KB / {mb(lib['peak_rss_mb'])}",
        )

    f = "f) straight reportlab"
    row(
        f,
        "straight: cold first build (fresh process)",
        ms(s["cold_first_build_ms"]),
        f"median of {s['cold_processes']} processes",
    )
    row(
        f,
        "straight: cold import + load yaml",
        f"{ms(s['cold_import_ms'])} + {ms(s['cold_load_ms'])}",
    )
    row(
        f,
        f"straight: warm build median ({s['warm_builds']} builds)",
        ms(s["warm_median_ms"]),
        f"handouts {ms(h['warm_median_ms'])}",
    )
    row(f, "straight: warm p90 / min", f"{ms(s['warm_p90_ms'])} / {ms(s['warm_min_ms'])}")
    row(f, "straight: warm CPU time median", ms(s["warm_cpu_median_ms"]))
    if s.get("stages"):
        row(
            f,
            "straight: warm stages layout+draw / PDF save",
            f"{ms(s['stages']['layout_draw_ms'])} / {ms(s['stages']['pdf_save_ms'])}",
        )
    row(f, "straight: pages / checkboxes", f"{s['pages']} / {s['checkboxes']}")
    row(
        f,
        "straight: file size",
        f"{s['kb']:.1f} KB ({s['bytes']:,} B)",
        f"handouts {h['kb']:.1f} KB",
    )
    row(
        f,
        f"straight: whole process median ({sp['runs']} runs)",
        ms(sp["median_ms"]),
        f"handouts make {ms(mk['median_ms'])}",
    )
    row(
        f,
        f"straight: {rows} in turn, one process",
        f"{seq['wall_s']:.2f} s",
        f"handouts batch {bt['wall_s']:.2f} s",
    )
    row(
        f,
        "straight: peak RSS in-process / whole process / sequential run",
        f"{mb(s['peak_rss_after_warm_mb'])} / {mb(sp['peak_rss_mb'])} / {mb(seq['peak_rss_mb'])}",
    )
    n = "noise"
    for name, m in res.get("noise", {}).items():
        row(
            n,
            f"others' CPU use during: {name}",
            f"{m['other_cores']:.2f} cores ({m['other_cpu_s']:.1f} CPU-s in {m['wall_s']:.1f} s)",
            "~0 on a quiet machine",
        )
    if quick:
        table.append(
            ["", "(--quick: fewer repetitions; batch target scaled to the rows)", "", "", ""]
        )
    return table, checks


def print_table(table: list[list[str]]) -> None:
    head = ["", "figure", "value", "target", "result"]
    widths = [max(len(r[i]) for r in [head, *table]) for i in range(5)]
    line = "  ".join("-" * w for w in widths)
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print(line)
    section = None
    for r in table:
        shown = r[0] if r[0] != section else ""
        if r[0] != section and section is not None:
            print()
        section = r[0]
        cells = zip([shown, *r[1:]], widths, strict=True)
        print("  ".join(c.ljust(w) for c, w in cells).rstrip())


if __name__ == "__main__":
    sys.exit(main())
