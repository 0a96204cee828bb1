"""Long-lived Python side of `npm run bench`: Debian's nbformat and nbconvert, timed in-process.

Reads one JSON request per line on stdin, answers one JSON line on stdout. Timing is done here
with perf_counter so process start-up and the pipe never count against Python.
Run with Debian's /usr/bin/python3 (the one that has nbformat 5.5 and nbconvert 6.5).
"""
import hmac
import json
import sys
import time
import warnings

import nbformat
from nbformat.sign import NotebookNotary

warnings.filterwarnings("ignore")
_exporter = None


def exporter():
    global _exporter
    if _exporter is None:
        from nbconvert import HTMLExporter

        _exporter = HTMLExporter()
    return _exporter


def timed(fn, runs, warmup=1, inner=1, budget_ms=0.0, max_runs=None):
    # The first call pays one-off costs (schema loading, template compilation): not timed.
    # Sub-millisecond calls are repeated `inner` times per sample, so the clock's grain is noise.
    # With a budget: at least `runs` samples, then more until the budget is spent or max_runs.
    for _ in range(warmup):
        fn()
    times = []
    result = None
    limit = max(runs, max_runs or runs)
    start = time.perf_counter()
    while len(times) < limit and (
        len(times) < (1 if times and times[0] > budget_ms > 0 else runs)
        or (time.perf_counter() - start) * 1000.0 < budget_ms
    ):
        t0 = time.perf_counter()
        for _ in range(inner):
            result = fn()
        times.append((time.perf_counter() - t0) * 1000.0 / inner)
    return result, times


def handle(req):
    op = req["op"]
    if op == "versions":
        import nbconvert

        return {"nbformat": nbformat.__version__, "nbconvert": nbconvert.__version__,
                "python": sys.version.split()[0]}
    with open(req["path"], "r", encoding="utf-8") as f:
        text = f.read()
    runs = int(req.get("runs", 1))
    warmup = int(req.get("warmup", 1))
    inner = int(req.get("inner", 1))
    budget = float(req.get("budget_ms", 0))
    max_runs = req.get("max_runs")
    if op == "digest":
        notary = NotebookNotary(secret=bytes.fromhex(req["secret_hex"]))
        # What `jupyter trust` / the contents manager do on load: read, then sign.
        digest, times = timed(
            lambda: notary.compute_signature(nbformat.reads(text, nbformat.NO_CONVERT)), runs, warmup, inner, budget, max_runs)
        return {"digest": digest, "times": times}
    if op == "digest_json":
        # Lower bound for Python: no nbformat validation, just json.loads + the HMAC walk.
        notary = NotebookNotary(secret=bytes.fromhex(req["secret_hex"]))
        digest, times = timed(
            lambda: notary.compute_signature(nbformat.from_dict(json.loads(text))), runs, warmup, inner, budget, max_runs)
        return {"digest": digest, "times": times}
    if op == "hmac":
        data = text.encode("utf-8")
        key = bytes.fromhex(req["secret_hex"])
        digest, times = timed(lambda: hmac.new(key, data, "sha256").hexdigest(), runs, warmup, inner, budget, max_runs)
        return {"digest": digest, "times": times}
    if op == "render":
        exp = exporter()
        out, times = timed(
            lambda: exp.from_notebook_node(nbformat.reads(text, as_version=4))[0], runs, warmup, inner, budget, max_runs)
        return {"bytes": len(out), "times": times}
    raise ValueError("unknown op " + op)


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            res = handle(req)
            res["ok"] = True
        except Exception as e:  # one bad notebook must not end the whole bench
            res = {"ok": False, "error": "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")}
        sys.stdout.write(json.dumps(res) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
