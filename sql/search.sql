-- The search (docs/design.md, "Search"): the k coins most like a query vector, with the fields the
-- app shows. app2 and `nummus search` send exactly this text, every value bound
-- (app/queries.py turns :'name' into a bound parameter). Exactly min(k, matching coins) rows,
-- at any filter selectivity; why and how fast: sql/README.md.
--
-- side: pair (a two-sided query against pair vectors), obv or rev (a one-sided query against
-- that side). Filters left empty ('') are off. In psql:
--   psql "$(nummus db url)" -v query="$(cat q.txt)" -v side=pair -v k=10 -v period=greek \
--        -v denomination= -v house= -v price_min= -v price_max= -v sold_from= -v sold_to= \
--        -f sql/search.sql
SELECT f.*, round(s.cosine::numeric, 4)::double precision AS cosine, s.path
  FROM nummus_search(:'query'::halfvec,
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
