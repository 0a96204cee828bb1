"""Reference digests from the real nbformat, for nbshield's differential tests.

Reads JSON lines on stdin, one request per line:
  {"text": "<notebook text>", "secret_hex": "<hex>"}      -> digest of nbformat.reads(text)
  {"text": ..., "secret_file": "<path>"}                  -> same, key read by NotebookNotary
  {"dumps": "<json text>"}                                -> re-serialised as nbformat writes
  {"pystr": ["1.0", "1e999", ...]}                        -> str(json.loads(t)) for each token
  {"make_secret_dir": "<dir>"}                            -> let NotebookNotary write its
                                                            notebook_secret there; returns its path
Writes one JSON line per request: {"ok": true, "digest": ...} or {"ok": false, "error": ...}.
One process serves a whole batch, so tests pay Python's start-up once.
Run with Debian's /usr/bin/python3 (the interpreter that has nbformat).
"""

import json
import logging
import os
import sys
import warnings

import nbformat
from nbformat.sign import MemorySignatureStore, NotebookNotary

warnings.simplefilter("ignore")
logging.disable(logging.CRITICAL)

_notaries = {}


def notary_for(secret):
    n = _notaries.get(secret)
    if n is None:
        n = NotebookNotary(secret=secret, store_factory=MemorySignatureStore)
        _notaries[secret] = n
    return n


def py_str(token):
    try:
        return {"ok": True, "str": str(json.loads(token))}
    except BaseException as e:
        return {"ok": False, "error": type(e).__name__}


def handle(req):
    if "dumps" in req:  # json.dumps as nbformat's writer calls it, plus nbformat.write's newline
        v = json.loads(req["dumps"])
        out = json.dumps(v, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False)
        return {"ok": True, "str": out + "\n"}
    if "pystr" in req:  # str(json.loads(t)) for each number token
        return {"ok": True, "results": [py_str(t) for t in req["pystr"]]}
    if "make_secret_dir" in req:
        d = req["make_secret_dir"]
        n = NotebookNotary(data_dir=d, store_factory=MemorySignatureStore)
        _ = n.secret  # generates and writes notebook_secret as Jupyter does
        return {"ok": True, "path": n.secret_file}
    if "secret_file" in req:
        n = NotebookNotary(secret_file=req["secret_file"], store_factory=MemorySignatureStore)
        secret = n.secret
    else:
        secret = bytes.fromhex(req["secret_hex"])
        n = notary_for(secret)
    try:
        nb = nbformat.reads(req["text"], nbformat.NO_CONVERT)
        digest = n.compute_signature(nb)
        # nbformat >= 4.5 gives cells without (unique) ids random ones: read twice to see it.
        again = n.compute_signature(nbformat.reads(req["text"], nbformat.NO_CONVERT))
        if again != digest:
            return {"ok": False, "error": "NonDeterministic: two reads gave two digests"}
        return {"ok": True, "digest": digest}
    except BaseException as e:  # any failure: nbformat cannot sign it
        return {"ok": False, "error": type(e).__name__ + ": " + str(e)[:200]}


def main():
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            res = handle(json.loads(line))
        except BaseException as e:
            res = {"ok": False, "error": "bad request: " + type(e).__name__ + ": " + str(e)[:200]}
        out.write(json.dumps(res) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
