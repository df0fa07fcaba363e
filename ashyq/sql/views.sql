-- The query layer: every page and download reads these, never the raw tables directly.
-- Placeholders in braces are filled from the contract by model.py (line_sums: one sum and one
-- count of published values per protocol line, in protocol order; derived_lines / derived_flags:
-- model.DERIVED_TOTALS).

-- Every protocol as published, with the totals the protocol derives from its parts filled in ONCE
-- here, where the total is not published and every part is (<line>_derived = true). A part that no
-- protocol of the contest publishes is not on that form and counts as 0. has_figures: the protocol
-- publishes at least one figure (a line or a vote); a listed protocol without any is "listed, not
-- published" and counts as published nowhere.
CREATE TABLE protocols AS
WITH forms AS (
    -- whether the contest's form has each part at all: some protocol of the contest publishes it
    SELECT election_id, contest_id,
           {form_has}
    FROM protocols_published GROUP BY ALL
), flagged AS (
    SELECT p.*, f.* EXCLUDE (election_id, contest_id),
       {derived_flags}
    FROM protocols_published p JOIN forms f USING (election_id, contest_id)
), voted AS (
    SELECT DISTINCT election_id, contest_id, unit_id, source_id FROM votes WHERE votes IS NOT NULL
)
SELECT p.* EXCLUDE ({derived_exclude}),
       {derived_lines},
       ({any_figure} OR v.unit_id IS NOT NULL) AS has_figures
FROM flagged p
LEFT JOIN voted v USING (election_id, contest_id, unit_id, source_id);

-- Every unit with each of its ancestors (itself at distance 0).
CREATE TABLE unit_ancestors AS
WITH RECURSIVE walk(election_id, unit_id, ancestor_id, distance) AS (
    SELECT election_id, unit_id, unit_id, 0 FROM units
    UNION ALL
    SELECT w.election_id, w.unit_id, u.parent_id, w.distance + 1
    FROM walk w
    JOIN units u ON u.election_id = w.election_id AND u.unit_id = w.ancestor_id
    WHERE u.parent_id IS NOT NULL
)
SELECT * FROM walk;

-- Each unit's path from the root as (number in its code, code, id): ordering by it lists units by
-- hierarchy, "District 2" before "District 10".
CREATE TABLE unit_sort_paths AS
SELECT a.election_id, a.unit_id,
       list(struct_pack(n := try_cast(nullif(regexp_extract(au.code, '^\d+'), '') AS BIGINT),
                        c := au.code, id := au.unit_id) ORDER BY a.distance DESC) AS sort_path
FROM unit_ancestors a
JOIN units au ON au.election_id = a.election_id AND au.unit_id = a.ancestor_id
GROUP BY a.election_id, a.unit_id;

-- Each unit with its depth (root = 0), its path of unit_ids from the root, and its display name.
CREATE TABLE unit_tree AS
SELECT u.*,
       a.depth,
       a.path,
       coalesce(u.name_en, u.name_ru, u.name_kk, u.code, u.unit_id) AS name,
       coalesce(c.children, 0) AS children
FROM units u
LEFT JOIN (
    SELECT election_id, parent_id AS unit_id, count(*) AS children FROM units GROUP BY ALL
) c USING (election_id, unit_id)
JOIN (
    SELECT election_id, unit_id, max(distance) AS depth,
           list(ancestor_id ORDER BY distance DESC) AS path
    FROM unit_ancestors GROUP BY election_id, unit_id
) a USING (election_id, unit_id);

-- Every station under every unit (a station is under itself).
CREATE TABLE station_members AS
SELECT a.election_id, a.ancestor_id AS unit_id, a.unit_id AS station_id
FROM unit_ancestors a
JOIN units s ON s.election_id = a.election_id AND s.unit_id = a.unit_id AND s.level = 'station';

-- The kind of each protocol's source, joined once.
CREATE VIEW protocols_sourced AS
SELECT p.*, s.kind AS source_kind, s.title AS source_title
FROM protocols p JOIN sources s USING (election_id, source_id);

