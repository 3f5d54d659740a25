"""dbt/ (`nummus.dbt`): the warehouse step. The dbt project (sources → staging → marts.coins,
tests tagged as phase gates) and the Python that drives it: `build` (dbt build in-process),
`gates` (one gate = `dbt build --select tag:NAME`), `qa_report`, `freeze` (frozen.coins_vN +
Parquet + manifest)."""

from pkgutil import extend_path

# dbt-core's `dbt` is a pkgutil-style namespace package. Where the checkout's root is on sys.path
# (`python -m …` run inside the checkout) this folder is found first as top-level `dbt`; extending
# its path lets `import dbt.cli` go on to dbt-core as before. As `nummus.dbt` it changes nothing.
__path__ = extend_path(__path__, __name__)
