"""benchmarks/ (`nummus.bench`): `nummus bench …` (JSON figures) and the synthetic data the
benchmarks and tests are made of (`synthetic`). Nothing in a step imports from here."""
