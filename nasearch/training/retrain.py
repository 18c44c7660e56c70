"""Retrain a search's winner at full size, and export it.

``retrain(run_dir)`` takes the run's best architecture (or ``arch``), trains it under
its space's published protocol (:meth:`~nasearch.network_builder.NetworkBuilder.full_training`)
with the run's data settings and the caller's overrides on top, on the official training
set (train and validation splits together) and reports accuracy on the official test set
(on the held-out split for data without one). It checkpoints after every epoch and
resumes from the checkpoint when rerun with the same settings. When training ends it
writes the weights, a TorchScript file and an ONNX file, the latter checked with
onnxruntime against PyTorch's outputs, and the architecture in its space's notation.
Every file lives in the output folder (``RUN_DIR/retrain/`` by default), named by
:mod:`nasearch.runs.directory`.
"""
from __future__ import annotations

import copy
import time
import warnings
from pathlib import Path
from typing import Optional

from ..config import build, to_dict
from ..errors import ConfigError, NasearchError
from ..runs.directory import (ARCHITECTURE, CONFIG, HISTORY, ONNX_MODEL, RETRAIN_CHECKPOINT, RETRAIN_CONFIG,
                              RETRAIN_LOG, RETRAIN_RESULT, SUMMARY, TORCHSCRIPT, WEIGHTS, RunDirectory)
from ..seeding import component_rng
from .config import TrainingConfig
from .data import full_training_set
from .devices import device_for
from .loop import seeded_trainer

RETRAIN_FOLDER = "retrain"      #: the default output folder inside the search run
ONNX_TOLERANCE = 1e-4           #: largest absolute logit difference accepted between ONNX Runtime and PyTorch
CHECK_IMAGES = 16               #: test images the exports are checked on
#: the run's training settings that describe its data, carried into the retraining
DATA_KEYS = ("dataset", "data", "download", "image_size", "val_fraction", "seed")


def _table_dataset(dataset: str) -> Optional[str]:
    """The trainable dataset behind a benchmark's dataset name (``cifar10-valid`` -> ``cifar10``)."""
    name = (dataset or "").lower()
    if "cifar100" in name:
        return "cifar100"
    if "cifar10" in name or name == "nb301":
        return "cifar10"
    return None


def _benchmark_images(space, dataset: str, settings: dict) -> dict:
    """The training dataset behind a benchmark search's ``dataset`` (``""``: the space's scoring one),
    unless the caller names one; a benchmark without known images is a one-line error."""
    from ..objective import scoring_dataset

    if "dataset" in settings:
        return {}
    dataset = dataset or scoring_dataset(space)
    images = _table_dataset(dataset)
    if images is None:
        raise ConfigError(f"retrain does not know which images the benchmark dataset {dataset!r} was trained on; "
                          "name them with --set dataset=cifar10|cifar100|folder --set data=DIR")
    return {"dataset": images}


def _run_settings(run: RunDirectory) -> tuple:
    """``(space name, best architecture string, data settings)`` of a search run directory."""
    import json

    if not run.has(CONFIG):
        raise ConfigError(f"{str(run.path)!r} is not a search run (it has no {CONFIG}); pass a search run "
                          "directory, or --space and --arch")
    config = run.read_yaml(CONFIG)
    best = None
    if run.has(SUMMARY):
        try:
            best = json.loads(run.read_text(SUMMARY)).get("best_arch")
        except json.JSONDecodeError:
            raise ConfigError(f"{str(run.file(SUMMARY))!r} is damaged; rerun the search with --resume to rewrite "
                              "it, or pass --arch") from None
    if best is None:   # an unfinished run: the best successful evaluation so far
        records = [r for r in run.read_json_lines(HISTORY) if r.get("status") == "ok" and r.get("value") is not None]
        if not records:
            raise ConfigError(f"run {str(run.path)!r} has no successful evaluation to retrain; pass --arch")
        best = max(records, key=lambda r: r["value"])["arch"]
    if config.get("objective") == "train":
        settings = {k: v for k, v in (config.get("training") or {}).items() if k in DATA_KEYS}
    else:   # a benchmark search: the images its benchmark was trained on ("" = the space's scoring dataset)
        settings = {"benchmark_dataset": config.get("dataset") or ""}
    return config.get("space", "nasbench201"), best, settings


