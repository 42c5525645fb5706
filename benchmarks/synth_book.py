"""Generate a book-scale paper repository with a long history, for the status benchmarks.

    python benchmarks/synth_book.py DIR [--commits 10000] [--files 200] [--lines 740000] [--seed 1]

The shape of the Stacks project, the largest paper repository we adopted: a main file
that \\input's --files chapter files (200: the Stacks project has 116 larger ones; smaller
files keep the generated history a few GB rather than ten) of sections, subsections and theorem-like statements
with labels and proofs, about --lines lines and more than 30,000 units at HEAD, and
--commits commits, a third of them AI-tagged in the forms the record reads
(Assisted-by, a Claude Co-authored-by trailer, an aider author name). Statements rest on
earlier ones through \\uses; some are linked to claim checks in provenance.yaml; after
the history is written, `paperprov review` records reviews of some statements, so the
record has review notes to read. The history is streamed into `git fast-import`, so
it takes seconds, not hours. Same arguments, same repository.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from pathlib import Path
from typing import IO

AI_FORMS = (
    ("Ada Author", "\n\nAssisted-by: claude-code:claude-opus-4-1\n"),
    ("Ada Author", "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"),
    ("Ada Author (aider)", "\n"),
    ("Ada Author", "\n\nAssisted-by: codex:gpt-5\n"),
)
ENVS = ("lemma", "lemma", "lemma", "proposition", "theorem", "definition", "remark")
PREAMBLE = ("\\documentclass{book}\n\\usepackage{amsthm}\n\\usepackage{paperprov}\n"
            + "".join(f"\\newtheorem{{{e}}}{{{e.capitalize()}}}\n" for e in sorted(set(ENVS)))
            + "\\begin{document}\n")


class Book:
    """The current text of every chapter as a list of blocks (a block is a list of lines),
    so edits keep the LaTeX well formed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.counter = 0
        self.labels: list[str] = []

    def sentence(self) -> str:
        self.counter += 1
        n = self.counter
        return f"Estimate {n} bounds the error by $C_{{{n}}} \\le {self.rng.randint(1, 99)}$.\n"

    def statement(self, chapter: int) -> list[str]:
        self.counter += 1
        env = self.rng.choice(ENVS)
        label = f"{env[:3]}:c{chapter}-{self.counter}"
        head = [f"\\begin{{{env}}}[Claim {self.counter}]\\label{{{label}}}\n"]
        if self.labels and self.rng.random() < 0.4:  # rests on one or two earlier results
            used = self.rng.sample(self.labels[-200:], min(len(self.labels[-200:]), self.rng.randint(1, 2)))
            head.append(f"\\uses{{{','.join(used)}}}\n")
        body = [self.sentence() for _ in range(self.rng.randint(3, 10))]
        block = head + body + [f"\\end{{{env}}}\n"]
        if env != "definition":
            block += ["\\begin{proof}\n"] + [self.sentence() for _ in range(self.rng.randint(8, 40))] + ["\\end{proof}\n"]
        self.labels.append(label)
        return block + ["\n"]

    def section(self, chapter: int, level: str, statements: int) -> list[str]:
        self.counter += 1
        out = [f"\\{level}{{Part {self.counter}}}\\label{{sec:c{chapter}-{self.counter}}}\n"]
        out += [self.sentence() for _ in range(self.rng.randint(5, 30))] + ["\n"]
        for _ in range(statements):
            out += self.statement(chapter)
        return out

    def chapter(self, chapter: int, target_lines: int) -> list[list[str]]:
        blocks: list[list[str]] = []
        total = 0
        while total < target_lines:
            level = "section" if not blocks or self.rng.random() < 0.3 else "subsection"
            block = self.section(chapter, level, self.rng.randint(1, 4))
            blocks.append(block)
            total += len(block)
        return blocks

    def edit(self, chapter: int, blocks: list[list[str]]) -> None:
        """One author's edit of a chapter: reword lines, add a result, or drop one."""
        op = self.rng.random()
        i = self.rng.randrange(len(blocks))
        block = blocks[i]
        if op < 0.7:  # reword a few sentences inside one block
            for _ in range(self.rng.randint(1, 4)):
                j = self.rng.randrange(len(block))
                if block[j].startswith("Estimate"):
                    block[j] = self.sentence()
        elif op < 0.95:  # a new subsection with new results
            blocks.insert(i + 1, self.section(chapter, "subsection", self.rng.randint(1, 3)))
        elif len(blocks) > 3:
            del blocks[i]


