"""One module per screen; dialogs (audit, export, error, help) in `dialogs`."""
