-- More like this coin: its own vector (pair, obv or rev) as the query, the coin left out.
-- Same filters and guarantees as sql/search.sql. In psql:
--   psql "$(nummus db url)" -v coin_id=123 -v side=pair -v k=10 -v period= -v denomination= \
--        -v house= -v price_min= -v price_max= -v sold_from= -v sold_to= -f sql/similar.sql
SELECT f.*, round(s.cosine::numeric, 4)::double precision AS cosine, s.path
  FROM nummus_similar(:'coin_id'::bigint,
                      :'side',
                      :'k'::integer,
                      NULLIF(:'period', ''),
                      NULLIF(:'denomination', ''),
                      NULLIF(:'house', ''),
                      NULLIF(:'price_min', '')::double precision,
                      NULLIF(:'price_max', '')::double precision,
                      NULLIF(:'sold_from', '')::date,
                      NULLIF(:'sold_to', '')::date) AS s
  JOIN search_coin_fields f ON f.coin_id = s.coin_id
 ORDER BY s.cosine DESC, s.coin_id;