-- Station protocols summed up every level of the hierarchy, per contest and per source.
-- stations_total counts the unit's stations listed with a protocol in the contest (every kind of
-- station: electronic, abroad, special count like the others); stations_with_protocol those whose
-- protocol of this source has at least one figure (a listed protocol without any is "listed, not
-- published"); <line>__n those where the line is published (or derived: <line>__derived of them).
-- A sum is partial when the unit is not marked complete or when <line>__n < stations_total.
CREATE TABLE station_sums AS
WITH in_contest AS (
    SELECT DISTINCT election_id, contest_id, unit_id AS station_id FROM protocols
)
SELECT m.election_id, c.contest_id, m.unit_id, p.source_id,
       any_value(t.stations_total) AS stations_total,
       count(*) FILTER (WHERE p.has_figures) AS stations_with_protocol,
       count(*) FILTER (WHERE NOT p.has_figures) AS stations_listed_not_published,
       (any_value(u.level) = 'station' OR coalesce(any_value(u.complete), false)) AS complete,
       {line_sums},
       {derived_counts}
FROM station_members m
JOIN in_contest c ON c.election_id = m.election_id AND c.station_id = m.station_id
JOIN protocols p ON p.election_id = m.election_id AND p.contest_id = c.contest_id AND p.unit_id = m.station_id
JOIN units u ON u.election_id = m.election_id AND u.unit_id = m.unit_id
JOIN (
    SELECT m2.election_id, c2.contest_id, m2.unit_id, count(*) AS stations_total
    FROM station_members m2
    JOIN in_contest c2 ON c2.election_id = m2.election_id AND c2.station_id = m2.station_id
    GROUP BY ALL
) t ON t.election_id = m.election_id AND t.contest_id = c.contest_id AND t.unit_id = m.unit_id
GROUP BY m.election_id, c.contest_id, m.unit_id, p.source_id;

-- Votes per choice summed the same way.
CREATE TABLE vote_sums AS
SELECT m.election_id, v.contest_id, m.unit_id, v.source_id, v.choice_id,
       sum(v.votes)::BIGINT AS votes, count(v.votes) AS votes__n
FROM station_members m
JOIN votes v ON v.election_id = m.election_id AND v.unit_id = m.station_id
GROUP BY ALL;

-- The result of each unit in each contest, per source and choice: the unit's own published figure
-- beside the sum of its stations, with what is needed to say whether that sum is partial.
CREATE VIEW vote_results AS
WITH keys AS (
    SELECT election_id, contest_id, unit_id, source_id FROM protocols
    UNION
    SELECT election_id, contest_id, unit_id, source_id FROM station_sums
)
SELECT k.election_id, k.contest_id, k.unit_id, k.source_id, src.kind AS source_kind,
       ch.choice_id, ch.ballot_order, ch.kind AS choice_kind,
       coalesce(ch.name_en, ch.name_ru, ch.name_kk) AS choice_name,
       v.votes AS own_votes, v.percent AS own_percent,
       s.votes AS sum_votes, s.votes__n AS sum_stations_reporting,
       ss.stations_total, coalesce(ss.complete, false) AS complete
FROM keys k
JOIN choices ch ON ch.election_id = k.election_id AND ch.contest_id = k.contest_id
JOIN sources src ON src.election_id = k.election_id AND src.source_id = k.source_id
LEFT JOIN votes v ON v.election_id = k.election_id AND v.contest_id = k.contest_id
     AND v.unit_id = k.unit_id AND v.source_id = k.source_id AND v.choice_id = ch.choice_id
LEFT JOIN vote_sums s ON s.election_id = k.election_id AND s.contest_id = k.contest_id
     AND s.unit_id = k.unit_id AND s.source_id = k.source_id AND s.choice_id = ch.choice_id
LEFT JOIN station_sums ss ON ss.election_id = k.election_id AND ss.contest_id = k.contest_id
     AND ss.unit_id = k.unit_id AND ss.source_id = k.source_id;

-- Turnout through the day, with the increment since the previous report of the same series.
-- turnout_percent is as published; computed_percent is recomputed from counts where both exist.
CREATE VIEW turnout_timeline AS
SELECT t.*,
       round(100.0 * t.voters_received_ballot / nullif(t.voters_on_list, 0), 2) AS computed_percent,
       t.turnout_percent - lag(t.turnout_percent) OVER series AS percent_increment,
       t.voters_received_ballot - lag(t.voters_received_ballot) OVER series AS voters_increment,
       row_number() OVER series AS report_number
FROM turnout t
WINDOW series AS (PARTITION BY t.election_id, t.contest_id, t.unit_id, t.source_id ORDER BY t.reported_at);

-- What is published at each level of each election: units, official protocols, lines, votes, turnout.
-- A unit "has an official protocol" when one of its official protocols has at least one figure; a
-- unit whose official protocols are all listed without any figure is counted apart ("listed, not
-- published").
CREATE VIEW coverage AS
SELECT u.election_id, u.level,
       count(DISTINCT u.unit_id) AS units,
       count(DISTINCT CASE WHEN p.source_kind = 'official' AND p.has_figures THEN u.unit_id END) AS units_with_official_protocol,
       count(DISTINCT CASE WHEN p.source_kind = 'official' THEN u.unit_id END)
         - count(DISTINCT CASE WHEN p.source_kind = 'official' AND p.has_figures THEN u.unit_id END)
         AS units_listed_not_published,
       count(DISTINCT CASE WHEN p.source_kind <> 'official' AND p.has_figures THEN u.unit_id END) AS units_with_other_sources,
       count(DISTINCT v.unit_id) AS units_with_votes,
       count(DISTINCT t.unit_id) AS units_with_turnout_reports
FROM units u
LEFT JOIN protocols_sourced p ON p.election_id = u.election_id AND p.unit_id = u.unit_id
LEFT JOIN (SELECT DISTINCT election_id, unit_id FROM votes WHERE votes IS NOT NULL) v
       ON v.election_id = u.election_id AND v.unit_id = u.unit_id
LEFT JOIN (SELECT DISTINCT election_id, unit_id FROM turnout) t
       ON t.election_id = u.election_id AND t.unit_id = u.unit_id
GROUP BY ALL;

-- Which protocol lines are published, per election, level and source kind: for each line, the
-- number of protocols in which it has a value.
CREATE VIEW lines_published AS
SELECT p.election_id, u.level, p.source_kind, count(*) FILTER (WHERE p.has_figures) AS protocols,
       count(*) FILTER (WHERE NOT p.has_figures) AS protocols_listed_not_published, {line_counts},
       {derived_counts}
FROM protocols_sourced p JOIN units u USING (election_id, unit_id)
GROUP BY ALL;

-- Each contest's result over its whole scope, per source and choice: the votes summed over the
-- stations with a protocol for the contest (whatever commission they belong to: a constituency is
-- the set of its stations), and the stations listed, published and not published. The winner of a
-- single-member contest is the choice with the most votes, and can be read only when every listed
-- protocol publishes every choice's votes and no other choice has as many.
CREATE TABLE contest_results AS
WITH listed AS (
    SELECT p.election_id, p.contest_id, p.source_id,
           count(*) AS stations_listed,
           count(*) FILTER (WHERE p.has_figures) AS stations_published
    FROM protocols p JOIN units u USING (election_id, unit_id)
    WHERE u.level = 'station'
    GROUP BY ALL
), summed AS (
    SELECT v.election_id, v.contest_id, v.source_id, v.choice_id,
           sum(v.votes)::BIGINT AS votes, count(v.votes) AS stations_with_votes
    FROM votes v JOIN units u USING (election_id, unit_id)
    WHERE u.level = 'station'
    GROUP BY ALL
), ranked AS (
    SELECT l.*, ch.choice_id, ch.ballot_order, s.votes, coalesce(s.stations_with_votes, 0) AS stations_with_votes,
           rank() OVER (PARTITION BY l.election_id, l.contest_id, l.source_id ORDER BY s.votes DESC NULLS LAST) AS place,
           count(*) FILTER (WHERE coalesce(s.stations_with_votes, 0) < l.stations_listed)
               OVER (PARTITION BY l.election_id, l.contest_id, l.source_id) AS choices_incomplete
    FROM listed l
    JOIN choices ch ON ch.election_id = l.election_id AND ch.contest_id = l.contest_id
    LEFT JOIN summed s ON s.election_id = l.election_id AND s.contest_id = l.contest_id
         AND s.source_id = l.source_id AND s.choice_id = ch.choice_id
)
SELECT r.* EXCLUDE (choices_incomplete),
       sum(r.votes) OVER (PARTITION BY r.election_id, r.contest_id, r.source_id) AS votes_total,
       r.place = 1 AS leads,
       (r.choices_incomplete = 0 AND r.stations_published = r.stations_listed
        AND count(*) FILTER (WHERE r.place = 1) OVER (PARTITION BY r.election_id, r.contest_id, r.source_id) = 1)
           AS winner_readable
FROM ranked r;
