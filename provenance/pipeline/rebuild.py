"""The rebuild a reviewer's `paperprov verify --rebuild` runs, as a child process inside
the extracted source: `python -m provenance.pipeline.rebuild DIR` runs the experiments,
the disclosure, the PDF and the reviewer's page with this paperprov."""

from __future__ import annotations

import sys

from provenance.config import load
from provenance.errors import ProvenanceError, one_line
from provenance.pipeline.actions import run_disclosure, run_report
from provenance.pipeline.experiments import run_experiment
from provenance.pipeline.latex import run_latex


def rebuild_stages(root: str) -> int:
    """Experiments, disclosure, PDF and web page of the tree at `root`; 0 when all were built."""
    try:
        cfg = load(root)
        for exp in cfg.experiments:
            run_experiment(cfg, exp)
        run_disclosure(cfg)
        run_latex(cfg)
        run_report(cfg)
    except ProvenanceError as err:
        print(one_line(err), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(rebuild_stages(sys.argv[1]))
