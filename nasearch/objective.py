"""What a search optimises and what it reports."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .errors import ConfigError


@dataclass(frozen=True)
class Objective:
    """Maximise ``metric`` on ``dataset``; report ``report_metric`` of the same architecture.

    Values are percent. Optimising the test metric must be asked for explicitly
    (``allow_test_objective``), because selecting on test data overstates results.
    """

    space: object
    dataset: str
    metric: str = "val"
    epochs: Optional[int] = None
    report_metric: str = "test"
    allow_test_objective: bool = False

    def __post_init__(self):
        if self.metric == "test" and not self.allow_test_objective:
            raise ConfigError("the objective metric is 'test'; search on 'val', or set "
                              "allow_test_objective: true to select on test data deliberately")
        self.space.check_query(self.dataset, self.metric, self.epochs)
        if self.report_metric:
            self.space.check_query(self.dataset, self.report_metric, None)

    def __call__(self, arch) -> float:
        return self.space.query(arch, self.dataset, self.metric, self.epochs)

    def report(self, arch) -> Optional[float]:
        if not self.report_metric:
            return None
        return self.space.query(arch, self.dataset, self.report_metric, None)
