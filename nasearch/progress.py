"""The progress bar of a search run (tqdm), and what it shows after each trial."""
from __future__ import annotations

from .runs.trial import Trial


def progress_bar(total: float, initial: float, description: str, unit: str = "eval"):
    """A tqdm bar over the budget (evaluations, or a multi-fidelity budget's units)."""
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, desc=description, unit=unit)


def progress_text(trial: Trial) -> str:
    """The bar's postfix: the incumbent, the front in a multi-objective search, the clock."""
    best = "–" if trial.incumbent is None else f"{trial.incumbent:.3f}"
    front = ""
    if trial.front_size is not None:
        ratio = trial.hypervolume_ratio
        front = f", front {trial.front_size}" + ("" if ratio is None else f" (hv {ratio:.3f})")
    at = "" if trial.fidelity is None else f", last at {trial.fidelity:g}"
    return f"best {best}{front}{at}, {trial.wall:.0f}s"
