"""Egress analysis: which external servers each device talks to, and whether anyone expected it.

capture (probes.egress) -> labels and countries (labels.py, endpoints.toml) -> findings
(findings.py, checked against each device's latest audit) -> store (models.egress).
"""

from auditor.egress.allow import AllowList, load_allow_list
from auditor.egress.run import (
    EgressOptions,
    analyze_files,
    classify_device,
    finish_watch,
    site_networks,
    start_watch,
    store_result,
)

__all__ = ["AllowList", "EgressOptions", "analyze_files", "classify_device", "finish_watch", "load_allow_list",
           "site_networks", "start_watch", "store_result"]
