"""Ask Coq whether the linked names are proved: compile the development, then `Print
Assumptions` for each name.

The development is copied into build/formal/coq/src/ and compiled there with
`coqc -Q . LOGICAL FILE.v`, in the order `coqdep` gives, so the .vo/.glob files never
land in the repository's working tree (which would make it dirty). A file is compiled
again only when it, or a file it requires, changed since its .vo was made (sha256 of
the sources, remembered in build/formal/coq/state.json with the Coq version); the
answers are reused while the development and the names are the same.

One generated query.v does `Require Import` of every module and, per name, `Locate Term`
(the full name) and `Print Assumptions` (what the proof rests on), separated by marker
lines. A name Coq does not know stops coqc at its line: it is `missing`, and the query
runs again without it. The axioms listed are located too, to tell an admitted lemma of
the development (`admitted`) from a real axiom (`axioms`, unless allowed).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from provenance.config.formal import CoqProject, coq_files
from provenance.errors import BuildError
from provenance.fsutil import write_text_atomic
from provenance.model import FormalResult

WORKDIR = "build/formal/coq"
TIMEOUT = 900.0  # seconds for one coqc run; a proof search that loops must not hang the build
_SEP = "@@paperprov"
_ERROR = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)[^\n]*:\n(?P<rest>(?:Error|Anomaly)[^\n]*(?:\n(?!File ")[^\n]+)*)')
_DECL = re.compile(r"^\s*(?:#\[[^\]]*\]\s*)?(?:(?:Local|Global|Polymorphic|Monomorphic)\s+)*"
                   r"(?:Axioms?|Parameters?|Conjectures?|Hypothes[ie]s|Variables?)\s+(?P<rest>.*)", re.S)


@dataclass(frozen=True)
class _Dev:
    root: Path  # the repository
    project: CoqProject
    src: Path  # the copy the compiler sees
    files: tuple[str, ...]  # relative to the development's root
    digests: dict[str, str]

    def repo_path(self, rel: str) -> str:
        rel = rel[2:] if rel.startswith("./") else rel
        return rel if self.project.root == "." else f"{self.project.root}/{rel}"

    def module(self, rel: str) -> str:
        return self.project.logical + "." + rel[:-2].replace("/", ".")


def coq_version() -> str | None:
    exe = shutil.which("coqc")
    if exe is None:
        return None
    proc = subprocess.run([exe, "--print-version"], capture_output=True, text=True, timeout=60)
    return proc.stdout.strip() or None


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise BuildError(f"{' '.join(cmd[:1] + cmd[-1:])} did not finish within {TIMEOUT:g} s; "
                         "shorten the proof search or split the file") from None


def _sync(root: Path, project: CoqProject) -> _Dev:
    src = root / WORKDIR / "src"
    rels = [Path(f).relative_to(project.root).as_posix() if project.root != "." else f for f in coq_files(root, project)]
    digests: dict[str, str] = {}
    for rel in rels:
        data = (root / project.root / rel).read_bytes()
        digests[rel] = hashlib.sha256(data).hexdigest()
        copy = src / rel
        if not copy.is_file() or copy.read_bytes() != data:
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(data)
    if src.is_dir():  # a file gone from the development takes its objects with it
        for old in src.rglob("*.v"):
            if old.relative_to(src).as_posix() not in digests:
                for p in old.parent.glob(old.stem + ".*"):
                    p.unlink()
    return _Dev(root, project, src, tuple(rels), digests)


def _order(dev: _Dev) -> tuple[list[str], dict[str, list[str]]]:
    """The files in an order that compiles (each after what it requires), and their deps."""
    proc = _run(["coqdep", "-Q", ".", dev.project.logical, *dev.files], dev.src)
    deps: dict[str, list[str]] = {f: [] for f in dev.files}
    for line in proc.stdout.splitlines():
        targets, _, needs = line.partition(":")
        first = targets.split()[0] if targets.split() else ""
        if not first.endswith(".vo") or first[:-3] + ".v" not in deps:
            continue
        for n in needs.split():
            if n.endswith(".vo") and n[:-3] + ".v" in deps:
                deps[first[:-3] + ".v"].append(n[:-3] + ".v")
    order: list[str] = []
    done: set[str] = set()

    def visit(f: str, path: tuple[str, ...]) -> None:
        if f in done or f in path:  # a cycle: coqc itself will say so
            return
        for d in sorted(deps[f]):
            visit(d, path + (f,))
        done.add(f)
        order.append(f)

    for f in sorted(deps):
        visit(f, ())
    return order, deps


def first_error(dev: _Dev, output: str, fallback: str) -> str:
    """`file:line: message` of coqc's first error, with the repository's path."""
    m = _ERROR.search(output)
    if m is not None:
        message = " ".join(m.group("rest").split())
        message = re.sub(r"^Error:\s*", "", message)
        return f"{dev.repo_path(m.group('file'))}:{m.group('line')}: {message}"[:300]
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    err = next((ln for ln in lines if ln.startswith(("Error", "Anomaly"))), lines[-1] if lines else "coqc failed")
    err = re.sub(r"^Error:\s*", "", err)
    return f"{dev.repo_path(fallback)}: {err}"[:300]


def _compile(dev: _Dev, state: dict[str, object]) -> tuple[list[str], list[str], str | None]:
    """Compile what changed; (every file in build order, files compiled, the first error or None)."""
    order, deps = _order(dev)
    made = state.get("files") if isinstance(state.get("files"), dict) else {}
    assert isinstance(made, dict)
    dirty: set[str] = set()
    for f in order:
        vo = dev.src / (f[:-2] + ".vo")
        if made.get(f) != dev.digests[f] or not vo.is_file() or any(d in dirty for d in deps[f]):
            dirty.add(f)
    for f in dirty:  # a stale object must never satisfy a Require after a failed compile
        (dev.src / (f[:-2] + ".vo")).unlink(missing_ok=True)
        made.pop(f, None)
    compiled: list[str] = []
    for f in order:
        if f not in dirty:
            continue
        proc = _run(["coqc", "-q", "-Q", ".", dev.project.logical, f], dev.src)
        if proc.returncode != 0:
            state["files"] = made
            return order, compiled, first_error(dev, proc.stderr + "\n" + proc.stdout, f)
        made[f] = dev.digests[f]
        compiled.append(f)
    state["files"] = made
    return order, compiled, None


def _chunks(stdout: str) -> dict[str, str]:
    out: dict[str, str] = {}
    key = None
    for line in stdout.splitlines():
        if line.startswith(_SEP + " "):
            key = line[len(_SEP) + 1:].strip()
            out[key] = ""
        elif key is not None:
            out[key] += line + "\n"
    return out


def _query(dev: _Dev, mods: Sequence[str], commands: Sequence[tuple[str, str]]) -> tuple[dict[str, str], str | None, str]:
    """Run `commands` ((tag, sentence) pairs) after importing every module; (output per
    tag, the tag of the sentence coqc stopped at or None, its error message)."""
    lines = [f"Require Import {m}." for m in mods]
    at: dict[int, str] = {}
    for tag, sentence in commands:
        lines.append(f'Goal True. idtac "{_SEP} {tag}". Abort.')
        lines.append(sentence)
        at[len(lines)] = tag
    query = dev.root / WORKDIR / "query.v"
    query.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = _run(["coqc", "-q", "-Q", "src", dev.project.logical, "query.v"], query.parent)
    if proc.returncode == 0:
        return _chunks(proc.stdout), None, ""
    m = _ERROR.search(proc.stderr)
    if m is None or m.group("file").lstrip("./") != "query.v" or int(m.group("line")) not in at:
        raise BuildError(f"{WORKDIR}/query.v: Coq failed on the generated query: "
                         f"{' '.join(proc.stderr.split())[:300]}; report this as a paperprov bug")
    return _chunks(proc.stdout), at[int(m.group("line"))], " ".join(m.group("rest").split()).removeprefix("Error: ")


def _full_name(located: str) -> str | None:
    first = located.strip().splitlines()[0] if located.strip() else ""
    parts = first.split()
    return parts[1] if len(parts) >= 2 and not first.startswith("No ") else None


def _assumptions(printed: str) -> tuple[list[str], list[str]]:
    """(axioms, other assumptions) that `Print Assumptions` lists. Other assumptions
    (type-in-type, unchecked fixpoints or positivity) are never allowed; they carry
    the heading they came under."""
    axioms: list[str] = []
    other: list[str] = []
    heading = ""
    for line in printed.splitlines():
        if not line.strip() or line.startswith((" ", "\t")) or "Closed under the global context" in line:
            continue
        if line.rstrip().endswith(":") and " : " not in line:
            heading = line.strip().rstrip(":")
            continue
        name = line.split(" : ", 1)[0].strip()
        if heading in ("Axioms", ""):
            axioms.append(name)
        elif heading != "Section Variables":
            other.append(f"{name} ({heading.lower()})")
    return axioms, other


def _declared_axioms(dev: _Dev) -> set[str]:
    """Full names the development declares as axioms (Axiom, Parameter, Conjecture...)."""
    found: set[str] = set()
    for rel in dev.files:
        text = (dev.src / rel).read_text(encoding="utf-8", errors="replace")
        text = _strip_comments(text)
        for sentence in re.split(r"\.(?=\s|$)", text):
            m = _DECL.match(sentence)
            if m:
                head = re.sub(r"\([^()]*?:", " ", m.group("rest")).split(":")[0]
                for name in re.findall(r"[^\W\d][\w']*", head):
                    found.add(f"{dev.module(rel)}.{name}")
    return found


def _strip_comments(text: str) -> str:
    out, depth, i = [], 0, 0
    while i < len(text):
        if text.startswith("(*", i):
            depth, i = depth + 1, i + 2
        elif depth and text.startswith("*)", i):
            depth, i = depth - 1, i + 2
        else:
            if not depth:
                out.append(text[i])
            i += 1
    return "".join(out)


def _load_state(root: Path) -> dict[str, object]:
    try:
        state = json.loads((root / WORKDIR / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _allowed(full: str, own: bool, allow: Sequence[str]) -> bool:
    """An axiom from outside the development matches an allow-list entry by its full name
    or a dotted suffix of it (`classic`, `Classical_Prop.classic`); one the development
    declares itself only by its full name, so a short name cannot let it through."""
    if own:
        return full in allow
    return any(full == a or full.endswith("." + a) for a in allow)


def _locate(dev: _Dev, mods: Sequence[str], names: Sequence[str]) -> dict[str, str]:
    if not names:
        return {}
    out, _, _ = _query(dev, mods, [(f"x{i}", f"Locate Term {n}.") for i, n in enumerate(names)])
    return {n: _full_name(out.get(f"x{i}", "")) or n for i, n in enumerate(names)}


def _verdict(link: str, full: str, printed: str, located: dict[str, str], dev: _Dev,
             declared: set[str]) -> FormalResult:
    axioms, other = _assumptions(printed)
    admitted, bad, fine = [], list(other), []
    for ax in axioms:
        where = located.get(ax, ax)
        own = where.startswith(dev.project.logical + ".")
        if own and where not in declared:
            admitted.append(where)
        elif _allowed(where, own, dev.project.allow_axioms):
            fine.append(where)
        else:
            bad.append(where)
    if admitted:
        return FormalResult(link, "admitted", tuple(admitted + bad), full)
    if bad:
        return FormalResult(link, "axioms", tuple(bad), full)
    return FormalResult(link, "proved", tuple(fine), full)


def _answer(dev: _Dev, order: Sequence[str], names: Sequence[str]) -> dict[str, FormalResult]:
    mods = [dev.module(f) for f in order]
    results: dict[str, FormalResult] = {}
    pending = list(names)
    while True:
        commands = [c for i, n in enumerate(pending)
                    for c in ((f"n{i}", f"Locate Term {n}."), (f"a{i}", f"Print Assumptions {n}."))]
        out, failed, msg = _query(dev, mods, commands) if pending else ({}, None, "")
        if failed is None:
            break
        name = pending.pop(int(failed[1:]))
        results[name] = FormalResult(f"coq:{name}", "missing", (), f"no such name in the development: {msg}"[:300])
    printed = {n: out.get(f"a{i}", "") for i, n in enumerate(pending)}
    axioms = sorted({ax for p in printed.values() for ax in _assumptions(p)[0]})
    located = _locate(dev, mods, axioms)
    declared = _declared_axioms(dev)
    for i, n in enumerate(pending):
        full = _full_name(out.get(f"n{i}", "")) or n
        results[n] = _verdict(f"coq:{n}", full, printed[n], located, dev, declared)
    return results


def check(root: Path, project: CoqProject, names: Sequence[str]) -> tuple[dict[str, FormalResult], list[str]]:
    """Each name's status, and the files compiled this time (repo-relative)."""
    root = Path(root)
    version = coq_version()
    if version is None:
        why = "coqc not found on PATH; install Coq (Debian: apt-get install coq) and rebuild"
        return {n: FormalResult(f"coq:{n}", "not-run", (), why) for n in names}, []
    dev = _sync(root, project)
    state = _load_state(root)
    if state.get("version") != version or state.get("logical") != project.logical:
        state = {}
    order, compiled, error = _compile(dev, state)
    state.update(version=version, logical=project.logical)
    if error is not None:
        state.pop("answers", None)
        results = {n: FormalResult(f"coq:{n}", "failed", (), error) for n in names}
    else:
        key = hashlib.sha256(json.dumps([sorted(dev.digests.items()), sorted(names), project.allow_axioms]).encode()).hexdigest()
        cached = state.get("answers")
        if isinstance(cached, dict) and cached.get("key") == key:
            results = {n: FormalResult(r["link"], r["status"], tuple(r["axioms"]), r["detail"])
                       for n, r in cached["results"].items()}
        else:
            results = _answer(dev, order, names)
            state["answers"] = {"key": key, "results": {n: {"link": r.link, "status": r.status, "axioms": list(r.axioms),
                                                            "detail": r.detail} for n, r in results.items()}}
    write_text_atomic(root / WORKDIR / "state.json", json.dumps(state, sort_keys=True, indent=1) + "\n")
    return {n: results[n] for n in names}, [dev.repo_path(f) for f in compiled]
