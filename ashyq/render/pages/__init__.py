"""One module per page kind; each returns Page objects (or fills markers in hand-written pages)."""
