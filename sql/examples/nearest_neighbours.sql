-- The 10 nearest neighbours of one coin by its pair vector, with the lot details
-- (the same as sql/similar.sql with fixed arguments, easier to type):
--   psql "$(nummus db url)" -v coin_id=123 -f sql/examples/nearest_neighbours.sql
SELECT n.coin_id, round(n.cosine::numeric, 4) AS cosine, c.period, c.denomination, c.house, c.sale,
       c.lot, c.title, c.price, c.currency
  FROM nummus_similar(:'coin_id'::bigint, 'pair', 10) n
  JOIN coins c ON c.coin_id = n.coin_id
 ORDER BY n.cosine DESC;
