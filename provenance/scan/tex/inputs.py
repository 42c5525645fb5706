"""Handlers for the files LaTeX reads: \\input and its relatives (followed, in document
order), packages and classes in the repository (read for theorem definitions),
graphics and bibliographies (listed as dependencies)."""

from __future__ import annotations

import posixpath
import re

from provenance.scan.tex.lexer import arg, group, opt, strip_comments
from provenance.scan.tex.state import Token, Walk, handles
from provenance.scan.tex.units import TexFile

GRAPHIC_EXTS = (".pdf", ".png", ".jpg", ".mps", ".jpeg", ".jbig2", ".jb2", ".PDF", ".PNG", ".JPG", ".JPEG", ".eps")
# Classes that predefine theorem environments, for when the .cls is not in the repository.
_SPRINGER = ("case", "claim", "conjecture", "corollary", "definition", "example", "exercise", "lemma", "note",
             "problem", "property", "proposition", "question", "remark", "solution", "theorem")
CLASS_THEOREMS = {"llncs": _SPRINGER, "svjour3": _SPRINGER,
                  "acmart": ("theorem", "conjecture", "proposition", "lemma", "corollary", "example", "definition")}
_BARE_NAME = re.compile(r"[ \t]*([^\s{}%\\]+)")


def norm(base: str, name: str) -> str | None:
    """Repo-relative normal form of base/name, or None if it leaves the repository."""
    if not name or name.startswith("/") or re.match(r"[A-Za-z]:[\\/]", name):
        return None
    rel = posixpath.normpath(posixpath.join(base, name))
    return None if rel == ".." or rel.startswith("../") else rel


def find(w: Walk, bases: list[str], name: str, exts: tuple[str, ...], guess_ext: str = "") -> tuple[str | None, str | None]:
    """(the existing file LaTeX reads for `name`, else None; the path it most likely
    meant), trying each base directory and extension in LaTeX's order."""
    name = name.strip().strip('"')
    ext = posixpath.splitext(posixpath.basename(name))[1]
    cands = [name] if ext in exts else [name + e for e in exts] + [name]
    guess = None
    for base in dict.fromkeys(bases):
        for c in cands:
            rel = norm(base, c)
            if rel is not None and w.exists(rel):
                return rel, rel
        if guess is None:
            guess = norm(base, name if ext or not guess_ext else name + guess_ext)
    return None, guess


def follow(w: Walk, f: TexFile, start: int, name: str, bases: list[str], child_base: str,
           optional: bool = False) -> None:
    """Read the file an \\input-like command names, as LaTeX does at this point."""
    line = f.line(start)
    found, guess = find(w, bases, name, (".tex",), ".tex")
    fig = w.innermost(("figure", "table"))
    if fig is not None and guess:
        fig.includes.append(found or guess)
    if found is None:
        if not optional:
            w.missing.append(f"{f.rel}:{line}: {name.strip()}")
        return
    # A file with units of its own is a new stretch of the trace: this file's stretch
    # ends at the \input line and resumes after it.
    split = (w.trace.current(f.rel) is not None and not f.package and found not in w.visited
             and not found.startswith("build/"))
    if split:
        w.trace.close(line, by_input=True)
    w.active[f.rel] = (f, line)
    try:
        w.walk(found, child_base, package=f.package)
    finally:
        w.active.pop(f.rel, None)
        if split:
            w.trace.open(f.rel, line + 1)


@handles("input", in_packages=True)
def input_(w: Walk, f: TexFile, t: Token) -> int:
    g = group(f.text, t.end)
    if g is None:  # the TeX primitive form: \input file
        m = _BARE_NAME.match(f.text, t.end)
        if m is None:
            return t.end
        name, end = m.group(1), m.end()
    else:
        name, end = g[0], g[2]
    # A class or package that inputs a file the repository lacks reads it from the TeX
    # distribution (acmart.cls: \input{glyphtounicode}); only the paper's own are missing.
    follow(w, f, t.start, name, [f.base, w.cwd], f.base, optional=f.package)
    return end


@handles("InputIfFileExists", in_packages=True)
def input_if_exists(w: Walk, f: TexFile, t: Token) -> int:
    g = group(f.text, t.end)
    if g is None:
        return t.end
    follow(w, f, t.start, g[0], [f.base, w.cwd], f.base, optional=True)
    return g[2]  # the two branches after it are read as ordinary text


@handles("include", "subfile")
def include(w: Walk, f: TexFile, t: Token) -> int:
    return input_(w, f, t) if group(f.text, t.end) else t.end


@handles("import", "inputfrom", "includefrom", "subimport", "subinputfrom", "subincludefrom")
def import_(w: Walk, f: TexFile, t: Token) -> int:
    d, p = arg(f.text, t.end)
    name, end = arg(f.text, p)
    base = norm(f.base if t.word.startswith("sub") else w.cwd, d.strip()) or ""
    follow(w, f, t.start, name, [base], base)
    return end


@handles("includegraphics")
def includegraphics(w: Walk, f: TexFile, t: Token) -> int:
    o = opt(f.text, t.end)
    o2 = opt(f.text, o[2]) if o else None
    g = group(f.text, (o2 or o or (None, None, t.end))[2])
    if g is None:
        return t.end
    bases = [f.base] + [norm(w.cwd, p) or "" for p in w.graphicspath if p]
    found, guess = find(w, bases, g[0], GRAPHIC_EXTS)
    if found:
        w.other.append(found)
    fig = w.innermost(("figure", "table"))
    if fig is not None and guess:
        fig.includes.append(found or guess)
    return g[2]


@handles("graphicspath")
def graphicspath(w: Walk, f: TexFile, t: Token) -> int:
    g = group(f.text, t.end)
    if g is None:
        return t.end
    w.graphicspath = [""] + re.findall(r"\{([^{}]*)\}", g[0])
    return g[2]


@handles("usepackage", "RequirePackage", "LoadClass", in_packages=True)
@handles("documentclass")
def package(w: Walk, f: TexFile, t: Token) -> int:
    ext = ".cls" if t.word in ("documentclass", "LoadClass") else ".sty"
    o = opt(f.text, t.end)
    g = group(f.text, o[2] if o else t.end)
    if g is None:
        return t.end
    for name in (n.strip() for n in strip_comments(g[0]).split(",")):
        rel = norm(w.cwd, name + ext) if name else None
        if rel and w.exists(rel):
            w.walk(rel, w.cwd, package=True)
        elif ext == ".cls" and name in CLASS_THEOREMS:
            for env in CLASS_THEOREMS[name]:
                w.envs.setdefault(env, env.capitalize())
    return g[2]


@handles("bibliography", "addbibresource", "bibliographystyle")
def bibliography(w: Walk, f: TexFile, t: Token) -> int:
    pos = t.end
    if t.word == "addbibresource":
        o = opt(f.text, pos)
        pos = o[2] if o else pos
    exts = {"bibliography": (".bib",), "addbibresource": (), "bibliographystyle": (".bst",)}[t.word]
    g = group(f.text, pos)
    if g is None:
        return pos
    for name in (n.strip() for n in g[0].split(",")):
        found, _ = find(w, [w.cwd], name, exts)
        if found:
            w.other.append(found)
    return g[2]
