"""`paperprov tag --ai AGENT:MODEL PATH[:START-END]...`: mark part of the staged work
as AI-written, finer than the whole commit. The tags wait in .git/paperprov/ until the
post-commit hook attaches them to the new commit as a note (refs/notes/paperprov)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from provenance.cli.commands import HELP

_RANGE = re.compile(r"^(?P<path>.+?):(?P<start>\d+)(?:-(?P<end>\d+))?$")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("tag", help=HELP["tag"])
    p.add_argument("--ai", required=True, metavar="AGENT:MODEL", help="who wrote them, e.g. claude-code:claude-opus-4-1")
    p.add_argument("paths", nargs="+", metavar="PATH[:START-END]", help="a staged file, optionally a line range")
    p.set_defaults(run=run)


def _split(spec: str, root: Path) -> tuple[str, int | None, int | None]:
    m = _RANGE.match(spec)
    path, start, end = (m.group("path"), int(m.group("start")), int(m.group("end") or m.group("start"))) if m else (spec, None, None)
    full = (Path.cwd() / path).resolve()
    try:
        rel = full.relative_to(root).as_posix()
    except ValueError:
        from provenance.errors import UsageError

        raise UsageError(f"{path}: outside the repository {root}") from None
    return rel, start, end


def run(args: argparse.Namespace) -> int:
    from provenance.errors import GitError, SourceError, UsageError
    from provenance.evidence import gitstate
    from provenance.evidence import notes as tagnotes
    from provenance.evidence.agents import parse_assisted_by
    from provenance.evidence.gitrun import git_text
    from provenance.evidence.gitstate import find_root

    root = find_root()
    try:
        agent = parse_assisted_by(args.ai)
    except ValueError as exc:
        raise UsageError(f"--ai: {exc}") from None
    if agent is None:
        raise UsageError("--ai: name the AI (AGENT:MODEL); to declare human work, end the commit message "
                         "with `Assisted-by: none`")
    staged = set(git_text(root, "diff", "--cached", "--name-only", "--diff-filter=d", "-z").split("\0")) - {""}
    new: list[tagnotes.Tag] = []
    for spec in args.paths:
        rel, start, end = _split(spec, root)
        if rel not in staged:
            raise SourceError(f"{rel}: has no staged changes; `git add {rel}` first (tags mark staged work)")
        try:
            count = len(git_text(root, "show", f":{rel}").splitlines())
        except GitError:
            raise SourceError(f"{rel}: cannot read its staged content") from None
        start, end = (start or 1), (end or count)
        if start < 1 or start > end or end > count:
            raise UsageError(f"{spec}: lines {start}-{end} are not within the staged {rel} (1-{count}); fix the range")
        new.append(tagnotes.Tag(rel, start, end, str(agent)))
    common = gitstate.common_dir(root)
    assert common is not None  # find_root found .git
    pending = tagnotes.read_pending(common)
    pending += [t for t in new if t not in pending]
    tagnotes.write_pending(common, pending)
    for t in new:
        print(f"tagged {t.path}:{t.start}-{t.end} as {t.agent} (attached to the next commit)")
    # Without this, amend and rebase would leave the tags behind on the old commits.
    refs = git_text(root, "config", "--get-all", "notes.rewriteRef", ok=(0, 1)).split()
    if tagnotes.NOTES_REF not in refs:
        git_text(root, "config", "--add", "notes.rewriteRef", tagnotes.NOTES_REF)
        print(f"set notes.rewriteRef={tagnotes.NOTES_REF} in .git/config so tags follow amend and rebase")
    hook = Path(git_text(root, "rev-parse", "--git-path", "hooks/post-commit").strip())
    if not (root / hook).is_file():
        print("paperprov: warning: no post-commit hook; run `pre-commit install --hook-type post-commit` "
              "or `paperprov hook attach-tags` after committing", file=sys.stderr)
    return 0
