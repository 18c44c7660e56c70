"""NAS-Bench-201: the 15,625-cell space with its tabular benchmark."""
from .space import NASBench201, OPERATIONS

__all__ = ["NASBench201", "OPERATIONS"]
