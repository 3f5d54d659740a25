-- One row per coin: the latest snapshot of each lot (withdrawn lots left out), its crops at the
-- current crop_version (var crop_version, default the newest), its labels of the latest parse
-- (var parser_version pins one) and the photo's hash. A coin_id shared by two natural keys
-- keeps one row here and fails gate_scale (gate_scale_coin_id_collision), never overwrites.
with latest_lots as (
    select * from {{ ref('stg_lots') }}
    where is_latest_version and lot_status <> 'withdrawn'
    qualify row_number() over (partition by coin_id order by house, sale, lot) = 1
),

crops as (
    select * from {{ ref('stg_crops') }}
    where crop_version = {{ current_crop_version() }}
),

labels as (
    select * from {{ ref('stg_labels') }}
    {% if var('parser_version') is not none %}where parser_version = '{{ var("parser_version") }}'{% endif %}
    qualify row_number() over (partition by coin_id order by parsed_at desc, parser_version desc) = 1
),

main_images as (
    select coin_id, image_sha256 from {{ ref('stg_images') }}
    where image_n = 0
    qualify row_number() over (partition by coin_id order by fetched_at desc) = 1
)

select
    l.coin_id,
    l.house,
    l.sale,
    l.lot,
    l.lot_version,
    l.lot_url,
    l.title,
    l.description,
    l.estimate_low,
    l.estimate_high,
    l.price,
    l.price_kind,
    l.currency,
    l.closing_date,
    coalesce(c.image_sha256, i.image_sha256) as image_sha256,
    c.layout,
    c.obv_key,
    c.rev_key,
    c.obv_small_key,
    c.rev_small_key,
    c.obv_flags,
    c.rev_flags,
    c.crop_status,
    c.crop_confidence,
    c.crop_version,
    p.period,
    p.period_conf,
    p.denomination,
    p.denomination_conf,
    p.metal,
    p.authority,
    p.dynasty,
    p.mint,
    p.date_from,
    p.date_to,
    p.weight_g,
    p.diameter_mm,
    p.die_axis_h,
    p."references",
    p.grade,
    p.provenance,
    p.parser_version,
    p.needs_review
from latest_lots as l
left join crops as c on c.coin_id = l.coin_id
left join labels as p on p.coin_id = l.coin_id
left join main_images as i on i.coin_id = l.coin_id
