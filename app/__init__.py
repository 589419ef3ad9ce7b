"""Enclave: an offline coding assistant over a local model."""

__version__ = "0.1.0"
