"""The NAS-Bench-201 cell's vocabulary, shared by the space and its network (no import circle)."""

#: The five operations an edge can carry, in the benchmark's order.
OPERATIONS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
#: (from, to) cell edges in the order of the official string.
STRING_EDGES = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
