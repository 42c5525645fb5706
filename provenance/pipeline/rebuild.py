"""The rebuild a reviewer's `paperprov verify --rebuild` runs, as a child process inside
the extracted source: `python -m provenance.pipeline.rebuild DIR` runs the experiments,
the disclosure, the PDF and the reviewer's page with this paperprov."""

from __future__ import annotations

import json
import sys

from provenance.config import load
from provenance.errors import ProvenanceError, one_line
from provenance.pipeline.actions import run_disclosure, run_report
from provenance.pipeline.experiments import run_experiment
from provenance.pipeline.latex import run_latex


def _epochs(text: str) -> dict[str, int]:
    """The attested experimentEpochs (JSON from the reviewer's verify), bad values dropped."""
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, int) and not isinstance(v, bool) and v >= 0}


def rebuild_stages(root: str, epochs_json: str = "{}") -> int:
    """Experiments (each with its attested SOURCE_DATE_EPOCH; the environment's, i.e.
    the PDF's, when none is attested), disclosure, PDF and web page of the tree at
    `root`; 0 when all were built."""
    epochs = _epochs(epochs_json)
    try:
        cfg = load(root)
        for exp in cfg.experiments:
            run_experiment(cfg, exp, epochs.get(exp.name))
        run_disclosure(cfg)
        run_latex(cfg)
        run_report(cfg)
    except ProvenanceError as err:
        print(one_line(err), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(rebuild_stages(sys.argv[1], *sys.argv[2:3]))
