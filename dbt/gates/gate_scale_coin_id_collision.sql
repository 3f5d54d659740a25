-- gate_scale: no two natural keys (house, sale, lot) share a coin_id (a collision is never an overwrite).
{{ config(tags=['gate_scale']) }}
select coin_id,
       count(distinct (house, sale, lot)) as natural_keys,
       string_agg(distinct house || '/' || sale || '/' || lot, ', ') as keys
from {{ ref('stg_lots') }}
group by coin_id
having count(distinct (house, sale, lot)) > 1