def resolve(run_dir=None, space=None, arch: Optional[str] = None, settings: Optional[dict] = None) -> tuple:
    """``(space, architecture, TrainingConfig)`` of a retraining: the space's protocol, then the run's
    data settings, then ``settings``."""
    from ..registry import get_search_space

    run_settings, best = {}, None
    if run_dir is not None:
        space_name, best, run_settings = _run_settings(RunDirectory(run_dir))
        space = space or space_name
    if space is None:
        raise ConfigError("retrain needs a search run directory, or a space and an architecture (--space, --arch)")
    space = get_search_space(space) if isinstance(space, str) else space
    if not space.builds_networks:
        space.network(None, 0, 0)   # the ABC's one-line error naming the fix
    if "benchmark_dataset" in run_settings:
        run_settings = _benchmark_images(space, run_settings.pop("benchmark_dataset"), settings or {})
    text = arch or best
    if text is None:
        raise ConfigError("retrain without a run directory needs --arch, the architecture to train")
    architecture = space.from_string(text)
    options = {**space.full_training(), **run_settings, **(settings or {})}
    return space, architecture, build(TrainingConfig, options, "retrain")


def retrain(run_dir=None, arch: Optional[str] = None, settings: Optional[dict] = None, output=None,
            space=None, progress: bool = False, log=print) -> dict:
    """Retrain and export one architecture; returns the ``retrain.json`` record (accuracies in
    percent, ``parameters`` without an auxiliary head, seconds, the export check).

    ``run_dir``: a search run (its best architecture, space and data); ``arch`` overrides the
    architecture and ``space`` names one without a run. ``settings`` override
    :class:`~nasearch.training.TrainingConfig` options. ``output`` defaults to ``run_dir/retrain``.
    """
    import torch

    from .objective import load_data

    space, architecture, config = resolve(run_dir, space, arch, settings)
    if output is None:
        if run_dir is None:
            raise ConfigError("retrain without a run directory needs --out, the folder to write into")
        output = Path(run_dir) / RETRAIN_FOLDER
    folder = RunDirectory(output)
    record = {"space": space.name, "arch": space.to_string(architecture), "training": to_dict(config)}
    _check_folder(folder, record)
    if folder.has(RETRAIN_RESULT):
        import json

        log(f"{folder.path} already holds this retraining's result")
        return json.loads(folder.read_text(RETRAIN_RESULT))
    device = device_for(config)   # a bad device or dataset fails before anything is written
    data = full_training_set(load_data(config))
    folder.path.mkdir(parents=True, exist_ok=True)
    folder.write_yaml(RETRAIN_CONFIG, record)

    held_out = "test" if data.x_test is not None else "val"
    trainer = seeded_trainer(space, architecture, config, data, device,
                             component_rng(config.seed, "retrain", record["arch"]))
    if folder.has(RETRAIN_CHECKPOINT):
        try:
            trainer.load(torch.load(folder.file(RETRAIN_CHECKPOINT), map_location=device, weights_only=False))
        except Exception as error:   # cut short by a full disk, or written by other code
            raise ConfigError(f"{str(folder.file(RETRAIN_CHECKPOINT))!r} is damaged ({type(error).__name__}); "
                              "delete it to restart the training from epoch 0") from None
        log(f"resumed after epoch {trainer.epochs_done} of {config.epochs}")
    bar, accuracy = None, None
    if progress:
        from ..progress import progress_bar

        bar = progress_bar(config.epochs, trainer.epochs_done, "retrain epochs", "epochs")
    try:
        while trainer.epochs_done < config.epochs:
            start = time.perf_counter()
            train = trainer.train_epoch()
            accuracy = trainer.accuracy(data.x_val, data.y_val)
            folder.write_with(RETRAIN_CHECKPOINT, lambda path: torch.save(trainer.state(), path))
            folder.append_json_line(RETRAIN_LOG, {"epoch": trainer.epochs_done, "train": round(train, 4),
                                                  held_out: round(accuracy, 4),
                                                  "seconds": round(time.perf_counter() - start, 3)})
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(f"{held_out} {accuracy:.2f}%")
    finally:
        if bar is not None:
            bar.close()
    # the last epoch's held-out accuracy; measured afresh only when every epoch was done before a resume
    final = accuracy if accuracy is not None else trainer.accuracy(data.x_val, data.y_val)
    result = {**record, "epochs": config.epochs, held_out: final,
              "parameters": sum(p.numel() for name, p in trainer.model.named_parameters()
                                if not name.startswith("auxiliary_head.")),
              "train_seconds": sum(line["seconds"] for line in folder.read_json_lines(RETRAIN_LOG)),
              **export(folder, space, architecture, trainer.model, data)}
    folder.write_json(RETRAIN_RESULT, result)
    log(f"{held_out} accuracy {final:.2f}% after {config.epochs} epochs; {result['parameters']:,} parameters; "
        f"files in {folder.path}")
    return result


