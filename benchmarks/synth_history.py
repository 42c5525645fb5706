"""Generate a synthetic paper repository with a long history, for attribution benchmarks.

    python benchmarks/synth_history.py DIR [--commits 2000] [--files 300] [--lines 100000]

Writes a git repository in DIR (which must not exist or be empty): half .tex files under
paper/, half .py files under experiments/, about --lines lines in total at HEAD, and
--commits commits that each edit one to three files (insertions, replacements,
deletions) and now and then move a file. A third of the commits carry AI evidence in
the forms gitlog reads (Assisted-by, a Claude Co-authored-by trailer, an aider author
name). The history is streamed into `git fast-import`, so generating it takes seconds.
Same arguments, same repository (seeded).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from pathlib import Path

AI_FORMS = (
    ("Ada Author", "\n\nAssisted-by: claude-code:claude-opus-4-1\n"),
    ("Ada Author", "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"),
    ("Ada Author (aider)", "\n"),
    ("Ada Author", "\n\nAssisted-by: codex:gpt-5\n"),
)


class Stream:
    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def data(self, payload: bytes) -> None:
        self.parts.append(b"data %d\n" % len(payload) + payload + b"\n")

    def line(self, text: str) -> None:
        self.parts.append(text.encode() + b"\n")


def generate(dest: Path, commits: int = 2000, nfiles: int = 300, total_lines: int = 100_000, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    counter = 0

    def fresh(path: str, n: int) -> list[str]:
        nonlocal counter
        out = []
        for _ in range(n):
            counter += 1
            if path.endswith(".py"):
                out.append(f"    value_{counter} = compute({counter}, rate={rng.random():.4f})  # step {counter}\n")
            else:
                out.append(f"The estimate {counter} bounds the excess error by $C_{{{counter}}} \\le {rng.randint(1, 99)}$.\n")
        return out

    files: dict[str, list[str]] = {}
    for i in range(nfiles):
        path = f"paper/sections/s{i:03d}.tex" if i % 2 == 0 else f"experiments/lib/m{i:03d}.py"
        files[path] = []
    # The initial commit holds ~60% of the final lines; the history adds the rest.
    per_file = int(total_lines * 0.6 / nfiles)
    growth = (total_lines - per_file * nfiles) / max(commits - 1, 1)
    s = Stream()
    when = 1_700_000_000
    for n in range(1, commits + 1):
        touched: dict[str, list[str]] = {}
        renames: list[tuple[str, str]] = []
        if n == 1:
            for path in files:
                files[path] = fresh(path, per_file)
                touched[path] = files[path]
        else:
            budget = max(1, int(rng.gauss(growth / 2, growth / 6)))  # ~2 files per commit
            for path in rng.sample(sorted(files), rng.randint(1, 3)):
                body = files[path]
                pos = rng.randint(0, len(body))
                op = rng.random()
                if op < 0.6:  # insert a block
                    body[pos:pos] = fresh(path, budget)
                elif op < 0.9:  # rewrite a block
                    k = min(len(body) - pos, rng.randint(1, 10))
                    body[pos:pos + k] = fresh(path, k + budget)
                else:  # delete a few lines, write a few
                    k = min(len(body) - pos, rng.randint(1, 5))
                    body[pos:pos + k] = fresh(path, budget)
                touched[path] = body
            if n % 97 == 0:  # move a file now and then, so blame has renames to follow
                old = rng.choice(sorted(p for p in files if p not in touched))
                new = old.replace("/sections/", "/moved/").replace("/lib/", "/moved/")
                if new != old and new not in files:
                    files[new] = files.pop(old)
                    renames.append((old, new))
        ai = n % 3 == 0
        author, trailer = AI_FORMS[(n // 3) % len(AI_FORMS)] if ai else ("Ada Author", "\n")
        message = f"Edit {n}: revise {len(touched)} file(s)\n{trailer}"
        s.line("commit refs/heads/main")
        s.line(f"mark :{n}")
        s.line(f"author {author} <ada@example.org> {when + n * 600} +0000")
        s.line(f"committer Ada Author <ada@example.org> {when + n * 600} +0000")
        s.data(message.encode())
        if n > 1:
            s.line(f"from :{n - 1}")
        for old, new in renames:
            s.line(f'R "{old}" "{new}"')
        for path, body in touched.items():
            s.line(f"M 100644 inline {path}")
            s.data("".join(body).encode())
    s.line("done")

    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        sys.exit(f"{dest} is not empty; give a new directory")
    subprocess.run(["git", "init", "-q", "-b", "main", str(dest)], check=True)
    subprocess.run(["git", "fast-import", "--quiet", "--done"], cwd=dest, input=b"".join(s.parts), check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=dest, check=True)
    (dest / "paper" / "main.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n"
        + "".join(f"\\input{{{p[len('paper/'):-4]}}}\n" for p in sorted(files) if p.endswith(".tex"))
        + "\\end{document}\n"
    )
    (dest / "provenance.yaml").write_text("paper: {name: synth, main: paper/main.tex}\n")
    subprocess.run(["git", "add", "paper/main.tex", "provenance.yaml"], cwd=dest, check=True)
    subprocess.run(["git", "-c", "user.name=Ada Author", "-c", "user.email=ada@example.org", "-c", "commit.gpgsign=false",
                    "commit", "-q", "--no-verify", "-m", "Add main.tex and provenance.yaml"], cwd=dest, check=True)
    return sorted(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    a = parser.parse_args()
    files = generate(a.dir, a.commits, a.files, a.lines, a.seed)
    total = sum(len((a.dir / f).read_bytes().splitlines()) for f in files)
    print(f"{a.dir}: {a.commits + 1} commits, {len(files)} files, {total} lines")


if __name__ == "__main__":
    main()
