"""Report formats and CSV tables by name: constants only, so the CLI can build its parser
without loading the report machinery."""

FORMATS = ("html", "md", "json", "csv")
TABLE_NAMES = ("features", "devices", "destinations", "findings", "remote_access", "data_flows")
EXTENSIONS = {"html": "html", "md": "md", "json": "json", "csv": "csv"}
