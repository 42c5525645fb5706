"""The one family of expected failures.

Every ProvenanceError's message is a single line that names the file, line or key
at fault and says what to do. `one_line` is the only place that formats it for a user;
the command line (cli/main.py), the doit task creators and actions (pipeline/tasks.py)
and the commit hooks all print what it returns and exit non-zero. Anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations


class ProvenanceError(Exception):
    """An expected failure a user can fix; str(err) is one actionable line."""

    exit_code = 1


def one_line(err: ProvenanceError) -> str:
    """What the user sees: `paperprov: <the message>`."""
    return f"paperprov: {err}"


class UsageError(ProvenanceError):
    """The command line is wrong: a missing, malformed or contradictory argument."""


class ConfigError(ProvenanceError):
    """provenance.yaml is missing, malformed, or names something that does not exist."""


class SourceError(ProvenanceError):
    """A source file cannot be read or holds a malformed paperprov marker."""


class GitError(ProvenanceError):
    """git failed or the repository is not in a state we can use."""


class ToolMissing(ProvenanceError):
    """An external program (latexmk, pdflatex, git) is not on PATH."""


class BuildError(ProvenanceError):
    """An experiment or the LaTeX run failed."""


class SigningError(ProvenanceError):
    """Keys cannot be created, read or used."""


class VerifyError(ProvenanceError):
    """Input to `paperprov verify` is unreadable or hostile (not a failed check)."""


class PolicyError(ProvenanceError):
    """The record does not satisfy the policy in provenance.yaml."""
