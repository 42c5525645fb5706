"""`paperprov export --agent-trace DIR [--dir REPO]`: the record as Agent Trace records,
one JSON file per file of the paper and its experiment code: DIR/<path>.json.

They describe HEAD, so build/record.json must be for HEAD and made from a clean working
tree (line numbers in a trace refer to the file at its commit). The conversion itself
is disclose/agenttrace.py.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from provenance import __version__
from provenance.cli.commands import HELP
from provenance.config import load
from provenance.errors import BuildError, UsageError
from provenance.fsutil import write_text_atomic
from provenance.paths import RECORD
from provenance.recordjson import read_record


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("export", help=HELP["export"])
    p.add_argument("--agent-trace", metavar="DIR", type=Path, required=True,
                   help="write one Agent Trace record per file of the paper and code into DIR")
    p.add_argument("--dir", default=".", help="the paper repository (default: current directory)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from provenance.disclose.agenttrace import trace_records
    from provenance.evidence.gitrun import git, repo_info

    cfg = load(args.dir)
    record, digest = read_record(cfg.root / RECORD)
    info = repo_info(cfg.root)
    if info is None or info.head is None:
        raise BuildError(f"{cfg.root}: no commit; Agent Trace records describe a commit, so commit the paper first")
    if record.commit != info.head:
        raise BuildError(f"{RECORD} is for commit {record.commit or 'none'}, not HEAD {info.head}; run `doit record`")
    if record.dirty:
        raise BuildError(f"{RECORD} was made from a working tree with uncommitted changes, so its line numbers are "
                         "not HEAD's; commit them and run `doit record`")
    epoch = int(git(cfg.root, "log", "-1", "--format=%ct", info.head).stdout.decode().strip())
    out = args.agent_trace
    if out.exists() and not out.is_dir():
        raise UsageError(f"--agent-trace {out}: not a directory")
    records = trace_records(record, info.prefix, epoch, __version__, digest)
    for path, rec in records:
        if path.startswith("/") or ".." in path.split("/"):
            raise BuildError(f"{RECORD}: file {path!r} is not a path inside the repository; run `doit record`")
        write_text_atomic(out / f"{path}.json", json.dumps(rec, indent=2, sort_keys=True) + "\n", mode=0o644)
    print(f"wrote {len(records)} Agent Trace record(s) for {info.head[:12]} into {out}")
    return 0
