"""nummus: a coin warehouse and visual search engine.

The library API lives in the step packages (`ingest`, `embed`, `app`) and in the store
connections here (`nummus.settings`, `nummus.warehouse`, `nummus.postgres`,
`nummus.objectstore`); `nummus.cli` is a thin command line over them.
"""

__version__ = "0.1.0"
