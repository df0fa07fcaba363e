-- Named queries used by pages and downloads. Each block starts with "-- name: <name>" and takes
-- $parameters. Keep them here, named by what they return.

-- name: elections
SELECT * FROM elections ORDER BY date DESC, election_id;

-- name: children
SELECT * FROM unit_tree
WHERE election_id = $election_id AND parent_id = $unit_id
ORDER BY try_cast(regexp_extract(code, '^\d+') AS BIGINT) NULLS LAST, code, name;

-- name: unit
SELECT * FROM unit_tree WHERE election_id = $election_id AND unit_id = $unit_id;

-- name: unit_votes
SELECT * FROM vote_results
WHERE election_id = $election_id AND contest_id = $contest_id AND unit_id = $unit_id
ORDER BY source_kind = 'official' DESC, source_id, ballot_order;

-- The render stage reads one election at a time with the bulk queries below (one query per
-- election, never one per page), so a country of 100,000 stations is a handful of queries. Those
-- of figures (protocols, votes, sums, turnout, findings, extra lines) read the rows of $units only
-- (NULL: all): on election night, the regions built again (render/regional.py).

-- name: election
SELECT * FROM elections WHERE election_id = $election_id;

-- name: election_units
SELECT unit_id, parent_id, level, commission, code, name, name_en, name_ru, name_kk, address,
       complete, kind, venue_id, depth, children
FROM unit_tree WHERE election_id = $election_id
ORDER BY depth, parent_id NULLS FIRST, try_cast(regexp_extract(code, '^\d+') AS BIGINT) NULLS LAST,
         code, name, unit_id;

-- name: election_contests
SELECT c.*, coalesce(c.name_en, c.name_ru, c.name_kk, c.contest_id) AS name
FROM contests c WHERE election_id = $election_id
ORDER BY kind, round, try_cast(regexp_extract(contest_id, '\d+') AS BIGINT) NULLS FIRST, contest_id;

-- name: election_choices
-- colour: the package's, else the one the model gave it (model._assign_choice_colours), as on every chart.
SELECT c.* EXCLUDE (colour), coalesce(c.name_en, c.name_ru, c.name_kk, c.choice_id) AS name, cc.colour
FROM choices c
JOIN choice_colours cc USING (election_id, contest_id, choice_id)
WHERE c.election_id = $election_id ORDER BY c.contest_id, c.ballot_order, c.choice_id;

-- name: election_sources
SELECT * FROM sources WHERE election_id = $election_id
ORDER BY kind = 'official' DESC, kind = 'commission_summary' DESC, source_id;

-- name: election_protocols
-- Every protocol (any level, any source) with its source kind, official first, and its turnout
-- computed from the counts (ballots issued over voters on the list) for tables that show it.
SELECT * EXCLUDE (election_id, source_title),
       100.0 * ballots_issued / nullif(voters_on_list, 0) AS turnout_computed
FROM protocols_sourced WHERE election_id = $election_id
  AND ($units::VARCHAR[] IS NULL OR unit_id IN (SELECT unnest($units::VARCHAR[])))
ORDER BY contest_id, unit_id, source_kind = 'official' DESC, source_kind = 'commission_summary' DESC, source_id;

-- name: election_votes
SELECT contest_id, unit_id, source_id, choice_id, votes, percent
FROM votes WHERE election_id = $election_id
  AND ($units::VARCHAR[] IS NULL OR unit_id IN (SELECT unnest($units::VARCHAR[])))
ORDER BY contest_id, unit_id, source_id, choice_id;

-- name: election_unit_sums
-- Sums over stations for every unit above the stations, per contest and source.
SELECT s.* EXCLUDE (election_id)
FROM station_sums s JOIN units u USING (election_id, unit_id)
WHERE s.election_id = $election_id AND u.level <> 'station'
  AND ($units::VARCHAR[] IS NULL OR s.unit_id IN (SELECT unnest($units::VARCHAR[])))
ORDER BY contest_id, unit_id, source_id;

-- name: election_unit_vote_sums
SELECT v.contest_id, v.unit_id, v.source_id, v.choice_id, v.votes, v.votes__n
FROM vote_sums v JOIN units u USING (election_id, unit_id)
WHERE v.election_id = $election_id AND u.level <> 'station'
  AND ($units::VARCHAR[] IS NULL OR v.unit_id IN (SELECT unnest($units::VARCHAR[])))
ORDER BY contest_id, unit_id, source_id, choice_id;

