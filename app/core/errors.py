"""The errors the front ends tell apart.

One base class, and a subclass only where a front end must react differently.
Every message is one readable line meant for the user.
"""

from __future__ import annotations


class EnclaveError(Exception):
    """Any failure a user should read as one line, not as a traceback."""


class ModelFileError(EnclaveError):
    """A model file is missing, corrupt, truncated or not a model this build can run."""


class ModelLoadError(EnclaveError):
    """llama.cpp refused or failed to load a model that passed validation."""


class ContextOverflowError(EnclaveError):
    """A prompt does not fit into the model's context window."""


class NetworkBlockedError(EnclaveError):
    """A socket operation towards a non-local address was refused by the network guard."""


class Cancelled(EnclaveError):
    """The user cancelled the operation; front ends show nothing."""


class NoModelError(EnclaveError):
    """No model is installed or chosen; front ends guide the user to get one."""


class ToolError(EnclaveError):
    """A tool refused or failed; the message goes back to the model so it can retry."""


class RemoteError(EnclaveError):
    """A configured endpoint refused or failed a request (the front end may offer the local model)."""
