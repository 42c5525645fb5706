"""`paperprov status` as a user runs it, on book-scale and paper-scale histories.

    python benchmarks/status_bench.py [--book DIR] [--paper DIR] [--runs 3] [--serve]

Both repositories are made by synth_book.py when DIR does not exist yet (the book:
10,000 commits, 200 .tex files, ~740k lines, ~40k units; the paper: 2,000 commits,
300 files, ~100k lines). Every figure is a whole process, timed from outside with
os.wait4 (wall seconds and peak resident memory), the median of --runs, each next to
its baseline measured in the same run; each status is started a quarter second (--settle)
after what came before it (an author's edit takes longer), and --edits repeats the
edits below in each round for more samples of them:

  blame     `git blame --porcelain` of every .tex file, one process after another
            (what any tool that attributes lines must at least do, without caches)
  cold      `paperprov status --json` with no cache of ours (.git/paperprov and
            build/.paperprov removed, git's commit-graph removed)
  warm      the same again, nothing changed
  reword    after rewording a line of prose in the middle chapter (a sentence added to it)
  insert    after then adding a sentence there on a line of its own
  edit      after then appending a line to that chapter
  table     `paperprov status` (the table), after then appending one more line
  commit    after committing those edits (status saw them); the commit is then taken back
  python    `python -c pass`, the floor of any command

Without --serve every status runs in its own process (PAPERPROV_SERVER=off). With
--serve, the paper-scale history is measured a second time as a status runs by default
(PAPERPROV_SERVER=auto, a runtime directory of the benchmark's own): the first cold status
runs in-process and starts `paperprov serve` (cli/main.py), which answers every later one
(cli/serve.py: each handed to a forked child of a server that has paperprov imported and
has read ahead what the last status wrote); the server's own peak memory is given.

Peak memory is given twice: of paperprov's own process (what its data costs), and of
the whole process tree (git's processes included: their resident size counts the pack
files git maps, 330 MiB for one `git log` on the book).

Targets (issue 14): cold <= 1.0x blame; warm <= 1.0 s and edit <= 2.0 s on the book,
peak memory <= 300 MiB; edit <= 0.3 s on the paper. An edit is a reword, an inserted or an appended
line: the first keeps the paper's walk, the second moves its lines (scan/tex/edits.py);
the third follows the chapter's closing `\\end{proof}`, which ends a unit there, so the
paper is walked again (a line added after a line of prose keeps the walk).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable


# `python -m provenance ARGS`, which also writes its own peak RSS (KiB) to $RSS_OUT.
OWN_RSS = ("import os, resource, runpy, sys\n"
           "sys.argv = ['paperprov'] + sys.argv[1:]\n"
           "try:\n    runpy.run_module('provenance', run_name='__main__')\n"
           "finally:\n    open(os.environ['RSS_OUT'], 'w').write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))\n")


def run(cmd: list[str], cwd: Path) -> tuple[float, float, float]:
    """(wall seconds, peak RSS of the process tree, of the process itself, in MiB) of one
    whole process, output discarded."""
    import time

    fd, own = tempfile.mkstemp()
    os.close(fd)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "RSS_OUT": own})
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        sys.exit(f"{' '.join(cmd)} failed in {cwd}: {err.strip()[-500:]}")
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024
    own_kib = float(Path(own).read_text() or 0)
    os.unlink(own)
    return wall, usage.ru_maxrss / scale, own_kib / scale


def settled(cmd: list[str], cwd: Path, settle: float) -> Sample:
    """run(cmd) after `settle` seconds: an author's edit takes longer than the script's,
    and what the last command left for the machine to do (the kernel's writeback of the
    caches it wrote; a server's read-ahead) would otherwise be timed with the next one."""
    import time

    time.sleep(settle)
    return run(cmd, cwd)


def blame_all(root: Path) -> tuple[float, float, float]:
    import time

    files = sorted(str(p.relative_to(root)) for p in (root / "paper").rglob("*.tex"))
    start = time.perf_counter()
    for f in files:
        subprocess.run(["git", "blame", "--porcelain", "--", f], cwd=root, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start, 0.0, 0.0


def forget(root: Path) -> None:
    """Every cache of ours, and git's commit-graph (which our first run writes)."""
    for d in (root / ".git" / "paperprov", root / "build" / ".paperprov", root / ".git" / "objects" / "info" / "commit-graphs"):
        shutil.rmtree(d, ignore_errors=True)
    (root / ".git" / "objects" / "info" / "commit-graph").unlink(missing_ok=True)


Sample = tuple[float, float, float]  # wall seconds, peak MiB of the tree, of the process


def median(samples: list[Sample]) -> Sample:
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples), max(s[2] for s in samples)


def measure(root: Path, runs: int, served: bool = False, settle: float = 0.25, edits: int = 1) -> dict[str, Sample]:
    if served:
        with serving() as peak:
            out = measure(root, runs, settle=settle, edits=edits)
            out["server"] = (0.0, 0.0, peak())  # before the server is stopped
        return out
    status = [PY, "-c", OWN_RSS, "status", "--json"]
    chapters = sorted((root / "paper" / "chapters").rglob("*.tex"))
    chapter = chapters[len(chapters) // 2]  # one in the middle of the paper
    original = chapter.read_bytes()
    out: dict[str, list[Sample]] = {k: [] for k in ("python", "blame", "cold", "warm", "reword", "insert", "edit", "table", "commit")}
    try:
        for i in range(runs):
            out["python"].append(run([PY, "-c", "pass"], root))
            forget(root)
            out["blame"].append(blame_all(root))
            forget(root)
            out["cold"].append(run(status, root))
            out["warm"].append(settled(status, root, settle))
            for j in range(edits):
                edit_cycle(root, chapter, f"{i}.{j}", settle, out)
            # Commit the edits status has seen, as an author does next; then take the
            # commit back (the next round starts with no cache of ours anyway).
            subprocess.run(["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.org", "commit", "-q",
                            "--no-verify", "-m", "Bench edit\n\nAssisted-by: none", "--", str(chapter)],
                           cwd=root, check=True)
            out["commit"].append(settled(status, root, settle))
            subprocess.run(["git", "reset", "-q", "--soft", "HEAD~1"], cwd=root, check=True)
            chapter.write_bytes(original)
            subprocess.run(["git", "reset", "-q", "--", str(chapter)], cwd=root, check=True)
    finally:
        chapter.write_bytes(original)
    return {k: median(v) for k, v in out.items()}


def edit_cycle(root: Path, chapter: Path, tag: str, settle: float, out: dict[str, list[Sample]]) -> None:
    """Reword a line of prose in the chapter's second half, add a sentence on a line of
    its own after it, append a line at the chapter's end, append one more and time the
    table: each edit on the last, `status --json` timed after each."""
    status = [PY, "-c", OWN_RSS, "status", "--json"]
    lines = chapter.read_bytes().decode().split("\n")
    prose = next(i for i in range(len(lines) // 2, len(lines)) if lines[i][:1].isalpha())
    reworded = lines[:prose] + [f"{lines[prose]} Indeed, {tag}."] + lines[prose + 1:]
    chapter.write_bytes("\n".join(reworded).encode())
    out["reword"].append(settled(status, root, settle))
    inserted = reworded[:prose + 1] + [f"A sentence on a line of its own, {tag}."] + reworded[prose + 1:]
    chapter.write_bytes("\n".join(inserted).encode())
    out["insert"].append(settled(status, root, settle))
    appended = inserted + [f"One more sentence, edit {tag}."]
    chapter.write_bytes("\n".join(appended).encode())
    out["edit"].append(settled(status, root, settle))
    chapter.write_bytes("\n".join(appended + [f"And one more, edit {tag}."]).encode())
    out["table"].append(settled([PY, "-c", OWN_RSS, "status"], root, settle))


@contextmanager
def serving() -> Iterator[Callable[[], float]]:
    """PAPERPROV_SERVER=auto on a runtime directory of its own, for what runs meanwhile
    (the first slow status starts the server); yields a function giving the server's peak
    resident memory so far, in MiB. The server is stopped at the end."""
    runtime = tempfile.mkdtemp(prefix="ppb", dir="/tmp")
    was = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = runtime
    os.environ["PAPERPROV_SERVER"] = "auto"
    log = Path(runtime) / "paperprov" / "serve.log"

    def peak() -> float:
        pid = log.read_text().split("(pid ")[1].split(")")[0] if log.exists() else ""
        for line in Path(f"/proc/{pid}/status").read_text().splitlines() if pid else ():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    try:
        yield peak
    finally:
        subprocess.run([PY, "-m", "provenance", "serve", "--stop"], capture_output=True)
        os.environ["PAPERPROV_SERVER"] = "off"
        if was is None:
            os.environ.pop("XDG_RUNTIME_DIR", None)
        else:
            os.environ["XDG_RUNTIME_DIR"] = was
        shutil.rmtree(runtime, ignore_errors=True)


def ensure(dest: Path | None, args: list[str], name: str) -> Path:
    if dest is not None and dest.exists():
        return dest
    target = dest or Path(tempfile.mkdtemp(prefix=f"paperprov-{name}-")) / name
    print(f"generating {target} ({' '.join(args)}) ...", flush=True)
    subprocess.run([PY, str(HERE / "synth_book.py"), str(target), *args], check=True)
    return target


def report(title: str, m: dict[str, Sample]) -> None:
    blame = m["blame"][0]
    print(f"\n{title}")
    print(f"  python -c pass        {m['python'][0]:7.3f} s")
    print(f"  sequential git blame  {blame:7.3f} s")
    for k in ("cold", "warm", "reword", "insert", "edit", "table", "commit"):
        wall, tree, own = m[k]
        print(f"  status {k:<6}         {wall:7.3f} s  = {wall / blame:5.2f}x blame   "
              f"peak {own:4.0f} MiB (process tree, git included: {tree:4.0f} MiB)")
    if "server" in m:
        print(f"  the server's own peak {m['server'][2]:4.0f} MiB (each status above: its client's process)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=Path)
    parser.add_argument("--paper", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--serve", action="store_true", help="also measure the paper as status runs by default: "
                        "the cold status starts a server that answers the later ones")
    parser.add_argument("--no-book", action="store_true", help="the paper-scale history only")
    parser.add_argument("--settle", type=float, default=0.25,
                        help="seconds between an edit and the status timed after it (default 0.25)")
    parser.add_argument("--edits", type=int, default=1, help="edit cycles per round (each timed; default 1)")
    a = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_NOFILE, resource.getrlimit(resource.RLIMIT_NOFILE))
    os.environ["PAPERPROV_SERVER"] = "off"  # each status in its own process, unless measured --serve
    paper = ensure(a.paper, ["--commits", "2000", "--files", "300", "--lines", "100000"], "paper")
    book = None if a.no_book else ensure(a.book, [], "book")
    report(f"paper-scale history ({paper})", measure(paper, a.runs, settle=a.settle, edits=a.edits))
    if a.serve:
        report(f"paper-scale history, a server started by the cold status ({paper})", measure(paper, a.runs, served=True, settle=a.settle, edits=a.edits))
    if book is not None:
        report(f"book-scale history ({book})", measure(book, a.runs, settle=a.settle, edits=a.edits))


if __name__ == "__main__":
    main()