-- name: election_turnout
SELECT * EXCLUDE (election_id) FROM turnout_timeline
WHERE election_id = $election_id
  AND ($units::VARCHAR[] IS NULL OR unit_id IN (SELECT unnest($units::VARCHAR[])))
ORDER BY contest_id, unit_id, source_id, reported_at;

-- name: election_coverage
SELECT * EXCLUDE (election_id) FROM coverage WHERE election_id = $election_id;

-- name: election_findings
-- Failed or uncheckable checks (the rows of the findings table), with the report times a turnout
-- check compared, so a badge can say it in the reader's language.
SELECT contest_id, unit_id, source_id, check_id, status, detail, expected, actual, difference,
       previous_at, reported_at, by_count
FROM check_outcomes
WHERE election_id = $election_id AND status <> 'passed'
  AND ($units::VARCHAR[] IS NULL OR unit_id IN (SELECT unnest($units::VARCHAR[])))
ORDER BY unit_id, contest_id, source_id, check_id;

-- name: integrity_headline
-- What was checked in an election, for the first lines of its Integrity page and of its election
-- page: checks made, checks that cannot be made, failed control ratios and turnout checks, flagged
-- indicators ($indicators: their ids), and the differences between sources and levels.
WITH counts AS (
    SELECT coalesce(sum(checked), 0)::BIGINT AS made, coalesce(sum(cannot_check), 0)::BIGINT AS cannot,
           coalesce(sum(failed) FILTER (WHERE NOT list_contains($indicators, check_id)), 0)::BIGINT AS failed,
           coalesce(sum(failed) FILTER (WHERE list_contains($indicators, check_id)), 0)::BIGINT AS flagged
    FROM check_counts WHERE election_id = $election_id
)
SELECT made, cannot, failed, flagged,
       (SELECT count(*) FROM source_differences WHERE election_id = $election_id) AS source_differences,
       (SELECT count(*) FROM tabulation_differences WHERE election_id = $election_id) AS tabulation_differences,
       (SELECT count(*) FROM turnout_flags WHERE election_id = $election_id) AS turnout_flags
FROM counts;

-- name: integrity_check_counts
-- Per check: checks made, passed, failed and that cannot be made (all contests and levels).
SELECT check_id, sum(checked)::BIGINT AS checked, sum(passed)::BIGINT AS passed,
       sum(failed)::BIGINT AS failed, sum(cannot_check)::BIGINT AS cannot_check
FROM check_counts WHERE election_id = $election_id GROUP BY check_id;

-- name: finding_groups
-- Per check that failed: its rows in findings.csv, and at how many units (and stations) they are.
SELECT f.check_id, count(*) AS findings, count(DISTINCT f.unit_id) AS units,
       count(DISTINCT f.unit_id) FILTER (WHERE u.level = 'station') AS stations
FROM findings f JOIN units u USING (election_id, unit_id)
WHERE f.election_id = $election_id AND f.status = 'failed'
GROUP BY f.check_id;

-- name: finding_examples
-- The first $n failures of each check, largest difference first (then the largest list, so the
-- 100 % turnouts of the biggest stations come first).
SELECT * EXCLUDE (rank) FROM (
    SELECT o.*, row_number() OVER (PARTITION BY check_id ORDER BY abs(difference) DESC NULLS LAST,
                                   expected DESC NULLS LAST, contest_id, unit_id, source_id) AS rank
    FROM check_outcomes o WHERE election_id = $election_id AND status = 'failed'
) WHERE rank <= $n
ORDER BY check_id, rank;

-- name: difference_groups
-- Rows (figures) and units of the comparisons between sources and between levels, and of each
-- turnout flag: the counts of their groups on the Integrity page (their CSVs hold the same rows).
SELECT 'tabulation_differences' AS name, count(*) AS findings, count(DISTINCT unit_id) AS units,
       count(DISTINCT unit_id) FILTER (WHERE level = 'station') AS stations
FROM tabulation_differences JOIN units USING (election_id, unit_id) WHERE election_id = $election_id
UNION ALL
SELECT 'source_differences', count(*), count(DISTINCT unit_id), count(DISTINCT unit_id) FILTER (WHERE level = 'station')
FROM source_differences JOIN units USING (election_id, unit_id) WHERE election_id = $election_id
UNION ALL
SELECT flag, count(*), count(DISTINCT unit_id), count(DISTINCT unit_id) FILTER (WHERE level = 'station')
FROM turnout_flags WHERE election_id = $election_id GROUP BY flag;

