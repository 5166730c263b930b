"""camaudit's orchestrator: runs discovery, probes and classification, and writes the store."""

__version__ = "0.1.0"
DEFAULT_CONCURRENCY = 16   # devices audited at once
