-- Likely the same coin sold again (its provenance chain): pairs of coins from different sales
-- whose pair vectors have cosine >= threshold. Each coin's 5 nearest neighbours are checked
-- (one index search per coin: ~2 ms each, so give a period on big indexes).
--   psql "$(nummus db url)" -v threshold=0.95 -v period=roman_republican -f sql/examples/duplicates.sql
--   (-v period= for every period)
SELECT a.coin_id, ca.house, ca.sale, ca.lot, ca.closing_date,
       n.coin_id AS other_coin_id, cb.house AS other_house, cb.sale AS other_sale, cb.lot AS other_lot,
       cb.closing_date AS other_closing_date, round(n.cosine::numeric, 4) AS cosine
  FROM search_vectors a
  JOIN coins ca ON ca.coin_id = a.coin_id
  CROSS JOIN LATERAL nummus_similar(a.coin_id, 'pair', 5) n
  JOIN coins cb ON cb.coin_id = n.coin_id
 WHERE (NULLIF(:'period', '') IS NULL OR a.period = :'period')
   AND n.cosine >= :'threshold'::double precision
   AND (ca.house, ca.sale) IS DISTINCT FROM (cb.house, cb.sale)
   AND a.coin_id < n.coin_id
 ORDER BY n.cosine DESC, a.coin_id;
