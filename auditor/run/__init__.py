"""Orchestration and I/O: discovery and targets, credentials, the per-device audit that calls the
probes, the protocol gate, egress capture runs, and the writes to the store. Judgement is delegated
to `auditor.judge`; nothing here renders for the user."""

DEFAULT_CONCURRENCY = 16   # devices audited at once (here, light, so the CLI's --help needs no probes)
