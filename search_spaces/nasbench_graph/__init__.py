"""NAS-Bench-Graph: GNN architectures on 9 graph datasets, data shipped by ``nas-bench-graph``.

Built purely on nasearch's public plug-in API and registered through the
``nasearch.search_spaces`` entry point, exactly as a third-party space would be.
"""
from .space import NASBenchGraph

__all__ = ["NASBenchGraph"]