def _check_folder(folder: RunDirectory, record: dict) -> None:
    """Refuse an output folder that holds a retraining with other settings (never overwrite it)."""
    if not folder.has(RETRAIN_CONFIG):
        if folder.path.exists() and any(folder.path.iterdir()):
            raise ConfigError(f"{str(folder.path)!r} is not empty and holds no retraining; choose another --out")
        return
    saved = folder.read_yaml(RETRAIN_CONFIG)
    if saved != record and not folder.has(RETRAIN_CHECKPOINT):   # no epoch finished: nothing to lose
        return
    if saved != record:
        changed = sorted(k for k in set(saved.get("training", {})) | set(record["training"])
                         if saved.get("training", {}).get(k) != record["training"].get(k))
        what = "another architecture" if saved.get("arch") != record["arch"] else f"other settings ({', '.join(changed)})"
        raise ConfigError(f"{str(folder.path)!r} holds a retraining with {what}; rerun with its settings to "
                          "resume it, or choose another --out")


def export(folder: RunDirectory, space, architecture, model, data) -> dict:
    """Write the weights, TorchScript and ONNX files and the architecture's notation; returns
    ``{"onnx_max_difference": ..., "torchscript_max_difference": ...}`` (largest absolute logit
    differences from PyTorch on :data:`CHECK_IMAGES` held-out images)."""
    with warnings.catch_warnings():   # TorchScript's deprecation and the ONNX exporter's notes
        warnings.simplefilter("ignore")
        return _export(folder, space, architecture, model, data)


def _export(folder: RunDirectory, space, architecture, model, data) -> dict:
    import numpy as np
    import torch

    # eval mode: no auxiliary head output, no drop path
    network = copy.deepcopy(model).to("cpu", memory_format=torch.contiguous_format).float().eval()
    weights = {k: v for k, v in network.state_dict().items() if not k.startswith("auxiliary_head.")}
    folder.write_with(WEIGHTS, lambda path: torch.save(weights, path))
    images = data.batch(data.x_val[:CHECK_IMAGES], torch.device("cpu"))
    with torch.no_grad():
        expected = network(images).numpy()
        traced = torch.jit.trace(network, images[:1])
    folder.write_with(TORCHSCRIPT, lambda path: torch.jit.save(traced, str(path)))
    reloaded = torch.jit.load(str(folder.file(TORCHSCRIPT)))
    with torch.no_grad():
        scripted = reloaded(images).numpy()
    try:
        folder.write_with(ONNX_MODEL, lambda path: torch.onnx.export(
            network, (images[:1],), str(path), dynamo=False, input_names=["images"], output_names=["logits"],
            dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}}))
    except Exception as error:   # the exporter's own message, in one line
        raise NasearchError(f"ONNX export failed ({type(error).__name__}: {str(error).splitlines()[0]}); the weights "
                            f"and TorchScript file are in {folder.path}") from None
    import onnxruntime

    session = onnxruntime.InferenceSession(str(folder.file(ONNX_MODEL)), providers=["CPUExecutionProvider"])
    onnx_logits = session.run(["logits"], {"images": images.numpy()})[0]
    onnx_difference = float(np.abs(onnx_logits - expected).max())
    if onnx_difference > ONNX_TOLERANCE:
        raise NasearchError(f"the ONNX export's logits differ from PyTorch's by {onnx_difference:.2e} "
                            f"(> {ONNX_TOLERANCE:g}); use the TorchScript file in {folder.path}")
    notation = space.export(architecture)
    folder.write_text(ARCHITECTURE, (f"{notation}\n" if notation else "") + f"{space.to_string(architecture)}\n")
    return {"onnx_max_difference": onnx_difference,
            "torchscript_max_difference": float(np.abs(scripted - expected).max())}
