"""Cost of reading git-ai notes and Agent Trace records: the record's evidence step
(`collect`) on a synthetic history where every commit carries a git-ai note and an Agent
Trace record, against the same history without them, each as a whole process.

    .venv/bin/python benchmarks/line_evidence_bench.py [COMMITS]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENV = {**os.environ, "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@x", "GIT_COMMITTER_NAME": "A",
       "GIT_COMMITTER_EMAIL": "a@x"}
PROBE = ("import sys; from pathlib import Path; from provenance.evidence.collect import collect; "
         "ev = collect(Path(sys.argv[1]), ['paper.tex'], use_cache=False); print(len(ev.line_facts))")


def git(root: Path, *args: str, data: str | None = None) -> str:
    return subprocess.run(["git", *args], cwd=root, env=ENV, input=data, capture_output=True, text=True,
                          check=True).stdout


def make(root: Path, commits: int) -> None:
    git(root, "init", "-q", "-b", "main")
    lines = [f"line {i}" for i in range(commits * 3)]
    stream = []
    for c in range(commits):
        for i in range(c * 3, c * 3 + 3):
            lines[i] = f"edit {c} {i}"
        body = "\n".join(lines) + "\n"
        stream.append(f"commit refs/heads/main\ncommitter A <a@x> {1700000000 + c} +0000\ndata 2\nc\n"
                      + f"M 644 inline paper.tex\ndata {len(body.encode())}\n{body}\n")
    git(root, "fast-import", "--quiet", data="".join(stream))
    git(root, "checkout", "-q", "main")
    shas = git(root, "rev-list", "--reverse", "main").split()
    meta = {"schema_version": "authorship/3.0.0", "base_commit_sha": "x", "prompts": {},
            "sessions": {"s_0a1b2c3d4e5f60": {"agent_id": {"tool": "cursor", "id": "c", "model": "gpt-5"}}}}
    trace_dir = root / ".agent-trace"
    trace_dir.mkdir()
    for c, sha in enumerate(shas):
        note = f"paper.tex\n  s_0a1b2c3d4e5f60::t_112233445566aa {c * 3 + 1}-{c * 3 + 2}\n---\n{json.dumps(meta)}\n"
        git(root, "notes", "--ref=ai", "add", "-m", note, sha)
        rec = {"version": "0.1.0", "id": "550e8400-e29b-41d4-a716-446655440000", "timestamp": "2026-01-01T00:00:00Z",
               "vcs": {"type": "git", "revision": sha}, "files": [{"path": "paper.tex", "conversations": [
                   {"contributor": {"type": "ai", "model_id": "openai/gpt-5"},
                    "ranges": [{"start_line": c * 3 + 3, "end_line": c * 3 + 3}]}]}]}
        (trace_dir / f"{c}.json").write_text(json.dumps(rec))


def timed(root: Path, runs: int = 5) -> float:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", PROBE, str(root)], check=True, capture_output=True)
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main() -> None:
    commits = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory() as tmp:
        with_ev, without = Path(tmp) / "with", Path(tmp) / "without"
        for root in (with_ev, without):
            root.mkdir()
            make(root, commits)
        git(without, "update-ref", "-d", "refs/notes/ai")
        subprocess.run(["rm", "-rf", str(without / ".agent-trace")], check=True)
        a, b = timed(without), timed(with_ev)
        print(f"{commits} commits, {commits * 3} lines; collect() as a process, median of 5:")
        print(f"  without line-level evidence: {a * 1000:.0f} ms")
        print(f"  with a git-ai note and an Agent Trace record per commit: {b * 1000:.0f} ms ({b / a:.2f}x)")


if __name__ == "__main__":
    main()
