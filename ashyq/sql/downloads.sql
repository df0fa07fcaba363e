-- Queries of the downloads stage (downloads.py), one election at a time ($e), over all its contests
-- and levels at once: the result tables are split per contest and level in Polars when written.
-- Each block starts with "-- name: <name>"; {placeholders} are filled from the contract by downloads.py.

-- name: download_sources
-- The figures each result table row gives: per contest and unit the unit's own protocol or the sum of
-- its stations, by priority (a unit's own protocol beats a sum; among sources, official first).
CREATE OR REPLACE TEMP TABLE download_sources AS
WITH candidates AS (
    SELECT p.contest_id, p.unit_id, u.level, p.source_id, false AS is_sum, s.kind AS source_kind,
           {own_rank} AS priority
    FROM protocols p
    JOIN sources s ON s.election_id = p.election_id AND s.source_id = p.source_id
    JOIN units u ON u.election_id = p.election_id AND u.unit_id = p.unit_id
    WHERE p.election_id = $e
    UNION ALL
    SELECT ss.contest_id, ss.unit_id, u.level, ss.source_id, true, s.kind, {sum_rank}
    FROM station_sums ss
    JOIN sources s ON s.election_id = ss.election_id AND s.source_id = ss.source_id
    JOIN units u ON u.election_id = ss.election_id AND u.unit_id = ss.unit_id
    WHERE ss.election_id = $e
)
SELECT * FROM candidates
QUALIFY row_number() OVER (PARTITION BY contest_id, unit_id ORDER BY priority, source_id) = 1;

-- name: download_results
-- One row per contest and unit (every level): hierarchy, names, where the figures come from, every
-- protocol line; ordered by contest, level and hierarchy (each unit's path from the root as
-- (number in its code, code, id), so "District 2" comes before "District 10").
WITH ancestor_columns AS (
    SELECT a.unit_id{ancestor_columns}
    FROM unit_ancestors a
    JOIN unit_tree au ON au.election_id = a.election_id AND au.unit_id = a.ancestor_id
    WHERE a.election_id = $e AND a.distance > 0 AND au.depth > 0
      AND a.unit_id IN (SELECT unit_id FROM download_sources)
    GROUP BY a.unit_id
),
extra_columns AS (
    SELECT c.contest_id, c.unit_id{extra_columns}
    FROM download_sources c
    JOIN protocol_extra_values x ON NOT c.is_sum AND x.election_id = $e AND x.contest_id = c.contest_id
         AND x.unit_id = c.unit_id AND x.source_id = c.source_id
    GROUP BY c.contest_id, c.unit_id
)
SELECT c.contest_id, u.level, u.unit_id,
       {ancestor_select}
       u.commission, u.code, u.name_kk, u.name_ru, u.name_en, u.address,
       c.source_id,
       CASE WHEN NOT c.is_sum
            THEN replace(c.source_kind, '_', ' ') || CASE WHEN c.source_kind = 'official' THEN ' protocol' ELSE '' END
            ELSE printf('sum of %d of %d stations', ss.stations_with_protocol, ss.stations_total)
                 || CASE WHEN NOT ss.complete OR ss.stations_with_protocol < ss.stations_total
                              OR {fewest_published} < ss.stations_with_protocol THEN ', partial' ELSE '' END
                 || coalesce(' (' || nullif(concat_ws('; ',
                        CASE WHEN NOT ss.complete THEN 'the package lists only some of its stations' END,
                        CASE WHEN {fewest_published} < ss.stations_with_protocol
                             THEN printf('some lines published at only %d', {fewest_published}) END), '') || ')', '')
       END AS figures,
       {lines},
       {extra_select}
       p.turnout_percent
FROM download_sources c
JOIN units u ON u.election_id = $e AND u.unit_id = c.unit_id
JOIN unit_sort_paths k ON k.election_id = $e AND k.unit_id = c.unit_id
LEFT JOIN protocols p ON NOT c.is_sum AND p.election_id = $e AND p.contest_id = c.contest_id
     AND p.unit_id = c.unit_id AND p.source_id = c.source_id
LEFT JOIN station_sums ss ON c.is_sum AND ss.election_id = $e AND ss.contest_id = c.contest_id
     AND ss.unit_id = c.unit_id AND ss.source_id = c.source_id
LEFT JOIN ancestor_columns an ON an.unit_id = c.unit_id
LEFT JOIN extra_columns ex ON ex.contest_id = c.contest_id AND ex.unit_id = c.unit_id
ORDER BY c.contest_id, u.level, k.sort_path, u.code, u.unit_id;

-- name: download_votes
-- The votes (and percents, where published) of each row of download_results, one row per choice.
SELECT c.contest_id, c.unit_id, v.choice_id, max(v.votes) AS votes, max(v.percent) AS percent
FROM download_sources c
JOIN (SELECT contest_id, unit_id, source_id, choice_id, votes, percent, false AS is_sum
      FROM votes WHERE election_id = $e
      UNION ALL
      SELECT contest_id, unit_id, source_id, choice_id, votes, NULL::DOUBLE, true
      FROM vote_sums WHERE election_id = $e) v
  ON v.contest_id = c.contest_id AND v.unit_id = c.unit_id AND v.source_id = c.source_id AND v.is_sum = c.is_sum
GROUP BY c.contest_id, c.unit_id, v.choice_id
ORDER BY c.contest_id, c.unit_id, v.choice_id;

-- name: download_choices
-- Every contest's choices in ballot order, with whether any percent is published for them.
SELECT ch.contest_id, ch.choice_id, coalesce(ch.name_en, ch.name_ru, ch.name_kk, ch.choice_id) AS name,
       EXISTS (SELECT 1 FROM votes v WHERE v.election_id = ch.election_id AND v.contest_id = ch.contest_id
               AND v.choice_id = ch.choice_id AND v.percent IS NOT NULL) AS has_percent
FROM choices ch WHERE ch.election_id = $e ORDER BY ch.contest_id, ch.ballot_order, ch.choice_id;

-- name: download_ancestor_levels
-- Per level, the levels its units have as ancestors (the single root left out).
SELECT DISTINCT u.level, au.level AS ancestor_level
FROM unit_ancestors a
JOIN units u ON u.election_id = a.election_id AND u.unit_id = a.unit_id
JOIN unit_tree au ON au.election_id = a.election_id AND au.unit_id = a.ancestor_id
WHERE a.election_id = $e AND a.distance > 0 AND au.depth > 0;

-- name: download_unit_protocols
-- Every published protocol of the stations below each unit of level $level (the root left out: its
-- stations are the whole package, in its zip), as published, with the station's code and names; one
-- row per unit and station protocol, by unit, then hierarchy, contest and source. $kept: regions
-- whose units' files are kept from the previous build (render/reuse.py), left out.
WITH members AS (
    SELECT m.unit_id AS folder_id, m.station_id
    FROM station_members m
    JOIN unit_tree t ON t.election_id = m.election_id AND t.unit_id = m.unit_id
    WHERE m.election_id = $e AND t.level = $level AND t.depth > 0
      AND NOT EXISTS (SELECT 1 FROM unit_ancestors a  -- a unit of a region kept from the previous build
                      WHERE a.election_id = $e AND a.unit_id = m.unit_id
                        AND list_contains($kept::VARCHAR[], a.ancestor_id))
)
SELECT m.folder_id, u.code, u.name_kk, u.name_ru, u.name_en, p.* EXCLUDE (election_id)
FROM members m
JOIN protocols_published p ON p.election_id = $e AND p.unit_id = m.station_id
JOIN units u ON u.election_id = $e AND u.unit_id = m.station_id
JOIN unit_sort_paths k ON k.election_id = $e AND k.unit_id = m.station_id
ORDER BY m.folder_id, k.sort_path, u.code, p.unit_id, p.contest_id, p.source_id;

-- name: download_unit_votes
-- The votes of the same stations, one row per unit, station protocol and choice (ballot order).
WITH members AS (
    SELECT m.unit_id AS folder_id, m.station_id
    FROM station_members m
    JOIN unit_tree t ON t.election_id = m.election_id AND t.unit_id = m.unit_id
    WHERE m.election_id = $e AND t.level = $level AND t.depth > 0
      AND NOT EXISTS (SELECT 1 FROM unit_ancestors a  -- a unit of a region kept from the previous build
                      WHERE a.election_id = $e AND a.unit_id = m.unit_id
                        AND list_contains($kept::VARCHAR[], a.ancestor_id))
)
SELECT m.folder_id, v.* EXCLUDE (election_id)
FROM members m
JOIN votes v ON v.election_id = $e AND v.unit_id = m.station_id
JOIN units u ON u.election_id = $e AND u.unit_id = m.station_id
JOIN unit_sort_paths k ON k.election_id = $e AND k.unit_id = m.station_id
LEFT JOIN choices ch ON ch.election_id = $e AND ch.contest_id = v.contest_id AND ch.choice_id = v.choice_id
ORDER BY m.folder_id, k.sort_path, u.code, v.unit_id, v.contest_id, v.source_id, ch.ballot_order, v.choice_id;

-- name: download_unit_levels
-- Levels of the units that get a download of their stations: above the stations, below the root.
SELECT DISTINCT t.level
FROM station_members m
JOIN unit_tree t ON t.election_id = m.election_id AND t.unit_id = m.unit_id
WHERE m.election_id = $e AND t.level <> 'station' AND t.depth > 0;
