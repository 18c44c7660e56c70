"""The NAS-Bench-301 surrogate benchmark over the whole DARTS space (YAHPO Gym's ``nb301`` model v2).

A small network, shipped as ONNX (``data/nb301_model_v2.onnx``, Apache-2.0, see
``data/NOTICE``), predicts what NAS-Bench-301's trained networks reached on
CIFAR-10 for *any* pair of DARTS cells and a training epoch. It is a
**surrogate benchmark**: values are predictions, not measurements. Against the
725 measured cells of the shipped subset its epoch-98 prediction ranks at
Spearman 0.59, so it is a realistic, structured landscape over the full space
(about 10^18 cells) for comparing searches, not ground truth.

Encoding (YAHPO's): 34 integers per architecture, ``edge_normal_0..13``,
``edge_reduce_0..13``, ``inputs_node_normal_3..5``, ``inputs_node_reduce_3..5``.
Intermediate node ``k`` (2..5, our node ``k - 2``) owns the edges
``EDGE_OFFSETS[k - 2] + input``; an unused edge is ``#na#`` (0). Node ``k >= 3``
also names its two inputs as ``"i_j"`` (node 2 always reads inputs 0 and 1).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

from nasearch.errors import DataError

from .operations import CELLS, NODES, OPERATIONS

DATA = Path(__file__).with_name("data")
MODEL = DATA / "nb301_model_v2.onnx"
ENCODING = DATA / "nb301_encoding_v2.json"
EPOCHS = tuple(range(1, 99))        #: the training epochs the model was fitted on
FULL_EPOCHS = EPOCHS[-1]
_PREFIX = "NetworkSelectorDatasetInfo_COLON_darts_COLON_"
#: first edge index of each intermediate node: node k reads inputs 0..k+1 through edges offset + input
EDGE_OFFSETS = (0, 2, 5, 9)
COLUMNS = ([f"edge_{cell}_{edge}" for cell in CELLS for edge in range(14)]
           + [f"inputs_node_{cell}_{node}" for cell in CELLS for node in range(3, 6)])
VALUE, RUNTIME = 0, 2               #: output columns: val accuracy (fraction), training seconds to that epoch
_FIX = "reinstall nasearch to restore the shipped NAS-Bench-301 surrogate"


class NB301Surrogate:
    """Encodes DARTS architectures for the model and runs it (loaded on first use, one thread)."""

    def __init__(self, model: Path = MODEL, encoding: Path = ENCODING):
        self.model_path, self.encoding_path = Path(model), Path(encoding)
        self._session = None
        self._codes = None   # per column: {category: integer}

    def __getstate__(self):
        # an ONNX session cannot be pickled; a worker process loads its own
        return {"model_path": self.model_path, "encoding_path": self.encoding_path, "_session": None, "_codes": None}

    def _load(self) -> None:
        if self._session is not None:
            return
        try:
            table = json.loads(self.encoding_path.read_text(encoding="utf-8"))
            self._codes = [table[_PREFIX + name] for name in COLUMNS]
        except (OSError, ValueError, KeyError) as error:
            raise DataError(f"cannot read the NAS-Bench-301 encoding {str(self.encoding_path)!r} ({error}); {_FIX}") from None
        try:
            import onnxruntime
        except ImportError:
            raise DataError("dataset nb301 needs onnxruntime; pip install onnxruntime") from None
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1   # the model is tiny; see nasearch.threads
        options.log_severity_level = 3
        try:
            self._session = onnxruntime.InferenceSession(str(self.model_path), options,
                                                         providers=["CPUExecutionProvider"])
        except Exception as error:  # onnxruntime raises its own exception types for bad files
            raise DataError(f"cannot load the NAS-Bench-301 surrogate {str(self.model_path)!r} "
                            f"({type(error).__name__}); {_FIX}") from None

    def encode(self, archs: Sequence) -> np.ndarray:
        """``(n, 34)`` int32 model inputs of ``n`` canonical DARTS architectures (``DartsArch``)."""
        self._load()
        rows = np.zeros((len(archs), len(COLUMNS)), dtype=np.int32)
        edges_per_cell = EDGE_OFFSETS[-1] + NODES + 1
        for row, arch in enumerate(archs):
            for which, cell in enumerate(arch):
                for node in range(NODES):
                    (first, first_op), (second, second_op) = cell[2 * node:2 * node + 2]
                    for source, op in ((first, first_op), (second, second_op)):
                        column = which * edges_per_cell + EDGE_OFFSETS[node] + source
                        rows[row, column] = self._codes[column][OPERATIONS[op]]
                    if node:   # node 0 (YAHPO's node 2) always reads inputs 0 and 1
                        column = 2 * edges_per_cell + which * (NODES - 1) + node - 1
                        rows[row, column] = self._codes[column][f"{min(first, second)}_{max(first, second)}"]
        return rows

    def predict(self, archs: Sequence, epochs: int = FULL_EPOCHS) -> np.ndarray:
        """``(n, 4)`` float32 outputs at ``epochs`` (1..98): validation accuracy (fraction),
        validation cross-entropy, training runtime (s) up to that epoch, runtime increase."""
        if int(epochs) not in EPOCHS:
            raise DataError(f"the NAS-Bench-301 surrogate covers epochs 1..{FULL_EPOCHS}, not {epochs}")
        x_cat = self.encode(archs)
        x_cont = np.full((len(archs), 1), float(epochs), dtype=np.float32)
        return np.asarray(self._session.run(None, {"x_cat": x_cat, "x_cont": x_cont})[0], dtype=np.float32)
