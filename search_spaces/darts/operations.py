"""The DARTS cell's vocabulary: its 7 operations, 2 cell types and 4 intermediate nodes."""

OPERATIONS = ("max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5",
              "dil_conv_3x3", "dil_conv_5x5")
CELLS = ("normal", "reduce")
NODES = 4
