"""v4-migrate: find and rewrite retired DeepSeek model ids."""

__version__ = "0.1.0"
