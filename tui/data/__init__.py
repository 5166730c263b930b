"""Read side of the TUI: plain view models built from the store, no Textual imports.

Everything here is called from worker threads; nothing here writes to the store.
"""
