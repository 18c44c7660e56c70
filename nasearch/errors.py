"""The small set of exceptions nasearch raises on bad input.

The CLI turns every :class:`NasearchError` into one line on stderr and exit
status 2. Each message names the problem and says how to fix it.
"""


class NasearchError(Exception):
    """Base class of every error caused by user input or data."""


class InvalidArchitectureError(NasearchError, ValueError):
    """An architecture string or token sequence does not describe a member of the space."""


class UnknownNameError(NasearchError, KeyError):
    """An unknown search space, dataset, metric, epochs, predictor or optimizer."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DataError(NasearchError):
    """A benchmark data file is missing, truncated or has the wrong schema."""


class MissingValueError(DataError):
    """A benchmark has no value for this architecture and metric (e.g. a cost that was never measured)."""


class ConfigError(NasearchError, ValueError):
    """A configuration is invalid: unknown key, wrong type or out-of-range value."""


def did_you_mean(name, choices) -> str:
    """`` did you mean 'x'?`` for the choice closest to a misspelt ``name`` (difflib), else ``""``."""
    import difflib

    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" did you mean {close[0]!r}?" if close else ""


def unknown(kind: str, name, choices) -> UnknownNameError:
    """Build the standard "unknown X" error: a suggestion when one is close, and what is available."""
    choices = list(choices)
    numbers = sorted(c for c in choices if isinstance(c, int))
    if len(choices) > 8 and len(numbers) == len(choices) and numbers[-1] - numbers[0] == len(numbers) - 1:
        listed = f"{numbers[0]}..{numbers[-1]}"   # a run of integers (a surrogate's every epoch)
    elif len(choices) > 30:
        listed = ", ".join(str(c) for c in choices[:30]) + f", ... ({len(choices)} in all)"
    else:
        listed = ", ".join(str(c) for c in choices)
    return UnknownNameError(f"unknown {kind} {name!r};{did_you_mean(name, choices)} choose one of: {listed}")


class SearchWarning(UserWarning):
    """A setting that runs but probably not as meant (e.g. a budget spent entirely on the random start)."""
