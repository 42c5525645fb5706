"""The `.pre-commit-config.yaml` block that runs paperprov's hooks in another repository,
as the README shows it and `paperprov init --hooks` writes it.

The hooks are declared `language: python` in .pre-commit-hooks.yaml, so pre-commit
installs paperprov itself, at the tag `rev:` names, into an environment of its own: they
work in a shell without any venv. `default_install_hook_types` makes a plain
`pre-commit install` install all four hook types the hooks use.
"""

from __future__ import annotations

from pathlib import Path

from provenance import __version__
from provenance.fsutil import write_text_atomic

HOOKS_REPO = "https://github.com/paperprov/paperprov"  # where the release tags are
HOOK_IDS = ("paperprov-tag", "paperprov-policy", "paperprov-lint", "paperprov-no-private-keys",
            "paperprov-attach-tags")
CONFIG = ".pre-commit-config.yaml"


def hooks_block(repo: str = HOOKS_REPO, rev: str = f"v{__version__}") -> str:
    hooks = "".join(f"  - id: {h}\n" for h in HOOK_IDS)
    return ("# paperprov's commit hooks; install them with `pre-commit install`.\n"
            "default_install_hook_types: [pre-commit, prepare-commit-msg, commit-msg, post-commit]\n"
            "repos:\n"
            f"- repo: {repo}\n"
            f"  rev: {rev}\n"
            "  hooks:\n" + hooks)


def write_hooks_config(root: Path, repo: str = HOOKS_REPO) -> str:
    """Write .pre-commit-config.yaml, or say what to add to an existing one (never edited:
    it is the user's); the line to print."""
    path = root / CONFIG
    if path.exists():
        text = path.read_text(encoding="utf-8", errors="replace")
        if "paperprov-tag" in text:
            return f"{CONFIG} already runs paperprov's hooks; kept as it is"
        entry = hooks_block(repo).split("repos:\n", 1)[1]
        return (f"{CONFIG} exists; add paperprov's hooks under its `repos:` yourself, then run "
                "`pre-commit install --hook-type pre-commit --hook-type prepare-commit-msg "
                "--hook-type commit-msg --hook-type post-commit`:\n" + entry.rstrip("\n"))
    write_text_atomic(path, hooks_block(repo))
    return f"wrote {CONFIG}; commit it, then run `pre-commit install`"
