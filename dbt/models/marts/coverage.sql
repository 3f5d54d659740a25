-- Coverage for analysts: per house, sale and period, how many coins and how complete they are.
select
    house,
    sale,
    coalesce(period, '(none)')                                              as period,
    count(*)::bigint                                                        as coins,
    round(avg((denomination is not null)::integer), 4)::double              as share_denomination,
    round(avg((authority is not null)::integer), 4)::double                 as share_authority,
    round(avg((mint is not null)::integer), 4)::double                      as share_mint,
    round(avg((date_from is not null)::integer), 4)::double                 as share_dated,
    round(avg((weight_g is not null)::integer), 4)::double                  as share_weight,
    round(avg((obv_key is not null and rev_key is not null)::integer), 4)::double as share_cropped,
    round(avg((crop_status = 'green')::integer), 4)::double                 as share_crop_green,
    round(avg((price is not null)::integer), 4)::double                     as share_priced,
    round(avg(period_conf), 4)::double                                      as mean_period_conf
from {{ ref('coins') }}
group by all
