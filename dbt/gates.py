"""Phase gates: `nummus gate NAME` = `dbt build --select tag:NAME` on the built warehouse.

The gates (docs/design.md, "Phase gates") are dbt tests tagged with the gate's name:
  gate_scale     every scraped coin reaches marts.coins, no coin_id collision, crops/period/
                 denomination present for coins that pass vision, every crop file exists
  gate_freeze    period >= 90 %, denomination >= 80 %, every coin cropped at the current
                 crop_version, freeze records complete
  gate_go        QA report for the current coins, dry-run embedding sample: shape, unit norms, no NaN
  gate_clean     (PostgreSQL) one vector per coin, no orphans, counts equal, unit norms
  gate_embedded  (PostgreSQL) vectors = frozen rows, norms, round-trip cosine > 0.95
A gate passes when it ran at least one test and every test returned no failing rows.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from nummus.dbt.build import GATES, POSTGRES_GATES, BuildResult, TestOutcome, refresh_object_listing, run_dbt
from nummus.errors import NummusError
from nummus.settings import Settings, get_settings


class UnknownGate(NummusError):
    pass


class GateResult(BaseModel):
    name: str
    passed: bool
    seconds: float
    tests: list[TestOutcome] = Field(default_factory=list)

    @property
    def failing(self) -> list[TestOutcome]:
        return [t for t in self.tests if not t.passed]

    def summary(self) -> dict:
        """Test name -> status and failing-row count (what the freeze manifest records)."""
        return {t.name: {"status": t.status, "failures": t.failures} for t in self.tests}


def run_gate(name: str, settings: Settings | None = None, *, dbt_vars: dict | None = None) -> GateResult:
    """Run the tests tagged `name` against the warehouse as built (run `build` first)."""
    if name not in GATES:
        raise UnknownGate(f"unknown gate {name!r}; gates: {', '.join(GATES)}")
    settings = settings or get_settings()
    if name == "gate_scale":
        refresh_object_listing(settings)  # the file-exists tests read the current listing
    result: BuildResult = run_dbt(settings, ["build", "--select", f"tag:{name}"],
                                  with_postgres=name in POSTGRES_GATES, dbt_vars=dbt_vars)
    tests = result.tests
    passed = bool(tests) and all(t.passed for t in tests) and not result.failed_models
    return GateResult(name=name, passed=passed, seconds=result.seconds, tests=tests)
