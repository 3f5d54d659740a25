-- The meta schema: records of the steps that the phase gates (dbt/gates/*.sql) and the next
-- steps read. One definition per table, here; `nummus init` (nummus.warehouse.init_warehouse)
-- runs this file after raw_tables.sql, and no step creates a meta table itself. Contract:
-- docs/contracts.md (add columns freely, rename never). IF NOT EXISTS everywhere.

-- The go/no-go dry run (`nummus embed --sample`): a sample's vectors, replaced by each dry run.
-- Read by gate_go_embed_sample.
CREATE TABLE IF NOT EXISTS meta.embed_sample (
    coin_id     BIGINT    NOT NULL,
    side        VARCHAR   NOT NULL,      -- obv | rev | pair
    vector      FLOAT[],                 -- NULL or NaN elements are the gate's to report
    encoder_id  VARCHAR,                 -- nummus.embed.encoders.EncoderId as JSON
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- The dry run's resume check: a sample embedded in two chunks, the last chunk dropped (what a
-- kill leaves) and recomputed. Read by gate_go_resumable (the latest row).
CREATE TABLE IF NOT EXISTS meta.embed_resume_check (
    source      VARCHAR   NOT NULL,      -- the freeze id
    coins       INTEGER   NOT NULL,
    identical   BOOLEAN   NOT NULL,      -- the resumed run is bit-identical to the straight one
    encoder_id  VARCHAR,
    checked_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Known coins re-embedded after an index version was loaded. Read by gate_embedded_roundtrip.
CREATE TABLE IF NOT EXISTS meta.embed_roundtrip (
    index_version  INTEGER   NOT NULL,
    coin_id        BIGINT    NOT NULL,
    cosine         DOUBLE,               -- to the stored pair vector
    checked_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- One row per QA report (`nummus qa-report`). Read by gate_go_qa_report.
CREATE TABLE IF NOT EXISTS meta.qa_reports (
    report_id   VARCHAR PRIMARY KEY,      -- qa_<timestamp>
    created_at  TIMESTAMP NOT NULL,
    coins       BIGINT NOT NULL,          -- marts.coins rows the report describes
    html_key    VARCHAR NOT NULL,
    json_key    VARCHAR NOT NULL
);

-- One row per frozen snapshot (`nummus freeze`): its manifest. Read by gate_freeze_manifests.
CREATE TABLE IF NOT EXISTS meta.freezes (
    version         VARCHAR PRIMARY KEY,   -- v1, v2, ...
    row_count       BIGINT NOT NULL,
    min_coin_id     BIGINT,
    max_coin_id     BIGINT,
    content_sha256  VARCHAR NOT NULL,
    manifest_key    VARCHAR NOT NULL,
    parquet_key     VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL
);

-- The period classifier's train/val/test split per index version (`nummus train period`):
-- a coin keeps its split across runs, near-duplicates share one.
CREATE TABLE IF NOT EXISTS meta.period_splits (
    index_version INTEGER NOT NULL,
    coin_id       BIGINT  NOT NULL,
    grp           BIGINT  NOT NULL,   -- smallest coin_id of the coin's near-duplicate group
    split         VARCHAR NOT NULL,   -- train | val | test
    period        VARCHAR,
    created_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (index_version, coin_id)
);
