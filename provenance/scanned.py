"""What scan/ finds in the sources: a `paperprov:` declaration (`Marker`) and a piece of
the paper or its code that provenance is recorded for (`Unit`), with the unit kinds.
Apart from model.py (which re-exports them) because the lint hook walks the paper on
every commit and needs only these of the model's dataclasses (1-2 ms each to make)."""

from __future__ import annotations

from dataclasses import dataclass

# Unit kinds. Theorem-like environments all have kind "statement" and keep their
# environment name in `env` and their printed name ("Lemma") in `display`.
SECTION_KINDS = ("part", "chapter", "section", "subsection", "subsubsection")  # outermost first
CODE_KINDS = ("module", "function", "class")


@dataclass(frozen=True)
class Marker:
    """A `paperprov:` declaration in a source file. `fields` keeps order and repeats
    (several `check=` are allowed)."""

    file: str
    line: int
    fields: tuple[tuple[str, str], ...]

    def get(self, key: str) -> str | None:
        for k, v in self.fields:
            if k == key:
                return v
        return None

    def get_all(self, key: str) -> tuple[str, ...]:
        return tuple(v for k, v in self.fields if k == key)


@dataclass(frozen=True)
class Unit:
    """A piece of the paper or its code that provenance is recorded for.

    id: the unit's label when it has one, else a stable id from its file, kind and title
        such as `paper/main.tex#section:introduction`, or `experiments/chain.py::run_chain`.
    lines: 1-based inclusive (start, end) in `file` (a repo-relative POSIX path): where
        the unit starts (a section's heading) to its last line in that file.
    extents: every (file, first, last) range it covers in reading order, when more than
        `lines` of `file` (a section \\input from other files); `spans` gives them either way.
    parent: for a proof, the id of the statement it proves; for other units, the
        enclosing section's id, or None.
    uses: labels this unit depends on (explicit \\uses plus refs inside proofs).
    includes: repo-relative paths of files a figure/table pulls in (experiment outputs).
    """

    id: str
    kind: str
    file: str
    lines: tuple[int, int]
    title: str = ""
    label: str | None = None
    env: str = ""
    display: str = ""
    parent: str | None = None
    uses: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()
    markers: tuple[Marker, ...] = ()
    formal: tuple[str, ...] = ()  # formal proofs named in the source: "coq:NAME", "lean:NAME"
    leanok: bool = False  # leanblueprint's \leanok: the authors say the formalisation is done
    extents: tuple[tuple[str, int, int], ...] = ()

    @property
    def spans(self) -> tuple[tuple[str, int, int], ...]:
        """Every (file, first line, last line) the unit covers, in reading order."""
        return self.extents or ((self.file, self.lines[0], self.lines[1]),)

    @property
    def size(self) -> int:
        """How many lines the unit covers, in all its files."""
        return sum(b - a + 1 for _, a, b in self.spans)
