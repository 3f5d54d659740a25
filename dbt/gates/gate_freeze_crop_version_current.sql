-- gate_freeze: every coin is cropped at the current crop_version (a stale or missing crop fails).
{{ config(tags=['gate_freeze']) }}
with have as (
    select coin_id, string_agg(crop_version, ', ' order by crop_version) as crop_versions_present
    from {{ ref('stg_crops') }} group by coin_id
)
select c.coin_id, c.house, c.sale, c.lot,
       {{ current_crop_version() }} as current_crop_version,
       h.crop_versions_present
from {{ ref('coins') }} as c
left join have as h using (coin_id)
where c.crop_version is distinct from {{ current_crop_version() }}
