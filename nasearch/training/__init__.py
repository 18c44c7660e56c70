"""Training networks: the training objective of a search, its data, loop and checkpoints, and the
full-size retraining and export of a search's winner."""
from .config import TrainingConfig
from .data import ImageData, digits_split, folder_split
from .objective import TrainingObjective, load_data

__all__ = ["ImageData", "TrainingConfig", "TrainingObjective", "digits_split", "folder_split", "load_data"]
