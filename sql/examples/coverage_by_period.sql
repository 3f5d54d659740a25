-- Coverage: per period, how many coins there are and how many the serving index can find
-- (index ∪ delta). psql "$(nummus db url)" -f sql/examples/coverage_by_period.sql
SELECT coalesce(c.period, '(none)')                               AS period,
       count(*)                                                    AS coins,
       count(v.coin_id)                                            AS with_vectors,
       round(100.0 * count(v.coin_id) / count(*), 1)::double precision AS pct_with_vectors,
       count(*) FILTER (WHERE v.in_delta)                          AS in_delta
  FROM coins c
  LEFT JOIN search_vectors v ON v.coin_id = c.coin_id
 GROUP BY 1
 ORDER BY coins DESC, period;
