"""Egress runs: which external servers each device talked to, per capture. Split the way the audit
side is: `values` (what the orchestrator produces and every reader gets back), `tables` (SQLModel
rows, created by `open_store` with the audit tables) and `store` (the keyword-only `record_…` /
`get_…` / `list_…` functions). Import from the submodule you need: judgement reads `values` only.
"""
