"""Parts of bench/org_bench.py: real audits to clone, the bulk fill, and query plans."""
