# paperprov: origin=ai tool=claude model=unknown role=generated
"""Deterministic, atomic output for the experiments.

Figures and results must be byte-identical across runs, commits and directories:
PDF metadata that would carry a date or a version string is switched off, JSON is
written with sorted keys and floats rounded to a fixed number of significant digits,
and every file is written to a temporary name beside its target and then renamed, so
a killed run leaves the previous output or none, never half a file.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

# One BLAS thread: the matrices here are small, so threads only add overhead and
# contention on a busy machine, and a fixed thread count keeps floating-point reduction
# order, hence the output bytes, the same. Must happen before numpy is imported, which
# is why the experiment scripts import this module first.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

# Keys matplotlib's PDF backend would otherwise fill with the time (or
# SOURCE_DATE_EPOCH) and its version: a figure must not change when only the commit does.
PDF_METADATA = {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}
SIGNIFICANT = 6


def parse_args(description: str) -> argparse.Namespace:
    """The command line every experiment shares: --out DIR --seed N."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", required=True, type=Path, help="directory to write the outputs into")
    parser.add_argument("--seed", type=int, default=0, help="seed of numpy's default_rng")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (temporary file in the same directory, then rename)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs are ordinary readable files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def rounded(value: Any) -> Any:
    """`value` with every float rounded to SIGNIFICANT significant digits, recursively,
    so the JSON text does not depend on the last bits of a BLAS reduction."""
    if isinstance(value, float):
        return float(f"{value:.{SIGNIFICANT}g}")
    if isinstance(value, dict):
        return {str(k): rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(v) for v in value]
    return value


def write_json(path: Path, data: dict[str, Any]) -> None:
    """results.json: sorted keys, fixed float precision, trailing newline."""
    text = json.dumps(rounded(data), sort_keys=True, indent=2) + "\n"
    write_bytes(path, text.encode("utf-8"))


def save_pdf(fig: Any, path: Path) -> None:
    """Save a matplotlib figure as a PDF with no dates and no version strings."""
    tmp = path.with_name(f".{path.name}.tmp.pdf")
    try:
        fig.savefig(tmp, format="pdf", metadata=PDF_METADATA)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def pyplot() -> Any:
    """matplotlib.pyplot on the non-interactive Agg backend with fixed, font-stable
    settings (imported here so that importing this module stays cheap)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "font.size": 9,
        "axes.titlesize": 9,
        "legend.fontsize": 8,
        "figure.dpi": 100,
        "savefig.bbox": "tight",
        "pdf.compression": 6,
    })
    return plt
