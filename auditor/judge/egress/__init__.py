"""Egress judgement: which external servers each device talks to, and whether anyone expected it.

capture (probes.egress, run by auditor.run.egress) -> labels and countries (labels.py,
endpoints.toml) -> findings (findings.py, checked against each device's latest audit) -> store
(models.egress).
"""
