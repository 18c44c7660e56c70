"""LSTM encoder–decoder with attention over a search space's token sequences.

Shapes: ``tokens`` is ``(batch, seq_len)`` int64; encoder ``outputs`` are
``(batch, seq_len, d)`` with every row L2-normalised; the architecture
``embedding`` is ``(batch, d)``, the L2-normalised mean of the outputs, so it lies
on the unit sphere. ``d`` is the LSTM hidden size (``embedding_dim``).
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..errors import ConfigError
from ..search_space import START_TOKEN


@dataclass(frozen=True)
class AutoencoderConfig:
    """Autoencoder size and training budget (the EmProx paper's defaults)."""

    embedding_dim: int = 32      #: LSTM hidden size = embedding dimension d
    token_dim: int = 0           #: token-embedding size; 0 means embedding_dim
    dropout: float = 0.1         #: dropout on token embeddings during training
    epochs: int = 50             #: passes over the training architectures
    batch_size: int = 100        #: architectures per Adam step
    lr: float = 1e-3             #: Adam learning rate
    weight_decay: float = 1e-4   #: Adam weight decay
    grad_clip: float = 5.0       #: gradient-norm clip
    compact: bool = False        #: read and write only the token positions that can vary (faster)

    def __post_init__(self):
        for name in ("embedding_dim", "epochs", "batch_size"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1, got {getattr(self, name)}")
        if not 0 <= self.dropout < 1:
            raise ConfigError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.lr <= 0:
            raise ConfigError(f"lr must be > 0, got {self.lr}")

    def autoencoder(self) -> "AutoencoderConfig":
        """Just the autoencoder settings (predictor configs extend this class with their own)."""
        return AutoencoderConfig(**{f.name: getattr(self, f.name) for f in dataclasses.fields(AutoencoderConfig)})


class SequenceAutoencoder(nn.Module):
    """NAO-style seq2seq autoencoder; see the module docstring for shapes."""

    def __init__(self, vocab_size: int, seq_len: int, config: AutoencoderConfig = AutoencoderConfig(),
                 positions=None):
        super().__init__()
        self.vocab_size, self.full_len, self.config = vocab_size, seq_len, config
        # With ``positions`` (compact mode) the model sees only those token positions;
        # the others hold the one token the space allows there and carry no information.
        positions = list(range(seq_len)) if positions is None else list(positions)
        self.register_buffer("positions", torch.as_tensor(positions, dtype=torch.long), persistent=False)
        self.seq_len = len(positions)
        d = config.embedding_dim
        token_dim = config.token_dim or d
        self.token_embedding = nn.Embedding(vocab_size, token_dim)
        self.dropout = nn.Dropout(config.dropout)
        self.encoder = nn.LSTM(token_dim, d, batch_first=True)
        self.decoder = nn.LSTM(token_dim, d, batch_first=True)
        self.combine = nn.Linear(2 * d, d)
        self.output = nn.Linear(d, vocab_size)

    @classmethod
    def for_space(cls, space, config: AutoencoderConfig = AutoencoderConfig()) -> "SequenceAutoencoder":
        """A model sized for ``space``; in compact mode it keeps only the varying positions."""
        positions = None
        if config.compact:
            mask = space.token_mask()
            positions = [p for p in range(space.seq_len) if mask[p].sum() > 1]
        return cls(space.vocab_size, space.seq_len, config, positions)

    def compact_tokens(self, tokens: torch.Tensor) -> torch.Tensor:
        """``(B, full_len)`` space tokens → ``(B, L)`` model tokens."""
        return tokens if self.seq_len == self.full_len else tokens[:, self.positions]

    # ---------------------------------------------------------------- encoding
    def encode(self, tokens: torch.Tensor):
        """Space tokens ``(B, full_len)`` → ``(outputs (B, L, d) row-normalised, embedding (B, d))``."""
        tokens = self.compact_tokens(tokens)
        outputs, _ = self.encoder(self.dropout(self.token_embedding(tokens)))
        outputs = F.normalize(outputs, dim=-1)
        return outputs, self.pool(outputs)

    @staticmethod
    def pool(outputs: torch.Tensor) -> torch.Tensor:
        """Architecture embedding from (possibly moved) encoder outputs: ``(B, L, d) → (B, d)``."""
        return F.normalize(outputs.mean(dim=1), dim=-1)

    # ---------------------------------------------------------------- decoding
    def _step_logits(self, decoder_outputs, outputs):
        attention = torch.softmax(decoder_outputs @ outputs.transpose(1, 2), dim=-1)
        context = attention @ outputs
        return self.output(torch.tanh(self.combine(torch.cat([decoder_outputs, context], dim=-1))))

    def _initial_state(self, embedding):
        state = embedding.unsqueeze(0).contiguous()
        return state, state

    def reconstruction_logits(self, tokens: torch.Tensor, outputs, embedding) -> torch.Tensor:
        """Teacher-forced logits ``(B, L, vocab)`` for reconstructing model tokens ``(B, L)``."""
        start = torch.full_like(tokens[:, :1], START_TOKEN)
        inputs = self.dropout(self.token_embedding(torch.cat([start, tokens[:, :-1]], dim=1)))
        decoder_outputs, _ = self.decoder(inputs, self._initial_state(embedding))
        return self._step_logits(decoder_outputs, outputs)

    def forward(self, tokens: torch.Tensor):
        """Space tokens → ``(logits (B, L, vocab), embedding)``; targets are ``compact_tokens(tokens)``."""
        outputs, embedding = self.encode(tokens)
        return self.reconstruction_logits(self.compact_tokens(tokens), outputs, embedding), embedding

    @torch.no_grad()
    def greedy_decode(self, outputs: torch.Tensor, embedding: torch.Tensor, space) -> list:
        """Constrained greedy decoding: each position only emits ``space.allowed_tokens``.

        Returns a list of ``B`` full-length space token lists.
        """
        batch = embedding.shape[0]
        static_mask = torch.as_tensor(space.token_mask())
        state = self._initial_state(embedding)
        previous = torch.full((batch, 1), START_TOKEN, dtype=torch.long)
        sequences = [[] for _ in range(batch)]
        modelled = set(self.positions.tolist())
        for position in range(self.full_len):
            if position not in modelled:
                for prefix in sequences:
                    prefix.append(int(space.allowed_tokens(position, prefix)[0]))
                continue
            decoder_outputs, state = self.decoder(self.token_embedding(previous), state)
            logits = self._step_logits(decoder_outputs, outputs)[:, 0]
            if space.prefix_dependent:
                mask = torch.zeros_like(logits, dtype=torch.bool)
                for row, prefix in enumerate(sequences):
                    mask[row, space.allowed_tokens(position, prefix)] = True
            else:
                mask = static_mask[position].expand_as(logits)
            chosen = logits.masked_fill(~mask, float("-inf")).argmax(dim=-1)
            for row, token in enumerate(chosen.tolist()):
                sequences[row].append(token)
            previous = chosen.unsqueeze(1)
        return sequences


def train_step(model: SequenceAutoencoder, optimizer, batch: torch.Tensor) -> float:
    """One teacher-forced reconstruction step on ``batch (B, full_len)``; returns its mean NLL."""
    model.train()
    logits, _ = model(batch)
    loss = F.cross_entropy(logits.reshape(-1, model.vocab_size), model.compact_tokens(batch).reshape(-1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), model.config.grad_clip)
    optimizer.step()
    return float(loss.detach())


def train_autoencoder(model: SequenceAutoencoder, sequences: np.ndarray, generator: torch.Generator,
                      epochs: int | None = None) -> dict:
    """Train on ``sequences`` (``(n, L)`` int) with reconstruction NLL and teacher forcing.

    Returns ``{"seconds": wall time, "loss": final epoch's mean NLL}``.
    """
    config = model.config
    epochs = config.epochs if epochs is None else epochs
    data = torch.as_tensor(np.asarray(sequences), dtype=torch.long)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    start, loss_value = time.perf_counter(), float("nan")
    for _ in range(epochs):
        order = torch.randperm(len(data), generator=generator)
        total = 0.0
        for batch_start in range(0, len(data), config.batch_size):
            batch = data[order[batch_start:batch_start + config.batch_size]]
            total += train_step(model, optimizer, batch) * len(batch)
        loss_value = total / len(data)
    model.eval()
    return {"seconds": time.perf_counter() - start, "loss": loss_value}


@torch.no_grad()
def embed_sequences(model: SequenceAutoencoder, sequences: np.ndarray, batch_size: int = 4096) -> np.ndarray:
    """Eval-mode embeddings with the current weights: ``(n, d)`` float32."""
    model.eval()
    data = torch.as_tensor(np.asarray(sequences), dtype=torch.long)
    parts = [model.encode(data[i:i + batch_size])[1] for i in range(0, len(data), batch_size)]
    return torch.cat(parts).numpy().astype(np.float32) if parts else np.zeros((0, model.config.embedding_dim), np.float32)


@torch.no_grad()
def round_trip_accuracy(model: SequenceAutoencoder, space, archs: list) -> float:
    """Fraction of ``archs`` that encode then constrained-decode to the same architecture."""
    if not archs:
        return float("nan")
    model.eval()
    tokens = torch.as_tensor([space.to_sequence(a) for a in archs], dtype=torch.long)
    outputs, embedding = model.encode(tokens)
    decoded = model.greedy_decode(outputs, embedding, space)
    hits = 0
    for arch, sequence in zip(archs, decoded):
        try:
            hits += space.arch_id(space.from_sequence(sequence)) == space.arch_id(arch)
        except Exception:  # a decode outside the space counts as a miss
            pass
    return hits / len(archs)
