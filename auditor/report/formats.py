"""Report formats and CSV tables by name: constants only, so the CLI can build its parser
without loading the report machinery."""

FORMATS = ("html", "pdf", "md", "json", "csv")
TABLE_NAMES = ("features", "devices", "destinations", "findings", "remote_access", "data_flows")
EXTENSIONS = {"html": "html", "pdf": "pdf", "md": "md", "json": "json", "csv": "csv"}
