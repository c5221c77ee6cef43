"""The embedded OrderCloud sandbox: a local, stateful, spec-driven imitation of OrderCloud."""

from .server import EmbeddedSandbox, SandboxError

__all__ = ["EmbeddedSandbox", "SandboxError"]
