"""The training loop, shared by a search's trainings and ``retrain``.

SGD with momentum and weight decay, a cosine schedule over the whole training (so a
training stopped after some epochs is exactly the start of the full one), gradient-norm
clipping, optional auxiliary-head loss and drop-path ramp (DARTS), batch augmentation,
and on CUDA mixed precision and the channels-last layout. :meth:`Trainer.state`
captures everything a continuation needs, the random generator included, so a training
resumed from a checkpoint ends exactly where an uninterrupted one does.
"""
from __future__ import annotations

import contextlib

from ..errors import ConfigError
from .augment import Augmentation
from .config import TrainingConfig
from .data import ImageData

EVAL_BATCH = 512   #: images per forward pass when measuring accuracy


class DropPath:
    """Marker base for modules that zero whole paths with probability :attr:`drop_probability`
    while training (the loop sets it each epoch); a network opts in by containing them."""

    drop_probability: float = 0.0


def network_for(space, arch, config: TrainingConfig, in_channels: int, classes: int):
    """``space``'s network for ``arch`` at ``config``'s size, with the auxiliary head and drop
    path when asked for; a space whose network cannot have them gets a one-line error."""
    options = {"channels": config.channels, "cells_per_stage": config.cells_per_stage}
    if config.auxiliary_weight > 0:
        options["auxiliary"] = True
    if config.drop_path > 0:
        options["drop_path"] = True
    try:
        return space.network(arch, in_channels, classes, **options)
    except TypeError as error:
        extra = [k for k in ("auxiliary", "drop_path") if k in options]
        if extra and any(k in str(error) for k in extra):
            raise ConfigError(f"space {space.name!r} builds networks without {' or '.join(extra)}; set "
                              f"{' and '.join('auxiliary_weight: 0' if k == 'auxiliary' else 'drop_path: 0' for k in extra)}"
                              ) from None
        raise


def augmentation_for(config: TrainingConfig) -> Augmentation:
    """The config's augmentation, CIFAR's standard crop and flip when left unset."""
    crop = config.crop_padding if config.crop_padding is not None else (4 if config.is_cifar else 0)
    flip = config.flip if config.flip is not None else config.is_cifar
    return Augmentation(crop, flip, config.cutout)


def seeded_trainer(space, arch, config: TrainingConfig, data: ImageData, device, rng) -> "Trainer":
    """A :class:`Trainer` for ``arch``'s network, its initial weights and then its batch generator
    drawn from ``rng`` (a numpy Generator of the training's seed and the architecture), so a
    training never depends on what ran before it in the process."""
    import torch

    from ..seeding import torch_seeded

    with torch_seeded(rng):
        model = network_for(space, arch, config, data.channels, data.classes)
        generator = torch.Generator().manual_seed(int(rng.integers(2**62)))
    return Trainer(model, data, config, device, generator)


class Trainer:
    """Trains ``model`` on ``data`` under ``config`` on ``device``, an epoch per :meth:`train_epoch`.

    ``generator`` (a CPU ``torch.Generator``) draws every batch order and augmentation.
    """

    def __init__(self, model, data: ImageData, config: TrainingConfig, device, generator):
        import torch

        self.config, self.data, self.device, self.generator = config, data, device, generator
        cuda = device.type == "cuda"
        self.amp = config.amp if config.amp is not None else cuda   # checked against the device by device_for
        self.channels_last = config.channels_last if config.channels_last is not None else cuda
        self.model = model.to(device, memory_format=torch.channels_last if self.channels_last else torch.contiguous_format)
        self.optimizer = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                                         weight_decay=config.weight_decay, nesterov=config.nesterov and config.momentum > 0)
        self.steps_per_epoch = -(-len(data.y_train) // config.batch_size)
        self.schedule = torch.optim.lr_scheduler.CosineAnnealingLR(self.optimizer, config.epochs * self.steps_per_epoch)
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.amp)
        self.augmentation = augmentation_for(config)
        self.x_train = torch.as_tensor(data.x_train)
        self.y_train = torch.as_tensor(data.y_train)
        if cuda:   # page-locked host memory lets each batch copy overlap the previous step
            self.x_train, self.y_train = self.x_train.pin_memory(), self.y_train.pin_memory()
        self.epochs_done = 0

    def _layout(self, x):
        import torch

        return x.contiguous(memory_format=torch.channels_last) if self.channels_last else x

    def _autocast(self):
        import torch

        return torch.autocast("cuda", dtype=torch.float16) if self.amp else contextlib.nullcontext()

    def train_epoch(self) -> float:
        """One epoch over the training split; returns its training accuracy (percent)."""
        import torch

        c = self.config
        if c.drop_path <= 0:
            return self._epoch()
        for module in self.model.modules():
            if isinstance(module, DropPath):
                module.drop_probability = c.drop_path * self.epochs_done / c.epochs
        # drop-path masks come from torch's global generator: seed it from ours for this epoch, so the
        # masks are reproducible and a resumed training draws the ones the uninterrupted one drew
        seed = int(torch.randint(2**62, (1,), generator=self.generator))
        with torch.random.fork_rng(devices=[self.device] if self.device.type == "cuda" else []):
            torch.manual_seed(seed)
            return self._epoch()

    def _epoch(self) -> float:
        import torch
        import torch.nn.functional as F

        c = self.config
        self.model.train()
        order = torch.randperm(len(self.y_train), generator=self.generator)
        correct = 0
        for first in range(0, len(order), c.batch_size):
            index = order[first:first + c.batch_size]
            inputs = self.data.batch(self.x_train[index], self.device)
            if self.augmentation.active:
                inputs = self.augmentation(inputs, self.generator)
            targets = self.y_train[index].to(self.device, non_blocking=True)
            with self._autocast():
                output = self.model(self._layout(inputs))
                logits, auxiliary = output if isinstance(output, tuple) else (output, None)
                loss = F.cross_entropy(logits, targets)
                if auxiliary is not None:
                    loss = loss + c.auxiliary_weight * F.cross_entropy(auxiliary, targets)
            self.optimizer.zero_grad(set_to_none=True)
            self.scaler.scale(loss).backward()
            if c.grad_clip > 0:
                self.scaler.unscale_(self.optimizer)
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), c.grad_clip)
            self.scaler.step(self.optimizer)
            self.scaler.update()
            self.schedule.step()
            correct += int((logits.argmax(1) == targets).sum())
        self.epochs_done += 1
        return 100.0 * correct / len(order)

    def accuracy(self, x, y) -> float:
        """Percent of images ``x`` (``(n, C, H, W)``, one split's) classified as ``y``, in eval mode."""
        import torch

        self.model.eval()
        y = torch.as_tensor(y)
        with torch.no_grad(), self._autocast():
            predicted = torch.cat([self.model(self._layout(self.data.batch(x[i:i + EVAL_BATCH], self.device)))
                                   .argmax(1).cpu() for i in range(0, len(x), EVAL_BATCH)])
        return 100.0 * float((predicted == y).float().mean())

    def state(self) -> dict:
        """Everything a continuation needs: weights, optimizer, schedule, loss scale, generator, epoch."""
        return {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                "schedule": self.schedule.state_dict(), "scaler": self.scaler.state_dict(),
                "generator": self.generator.get_state(), "epochs_done": self.epochs_done}

    def load(self, state: dict) -> None:
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.schedule.load_state_dict(state["schedule"])
        if state.get("scaler"):
            self.scaler.load_state_dict(state["scaler"])
        self.generator.set_state(state["generator"])
        self.epochs_done = int(state["epochs_done"])
