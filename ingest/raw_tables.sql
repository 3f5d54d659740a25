-- The raw schema: what ingest, vision and parse write. dbt reads it as sources.
-- Contract: column names and meanings are relied on by dbt/ staging models; add columns
-- freely, rename never. Runs on every `nummus init` (IF NOT EXISTS everywhere).

-- One row per lot page snapshot. A changed page adds version+1, never overwrites.
CREATE TABLE IF NOT EXISTS raw.lots (
    coin_id        BIGINT    NOT NULL,   -- nummus.identity.coin_id(house, sale, lot)
    house          VARCHAR   NOT NULL,
    sale           VARCHAR   NOT NULL,
    lot            VARCHAR   NOT NULL,
    version        INTEGER   NOT NULL,   -- snapshot version of this lot, 1, 2, ...
    lot_url        VARCHAR,
    title          VARCHAR,
    description    VARCHAR,
    estimate_low   DOUBLE,
    estimate_high  DOUBLE,
    price          DOUBLE,               -- hammer or current price
    price_kind     VARCHAR,              -- hammer | current | starting | unsold | null
    currency       VARCHAR,              -- ISO 4217
    closing_date   DATE,
    image_urls     VARCHAR[],
    lot_status     VARCHAR   NOT NULL DEFAULT 'ok',  -- ok | withdrawn
    page_key       VARCHAR,              -- object store key of the gzipped HTML snapshot
    content_sha256 VARCHAR,              -- hash of the parsed content (decides a new version)
    source         VARCHAR   NOT NULL,   -- scrape | import
    fetched_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (house, sale, lot, version)
);

-- One row per image of a lot, downloaded once (content hash).
CREATE TABLE IF NOT EXISTS raw.images (
    coin_id     BIGINT   NOT NULL,
    house       VARCHAR  NOT NULL,
    sale        VARCHAR  NOT NULL,
    lot         VARCHAR  NOT NULL,
    n           INTEGER  NOT NULL,       -- 0 = the lot's main photo
    url         VARCHAR,
    sha256      VARCHAR  NOT NULL,
    object_key  VARCHAR  NOT NULL,       -- raw/{house}/{sale}/{lot}/{n}.{ext}
    format      VARCHAR,                 -- jpeg | png | webp | ...
    width       INTEGER,
    height      INTEGER,
    bytes       BIGINT,
    fetched_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (house, sale, lot, n)
);

-- The crawl queue: resumable scraping state.
CREATE TABLE IF NOT EXISTS raw.crawl_queue (
    house       VARCHAR NOT NULL,
    sale        VARCHAR NOT NULL,
    lot         VARCHAR NOT NULL,
    url         VARCHAR,
    status      VARCHAR NOT NULL DEFAULT 'pending',  -- pending | done | missing | withdrawn | failed
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  VARCHAR,
    updated_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (house, sale, lot)
);

-- Bad input of any step, with the reason. Never blocks the run. Written by nummus/quarantine.py
-- only: one row per (stage, reason, house, sale, lot, coin_id, ref), NULLs equal (docs/contracts.md).
CREATE SEQUENCE IF NOT EXISTS raw.quarantine_seq;
CREATE TABLE IF NOT EXISTS raw.quarantine (
    id          BIGINT  NOT NULL DEFAULT nextval('raw.quarantine_seq') PRIMARY KEY,
    stage       VARCHAR NOT NULL,        -- scrape|image|import|vision|parse|embed|classify|cluster|search
    house       VARCHAR,
    sale        VARCHAR,
    lot         VARCHAR,
    coin_id     BIGINT,
    ref         VARCHAR,                 -- URL, file path or object key concerned
    reason      VARCHAR NOT NULL,        -- short machine-readable reason, e.g. http_404, not_an_image
    detail      VARCHAR,                 -- human-readable detail
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Vision output: one row per coin and crop_version.
CREATE TABLE IF NOT EXISTS raw.crops (
    coin_id        BIGINT  NOT NULL,
    crop_version   VARCHAR NOT NULL,     -- derived from the settings that change pixels
    image_sha256   VARCHAR,              -- the source photo
    layout         VARCHAR NOT NULL,     -- pair_horizontal | pair_vertical | single | group | none
    side_rule      VARCHAR,              -- which rule assigned obverse/reverse
    obv_key        VARCHAR,              -- crops/v{crop_version}/{coin_id}_obv.jpg
    rev_key        VARCHAR,
    obv_small_key  VARCHAR,              -- 224 px variant for embedding
    rev_small_key  VARCHAR,
    obv_flags      VARCHAR[],
    rev_flags      VARCHAR[],
    status         VARCHAR NOT NULL,     -- green | yellow | red
    reasons        VARCHAR[],
    confidence     DOUBLE,
    detection      JSON,                 -- circles, masks summary, timings
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (coin_id, crop_version)
);

-- Parse output: one row per coin and parser_version.
CREATE TABLE IF NOT EXISTS raw.labels (
    coin_id            BIGINT  NOT NULL,
    parser_version     VARCHAR NOT NULL,
    lot_version        INTEGER,          -- raw.lots.version that was parsed
    period             VARCHAR,          -- greek | roman_republican | ... | non_coin | needs_review
    period_conf        DOUBLE,
    denomination       VARCHAR,
    denomination_conf  DOUBLE,
    metal              VARCHAR,
    authority          VARCHAR,
    dynasty            VARCHAR,
    reign_from         INTEGER,
    reign_to           INTEGER,
    mint               VARCHAR,
    date_from          INTEGER,          -- signed years, BC negative
    date_to            INTEGER,
    weight_g           DOUBLE,
    diameter_mm        DOUBLE,
    die_axis_h         INTEGER,
    "references"       JSON,             -- [{"catalogue": "RIC", "number": "II 123"}, ...]
    grade              VARCHAR,
    provenance         VARCHAR,
    needs_review       BOOLEAN,
    evidence           JSON,             -- field -> matched span
    parsed_at          TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (coin_id, parser_version)
);

-- Listing of the object store (refreshed before a build) so that dbt tests can check files exist.
CREATE TABLE IF NOT EXISTS raw.objects (
    object_key  VARCHAR NOT NULL PRIMARY KEY,
    bytes       BIGINT,
    listed_at   TIMESTAMP NOT NULL DEFAULT current_timestamp
);
