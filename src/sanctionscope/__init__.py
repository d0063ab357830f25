"""sanctionscope: sanctions lists, tracked and screened."""

__version__ = "0.1.0"
