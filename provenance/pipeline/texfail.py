"""Why latexmk failed, in one line: which engine, how it ended (its exit status in words,
on which pass), the first error of the log as file:line, and where the log is.

latexmk runs each engine through a shell, so an engine killed by a signal shows as
return code 128+N ("Command for 'pdflatex' gave return code 139"); its "Run number P of
rule 'R'" lines say which pass it was. Errors in the log look like `./sec/a.tex:12: ...`
with -file-line-error, or `! ...` followed by `l.12 ...` without it.
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

_RUN = re.compile(r"^Run number (\d+) of rule '([^']+)'")
_RETURN = re.compile(r"Command for '([^']+)' gave return code (-?\d+)")
_FILE_LINE = re.compile(r"^(.+?\.(?:tex|sty|cls|ltx|bbl|def|cfg|clo|dtx|aux|toc|lof|lot)):(\d+): (.+)$")
_LINE_NO = re.compile(r"^l\.(\d+)")
# The log's first line names the program latexmk really ran ("This is XeTeX, ...
# (preloaded format=xelatex ...)"): a latexmkrc may run xelatex under the rule 'pdflatex'.
_FORMAT = re.compile(r"\(preloaded format=([A-Za-z-]+)")


def status_words(code: int) -> str:
    """An exit status as words: 'exited with status 1', 'crashed (signal 11, SIGSEGV)'."""
    if code > 128 or code < 0:
        num = code - 128 if code > 128 else -code
        try:
            name = signal.Signals(num).name
        except ValueError:
            name = ""
        how = "was killed" if num in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT) else "crashed"
        return f"{how} (signal {num}{', ' + name if name else ''})"
    return f"exited with status {code}"


def engine_run(output: str) -> tuple[str | None, int | None, int | None]:
    """(engine rule, pass number, return code) of the last engine run latexmk reports."""
    rule = passes = code = None
    for line in output.splitlines():
        m = _RUN.match(line.strip())
        if m and m.group(2) in ("pdflatex", "xelatex", "lualatex", "latex", "dvilualatex"):
            passes, rule = int(m.group(1)), m.group(2)
        r = _RETURN.search(line)
        if r and r.group(1) in ("pdflatex", "xelatex", "lualatex", "latex", "dvilualatex"):
            rule, code = r.group(1), int(r.group(2))
    return rule, passes, code


def first_error(log: Path, cwd: Path, root: Path) -> str | None:
    """The first error of a TeX log as `path:line: message`, the path relative to the
    repository root; None when the log has none (or there is no log)."""
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for i, line in enumerate(lines):
        m = _FILE_LINE.match(line)
        if m:
            return f"{_repo_path(m.group(1), cwd, root)}:{m.group(2)}: {m.group(3).strip()}"
        if line.startswith("! "):
            # A prompt error (a missing file) is followed by "./main.tex:42: Emergency stop."
            after = (_FILE_LINE.match(ln) for ln in lines[i + 1:i + 20])
            at = next((m for m in after if m), None)
            if at is not None:
                return f"{_repo_path(at.group(1), cwd, root)}:{at.group(2)}: {line[2:].strip()}"
            where = next((_LINE_NO.match(ln) for ln in lines[i + 1:i + 20] if _LINE_NO.match(ln)), None)
            return f"{line[2:].strip()}" + (f" (at line {where.group(1)})" if where else "")
    return None


def _program(log: Path) -> str | None:
    """The format the log says TeX ran (pdflatex, xelatex, lualatex), if it says."""
    try:
        with open(log, encoding="utf-8", errors="replace") as fh:
            m = _FORMAT.search(fh.readline())
    except OSError:
        return None
    return m.group(1) if m else None


def _repo_path(name: str, cwd: Path, root: Path) -> str:
    path = Path(name) if os.path.isabs(name) else cwd / name
    try:
        return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
    except ValueError:
        return name


def bib_reason(log: Path, output: str) -> str | None:
    """A BibTeX/biber error, or latexmk's own complaint (missing .bib, too many passes)."""
    try:
        blg = log.with_suffix(".blg").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        blg = []
    for line in blg:
        if "> ERROR - " in line:  # biber: "[12] Biber.pm:123> ERROR - Cannot find 'x.bib'!"
            return f"biber: {line.split('> ERROR - ', 1)[1].strip()}"
        if line.startswith(("I couldn't open", "I found no")):
            return f"BibTeX: {line.strip()}"
    lines = output.splitlines()
    for i, line in enumerate(lines[:-1]):
        if line.startswith("Bib file(s) not found in search path:"):
            return f"bibliography file not found: {lines[i + 1].strip()} (paths are relative to the main file's directory)"
        if line.startswith("Latexmk: Failure in processing file"):
            return f"latexmk: {lines[i + 1].strip()}"
    if "Collected error summary (may duplicate other messages):" in lines:
        first = lines[lines.index("Collected error summary (may duplicate other messages):") + 1:][:1]
        if first and ": " in first[0]:
            return "latexmk: " + first[0].strip().split(": ", 1)[1]
    return None


def explain(output: str, code: int, log: Path, cwd: Path, root: Path, main: str) -> str:
    """The one line for a failed latexmk run."""
    rule, passes, engine_code = engine_run(output)
    where = f" on pass {passes}" if passes else ""
    error = first_error(log, cwd, root)
    if rule and engine_code is not None:
        head = f"{_program(log) or rule} {status_words(engine_code)}{where} compiling {main}"
        if engine_code > 128 and error is None:
            error = "the log ends without an error message"
    else:
        head = f"latexmk failed on {main}"
    reason = bib_reason(log, output) if error is None else None
    detail = error or reason or "no error line found in the log"
    rel = Path(os.path.relpath(log, root)).as_posix()
    return f"{head}: {detail} (log: {rel})"