def _stream(book: Book, chapters: dict[str, list[list[str]]], commits: int, rng: random.Random, sink: IO[bytes]) -> None:
    """Write the history to git fast-import's standard input, one commit at a time."""

    def data(payload: bytes) -> None:
        sink.write(b"data %d\n" % len(payload) + payload + b"\n")

    when = 1_600_000_000
    names = sorted(chapters)
    for n in range(1, commits + 1):
        touched = names if n == 1 else rng.sample(names, 1 if rng.random() < 0.8 else 2)
        if n > 1:
            for path in touched:
                book.edit(int(path[-7:-4]), chapters[path])
        ai = n % 3 == 0
        author, trailer = AI_FORMS[(n // 3) % len(AI_FORMS)] if ai else ("Ada Author", "\n")
        sink.write(f"commit refs/heads/main\nmark :{n}\n"
                   f"author {author} <ada@example.org> {when + n * 600} +0000\n"
                   f"committer Ada Author <ada@example.org> {when + n * 600} +0000\n".encode())
        data(f"Edit {n}: revise {len(touched)} chapter(s)\n{trailer}".encode())
        if n > 1:
            sink.write(f"from :{n - 1}\n".encode())
        for path in touched:
            sink.write(f"M 100644 inline {path}\n".encode())
            data("".join(line for block in chapters[path] for line in block).encode())
    sink.write(b"done\n")


def _finish(dest: Path, chapters: dict[str, list[list[str]]], labels: list[str], rng: random.Random) -> None:
    """main.tex, paperprov.sty, provenance.yaml with claim checks, and the checks themselves."""
    checked = sorted(rng.sample([lb for lb in labels if lb.startswith(("lem", "the"))], 60))
    (dest / "paper" / "main.tex").write_text(
        PREAMBLE + "".join(f"\\input{{{p[len('paper/'):-4]}}}\n" for p in sorted(chapters)) + "\\end{document}\n")
    (dest / "paper" / "paperprov.sty").write_text("\\ProvidesPackage{paperprov}\n\\providecommand{\\uses}[1]{}\n")
    tests = "".join(f"def test_claim_{i}():\n    assert {i} + 1 > {i}\n\n\n" for i in range(len(checked)))
    (dest / "tests" / "claims").mkdir(parents=True)
    (dest / "tests" / "claims" / "test_book.py").write_text(tests)
    checks = "".join(f"  {lb}: [tests/claims/test_book.py::test_claim_{i}]\n" for i, lb in enumerate(checked))
    (dest / "provenance.yaml").write_text(
        "paper: {name: book, main: paper/main.tex}\nauthors:\n  - {name: Ada Author, email: ada@example.org}\n"
        "checks:\n" + checks)
    identity = ["-c", "user.name=Ada Author", "-c", "user.email=ada@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    subprocess.run(["git", *identity, "commit", "-q", "--no-verify", "-m", "Add main.tex, checks and provenance.yaml\n\n"
                    "Assisted-by: none"], cwd=dest, check=True)


def _reviews(dest: Path, labels: list[str], rng: random.Random) -> None:
    reviewed = sorted(rng.sample(labels[: len(labels) // 2], 150))
    env_cmd = [sys.executable, "-m", "provenance", "review", *reviewed, "--by", "Ada Author"]
    proc = subprocess.run(env_cmd, cwd=dest, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"recording reviews failed: {proc.stderr.strip()}")


def generate(dest: Path, commits: int = 10_000, nfiles: int = 200, total_lines: int = 740_000, seed: int = 1) -> None:
    rng = random.Random(seed)
    book = Book(rng)
    # The first commit holds ~85% of the final text; the history edits and adds the rest.
    chapters = {f"paper/chapters/ch{i:03d}.tex": book.chapter(i, int(total_lines * 0.85 / nfiles)) for i in range(nfiles)}
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        sys.exit(f"{dest} is not empty; give a new directory")
    subprocess.run(["git", "init", "-q", "-b", "main", str(dest)], check=True)
    importer = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=dest, stdin=subprocess.PIPE)
    assert importer.stdin is not None
    _stream(book, chapters, commits, rng, importer.stdin)
    importer.stdin.close()
    if importer.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=dest, check=True)
    live = set()
    for blocks in chapters.values():
        for block in blocks:
            for line in block:
                if "\\label{" in line and not line.startswith("\\section") and not line.startswith("\\subsection"):
                    live.add(line.split("\\label{", 1)[1].split("}", 1)[0])
    labels = [lb for lb in book.labels if lb in live]
    _finish(dest, chapters, labels, rng)
    _reviews(dest, labels, rng)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--lines", type=int, default=740_000)
    parser.add_argument("--seed", type=int, default=1)
    a = parser.parse_args()
    generate(a.dir, a.commits, a.files, a.lines, a.seed)
    tex = sorted((a.dir / "paper").rglob("*.tex"))
    total = sum(len(p.read_bytes().splitlines()) for p in tex)
    print(f"{a.dir}: {a.commits + 1} commits, {len(tex)} .tex files, {total} lines")


if __name__ == "__main__":
    main()
