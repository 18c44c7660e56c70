"""The sequence autoencoder whose encoder defines EmProx's embedding space."""
from .autoencoder import AutoencoderConfig, SequenceAutoencoder

__all__ = ["AutoencoderConfig", "SequenceAutoencoder"]
