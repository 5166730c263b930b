"""Pure rules: observations in, verdicts and findings out. Classification, taxonomy, identity
resolution, findings, exposure, advisories and egress labels/findings. No network, no store writes,
no UI: every function here can be tested with values alone."""
