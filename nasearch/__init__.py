"""nasearch: neural architecture search around EmProx.

Importing this package loads no data and no torch models.
"""
from .errors import (ConfigError, DataError, InvalidArchitectureError, NasearchError, UnknownNameError,
                     unknown)
from .registry import get_search_space
from .search_space import SearchSpace

__all__ = ["SearchSpace", "get_search_space", "NasearchError", "InvalidArchitectureError",
           "UnknownNameError", "DataError", "ConfigError", "unknown"]
__version__ = "0.1.0"
