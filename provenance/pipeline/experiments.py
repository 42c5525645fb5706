"""Running one experiment: its command (command.py), its output in build/logs/<name>.log
(runlog.py), its declared outputs, its failure summarised."""

from __future__ import annotations

from provenance.config import Config, Experiment
from provenance.errors import BuildError
from provenance.fsutil import write_text_atomic
from provenance.paths import experiment_epoch, experiment_log
from provenance.pipeline.command import experiment_command
from provenance.pipeline.env import reproducible_env
from provenance.pipeline.runlog import run_logged, summary


def run_experiment(cfg: Config, exp: Experiment, epoch: int | None = None) -> None:
    """Run `exp` with SOURCE_DATE_EPOCH `epoch` (its own, evidence/epochs.py; None: HEAD's)."""
    (cfg.root / exp.outdir).mkdir(parents=True, exist_ok=True)
    # Remove stale outputs first: a script that stops writing one must fail, not pass
    # on yesterday's file.
    for target in exp.targets:
        (cfg.root / target).unlink(missing_ok=True)
        (cfg.root / target).parent.mkdir(parents=True, exist_ok=True)
    (cfg.root / experiment_epoch(exp.name)).unlink(missing_ok=True)
    cmd = experiment_command(cfg.root, exp)
    env = reproducible_env(cfg.root, epoch)
    log = experiment_log(exp.name)
    run = run_logged(list(cmd.argv), cmd.cwd, env, cfg.root / log, f"experiments:{exp.name}", log)
    if run.returncode != 0:
        how = f"was killed by signal {-run.returncode}" if run.returncode < 0 else \
              f"failed with exit code {run.returncode}"
        raise BuildError(f"experiment {exp.name} ({exp.label}) {how}; {summary(run.tail, log)}")
    missing = [t for t in exp.targets if not (cfg.root / t).is_file()]
    if missing:
        raise BuildError(
            f"experiment {exp.name} ({exp.label}) did not write {', '.join(missing)}; "
            f"write it or remove it from experiments outputs in provenance.yaml; {summary(run.tail[-3:], log)}"
        )
    write_text_atomic(cfg.root / experiment_epoch(exp.name), env["SOURCE_DATE_EPOCH"] + "\n")
