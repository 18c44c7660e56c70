"""Predictor evaluation: the EmProx paper's protocol and its metrics."""
from .metrics import prediction_metrics
from .protocol import EvaluateConfig, PredictorSpec, run_evaluation

__all__ = ["prediction_metrics", "EvaluateConfig", "PredictorSpec", "run_evaluation"]
