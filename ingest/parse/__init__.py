"""Parse: lot text → period, denomination, ruler, mint, metal, weight, size, die axis, date,
references, grade and provenance (`parse_lot`), and the batch step that writes `raw.labels`
(`nummus.ingest.parse.batch.parse_pending`)."""

from nummus.ingest.parse.labels import PARSER_VERSION, PERIODS, Found, Labels, Reference
from nummus.ingest.parse.parser import parse_lot

__all__ = ["PARSER_VERSION", "PERIODS", "Found", "Labels", "Reference", "parse_lot"]
