"""The rebuild a reviewer's `paperprov verify --rebuild` runs, as a child process inside
the extracted source (and inside the sandbox, verify/sandbox.py):

    python -I -m provenance.pipeline.rebuild DIR [--signer NAME=KEYID ...]

It makes DIR a one-commit git repository of exactly the attested tree (stages read HEAD),
then runs the experiments, the disclosure, the PDF and the reviewer's page with this
paperprov (the experiments locally, whatever executor the authors used: their outputs
must not depend on it). The appendix
names the signers the attestation records (--signer), so it is the same appendix the
authors' build rendered, whoever rebuilds. `-I` keeps a `provenance/` directory in the
authors' source from standing in for the reviewer's paperprov.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from provenance.config import load
from provenance.errors import ProvenanceError, one_line
from provenance.pipeline.actions import run_disclosure, run_report
from provenance.pipeline.experiments import run_experiment
from provenance.pipeline.latex import run_latex

IDENTITY = {"GIT_AUTHOR_NAME": "paperprov verify", "GIT_AUTHOR_EMAIL": "verify@paperprov.invalid",
            "GIT_COMMITTER_NAME": "paperprov verify", "GIT_COMMITTER_EMAIL": "verify@paperprov.invalid"}


def commit_tree(root: str) -> None:
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", **IDENTITY)
    for cmd in (["init", "-q"], ["add", "-A"],
                ["-c", "commit.gpgsign=false", "commit", "-q", "--no-verify", "-m", "rebuild"]):
        subprocess.run(["git", *cmd], cwd=root, env=env, capture_output=True, check=False)


def rebuild_stages(root: str, signers: tuple[tuple[str, str], ...] = (),
                   epochs: dict[str, int] | None = None) -> int:
    """Experiments (each with its attested SOURCE_DATE_EPOCH, `epochs`; the environment's,
    the PDF's, when none is attested), disclosure, PDF and web page of the tree at `root`;
    0 when all were built."""
    try:
        cfg = load(root)
        for exp in cfg.experiments:
            run_experiment(cfg, exp, kind="local", epoch=(epochs or {}).get(exp.name))
        run_disclosure(cfg, signers)
        run_latex(cfg)
        run_report(cfg)
    except ProvenanceError as err:
        print(one_line(err), file=sys.stderr)
        return 1
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m provenance.pipeline.rebuild")
    parser.add_argument("root")
    parser.add_argument("--signer", action="append", default=[], metavar="NAME=KEYID")
    parser.add_argument("--epoch", action="append", default=[], metavar="EXPERIMENT=SOURCE_DATE_EPOCH")
    args = parser.parse_args(argv)
    signers = tuple((name, keyid) for name, _, keyid in (s.partition("=") for s in args.signer))
    epochs = {name: int(value) for name, _, value in (e.partition("=") for e in args.epoch) if value.isdigit()}
    commit_tree(args.root)
    return rebuild_stages(args.root, signers, epochs)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
