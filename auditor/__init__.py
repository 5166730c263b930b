"""camaudit: an on-premises CCTV capability auditor. The rooms of this package are described in
ARCHITECTURE.md: cli -> commands -> report -> run -> judge, over models and probes."""

__version__ = "0.1.0"