-- name: election_lines_published
-- For each level and source kind: protocols, and in how many of them each line has a value.
SELECT * EXCLUDE (election_id) FROM lines_published WHERE election_id = $election_id
ORDER BY level, source_kind;

-- name: election_changes
SELECT c.*, ch.name_en AS choice_name_en, ch.name_ru AS choice_name_ru, ch.name_kk AS choice_name_kk
FROM changes c
LEFT JOIN choices ch ON ch.election_id = c.election_id AND ch.contest_id = c.contest_id
     AND ch.choice_id = split_part(c.field, ':', 2)
WHERE c.election_id = $election_id
ORDER BY c.old_published_on, c.unit_id, c.field;

-- name: election_turnout_sums
-- Station turnout reports summed up the hierarchy per report time (for units that publish no
-- turnout of their own): voters who had received a ballot, and voters on the list (from the report,
-- or else from the station's protocol of the same source), over the stations that have both.
WITH reports AS (
    SELECT t.election_id, t.contest_id, t.unit_id, t.source_id, t.reported_at, t.label,
           t.voters_received_ballot, coalesce(t.voters_on_list, p.voters_on_list) AS voters_on_list
    FROM turnout t
    LEFT JOIN protocols p ON p.election_id = t.election_id AND p.contest_id = t.contest_id
         AND p.unit_id = t.unit_id AND p.source_id = t.source_id
    WHERE t.election_id = $election_id AND t.voters_received_ballot IS NOT NULL
)
SELECT m.unit_id, r.contest_id, r.source_id, r.reported_at, min(r.label) AS label,
       sum(r.voters_received_ballot)::BIGINT AS voters_received_ballot,
       sum(r.voters_on_list)::BIGINT AS voters_on_list,
       count(*) AS stations_reporting,
       round(100.0 * sum(r.voters_received_ballot) / nullif(sum(r.voters_on_list), 0), 2) AS computed_percent
FROM reports r
JOIN station_members m ON m.election_id = r.election_id AND m.station_id = r.unit_id
JOIN units u ON u.election_id = m.election_id AND u.unit_id = m.unit_id
WHERE u.level <> 'station' AND r.voters_on_list IS NOT NULL
  AND ($units::VARCHAR[] IS NULL OR m.unit_id IN (SELECT unnest($units::VARCHAR[])))
GROUP BY ALL
ORDER BY contest_id, unit_id, source_id, reported_at;

-- name: election_contest_results
-- Each contest's result over all its stations, per source and choice, with the leader and whether
-- the winner can be read (views.sql, contest_results).
SELECT * EXCLUDE (election_id) FROM contest_results WHERE election_id = $election_id
ORDER BY contest_id, source_id, place, ballot_order;

-- name: election_bodies
SELECT b.*, coalesce(b.name_en, b.name_ru, b.name_kk, b.body_id) AS name
FROM bodies b WHERE election_id = $election_id ORDER BY seats DESC NULLS LAST, body_id;

-- name: election_venues
SELECT * EXCLUDE (election_id) FROM venues WHERE election_id = $election_id ORDER BY venue_id;

-- name: election_extra_lines
-- The lines the package adds to the protocol form (election.extra_lines), in declared order.
SELECT name, label_en, label_ru, label_kk FROM extra_lines WHERE election_id = $election_id ORDER BY position;

-- name: election_extra_values
SELECT contest_id, unit_id, source_id, line, value FROM protocol_extra_values
WHERE election_id = $election_id AND value IS NOT NULL
  AND ($units::VARCHAR[] IS NULL OR unit_id IN (SELECT unnest($units::VARCHAR[])))
ORDER BY contest_id, unit_id, source_id, line;

-- name: election_announced
-- What the commission announced (stations, voters), beside the stations with a published protocol
-- in the package for the same contest.
SELECT a.contest_id, a.unit_id, a.source_id, a.stations, a.voters, a.note, s.title AS source_title, s.url AS source_url,
       (SELECT count(DISTINCT p.unit_id) FROM protocols p JOIN units u USING (election_id, unit_id)
        WHERE p.election_id = a.election_id AND p.contest_id = a.contest_id AND u.level = 'station'
          AND p.has_figures) AS stations_published
FROM announced a JOIN sources s USING (election_id, source_id)
WHERE a.election_id = $election_id
ORDER BY a.contest_id, a.unit_id, a.source_id;
