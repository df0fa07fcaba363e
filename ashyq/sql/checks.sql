-- The checks stage. Blocks start with "-- name: <name>" and run in the order checks/__init__.py asks.
-- Placeholders in braces are filled from the contract ({lines}: the protocol lines, quoted, comma
-- separated; {line_counts}: their "<line>__n" count columns) and from the registry.

-- name: protocol_figures
-- Each protocol with the figures the checks compare: the totals (ballots issued, ballots in the
-- boxes) as the model gives them, the published total line or else the total derived once from its
-- parts (views.sql, <line>_derived), so pages and checks read the same figure; votes_total only when
-- every choice's vote is published.
CREATE OR REPLACE VIEW protocol_figures AS
WITH vote_totals AS (
    SELECT election_id, contest_id, unit_id, source_id,
           sum(votes)::BIGINT AS votes_sum, count(votes) AS votes_n
    FROM votes GROUP BY ALL
), choice_counts AS (
    SELECT election_id, contest_id, count(*) AS choices_n FROM choices GROUP BY ALL
)
SELECT p.*, u.level,
       p.ballots_issued AS issued_total,
       p.ballots_in_boxes AS boxes_total,
       CASE WHEN NOT p.ballots_issued_derived THEN p.ballots_issued END AS issued_published,
       CASE WHEN vt.votes_n = cc.choices_n THEN vt.votes_sum END AS votes_total
FROM protocols p
JOIN units u USING (election_id, unit_id)
LEFT JOIN vote_totals vt USING (election_id, contest_id, unit_id, source_id)
LEFT JOIN choice_counts cc USING (election_id, contest_id);

-- name: turnout_series
-- Each turnout report with the value its series is compared on: counts of voters when every report
-- of the series has one, otherwise the published percentage (recomputed from counts where missing).
CREATE OR REPLACE VIEW turnout_series AS
WITH t AS (
    SELECT t.*, u.level,
           coalesce(t.turnout_percent, round(100.0 * t.voters_received_ballot / nullif(t.voters_on_list, 0), 2)) AS percent,
           count(*) OVER s AS reports,
           count(t.voters_received_ballot) OVER s = count(*) OVER s AS by_count,
           coalesce(t.label, strftime(t.reported_at, '%d.%m %H:%M')) AS time_label
    FROM turnout t JOIN units u USING (election_id, unit_id)
    WINDOW s AS (PARTITION BY t.election_id, t.contest_id, t.unit_id, t.source_id)
)
SELECT *,
       CASE WHEN by_count THEN voters_received_ballot::DOUBLE ELSE percent END AS value,
       row_number() OVER w AS report_number,
       lag(CASE WHEN by_count THEN voters_received_ballot::DOUBLE ELSE percent END) OVER w AS previous_value,
       lag(time_label) OVER w AS previous_label,
       lag(reported_at) OVER w AS previous_at,
       lag(percent) OVER w AS previous_percent
FROM t
WINDOW w AS (PARTITION BY election_id, contest_id, unit_id, source_id ORDER BY reported_at);

-- name: turnout_check_results
-- Both turnout checks, one row per unit: every turnout series, and every protocol of a unit that
-- has no turnout report at all (cannot be checked there).
CREATE OR REPLACE TABLE turnout_check_results AS
WITH series AS (
    SELECT election_id, contest_id, unit_id, source_id, any_value(level) AS level,
           count(value) AS reports, bool_and(by_count) AS by_count,
           arg_min(value - previous_value, (value - previous_value, reported_at)) FILTER (WHERE previous_value IS NOT NULL) AS worst_step,
           arg_min(previous_value, (value - previous_value, reported_at)) FILTER (WHERE previous_value IS NOT NULL) AS before_drop,
           arg_min(value, (value - previous_value, reported_at)) FILTER (WHERE previous_value IS NOT NULL) AS after_drop,
           arg_min(previous_label, (value - previous_value, reported_at)) FILTER (WHERE previous_value IS NOT NULL) AS before_label,
           arg_min(time_label, (value - previous_value, reported_at)) FILTER (WHERE previous_value IS NOT NULL) AS after_label,
           arg_min(previous_at, (value - previous_value, reported_at)) FILTER (WHERE previous_value IS NOT NULL) AS before_at,
           arg_min(reported_at, (value - previous_value, reported_at)) FILTER (WHERE previous_value IS NOT NULL) AS after_at,
           max(reported_at) AS last_at,
           arg_max(value, reported_at) AS last_value,
           arg_max(percent, reported_at) AS last_percent,
           arg_max(time_label, reported_at) AS last_label
    FROM turnout_series GROUP BY ALL
), final AS (
    -- the unit's final turnout: its official protocol, else any
    SELECT election_id, contest_id, unit_id,
           arg_min(issued_total, (s.kind <> 'official', f.source_id)) AS issued_total,
           arg_min(coalesce(f.turnout_percent, round(100.0 * issued_total / nullif(voters_on_list, 0), 2)),
                   (s.kind <> 'official', f.source_id)) AS final_percent
    FROM protocol_figures f JOIN sources s USING (election_id, source_id)
    GROUP BY ALL
), without_reports AS (
    -- units without reports in a contest that has turnout reports elsewhere (a contest with none at
    -- all, e.g. a single-member ballot voted alongside a list whose turnout is reported, is not checked)
    SELECT election_id, contest_id, unit_id, min(source_id) AS source_id, any_value(level) AS level
    FROM protocol_figures f
    WHERE NOT EXISTS (SELECT 1 FROM turnout t WHERE t.election_id = f.election_id
                      AND t.contest_id = f.contest_id AND t.unit_id = f.unit_id)
      AND EXISTS (SELECT 1 FROM turnout t WHERE t.election_id = f.election_id AND t.contest_id = f.contest_id)
    GROUP BY ALL
)
SELECT election_id, contest_id, unit_id, source_id, level, 'turnout_never_decreases' AS check_id,
       after_drop AS actual, before_drop AS expected,
       CASE WHEN reports < 2 THEN 'cannot_check' WHEN worst_step < 0 THEN 'failed' ELSE 'passed' END AS status,
       CASE WHEN reports < 2 THEN 'Cannot be checked: only one turnout report'
            WHEN worst_step < 0 AND by_count THEN printf('Turnout went down from %,d voters at %s to %,d at %s',
                 before_drop::BIGINT, before_label, after_drop::BIGINT, after_label)
            WHEN worst_step < 0 THEN printf('Turnout went down from %.2f %% at %s to %.2f %% at %s',
                 before_drop, before_label, after_drop, after_label) END AS detail,
       CASE WHEN worst_step < 0 THEN before_at END AS previous_at,
       CASE WHEN worst_step < 0 THEN after_at END AS reported_at,
       by_count
FROM series
UNION ALL
SELECT s.election_id, s.contest_id, s.unit_id, s.source_id, s.level, 'last_report_le_final',
       CASE WHEN s.by_count AND f.issued_total IS NOT NULL THEN s.last_value ELSE s.last_percent END,
       CASE WHEN s.by_count AND f.issued_total IS NOT NULL THEN f.issued_total ELSE f.final_percent END,
       CASE WHEN s.by_count AND f.issued_total IS NOT NULL
                 THEN CASE WHEN s.last_value <= f.issued_total THEN 'passed' ELSE 'failed' END
            WHEN s.last_percent IS NULL OR f.final_percent IS NULL THEN 'cannot_check'
            WHEN s.last_percent <= f.final_percent + 0.01 THEN 'passed' ELSE 'failed' END,
       CASE WHEN s.by_count AND f.issued_total IS NOT NULL
                 THEN printf('Last turnout report (%s): %,d voters; final protocol: %,d received a ballot',
                             s.last_label, s.last_value::BIGINT, f.issued_total)
            WHEN s.last_percent IS NULL OR f.final_percent IS NULL
                 THEN 'Cannot be checked: no final turnout published for this unit'
            ELSE printf('Last turnout report (%s): %.2f %%; final turnout: %.2f %%', s.last_label, s.last_percent, f.final_percent) END,
       NULL, s.last_at, s.by_count AND f.issued_total IS NOT NULL
FROM series s
LEFT JOIN final f USING (election_id, contest_id, unit_id)
UNION ALL
SELECT election_id, contest_id, unit_id, source_id, level, c.check_id, NULL, NULL, 'cannot_check',
       'Cannot be checked: no turnout reports published for this unit', NULL, NULL, NULL
FROM without_reports, (VALUES ('turnout_never_decreases'), ('last_report_le_final')) c(check_id);

-- name: check_outcomes
-- The protocol checks (one SELECT per protocol check of the registry, UNION ALL) and the turnout checks.
-- A turnout check keeps the times of the reports it compared (previous_at, reported_at) and whether
-- it compared counts of voters (by_count) or percentages, so pages can say it in any language.
CREATE OR REPLACE TABLE check_outcomes AS
SELECT o.*, o.actual - o.expected AS difference FROM (
    {protocol_checks}
    UNION ALL
    SELECT election_id, contest_id, unit_id, source_id, level, check_id, actual, expected, status, detail,
           previous_at, reported_at, by_count
    FROM turnout_check_results
) o;

-- name: findings
CREATE OR REPLACE TABLE findings AS
SELECT election_id, contest_id, unit_id, source_id, check_id, status, expected, actual, difference, detail
FROM check_outcomes WHERE status <> 'passed'
ORDER BY ALL;

-- name: check_counts
CREATE OR REPLACE TABLE check_counts AS
SELECT election_id, contest_id, check_id, level,
       count(*) FILTER (WHERE status <> 'cannot_check') AS checked,
       count(*) FILTER (WHERE status = 'passed') AS passed,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       count(*) FILTER (WHERE status = 'cannot_check') AS cannot_check
FROM check_outcomes GROUP BY ALL ORDER BY ALL;

-- name: field_labels
-- How a field is ordered and named on pages: lines in protocol order, then choices in ballot order.
CREATE OR REPLACE VIEW field_labels AS
SELECT c.election_id, c.contest_id, l.field, l.label, l.position
FROM check_line_labels l, contests c
UNION ALL
SELECT election_id, contest_id, 'votes:' || choice_id,
       coalesce(name_en, name_ru, name_kk, choice_id), 1000 + ballot_order
FROM choices;

-- name: station_sums_long
-- The sum over stations of each line and choice of each unit above the stations, with how many
-- stations it covers.
CREATE OR REPLACE VIEW station_sums_long AS
WITH above AS (
    SELECT s.* FROM station_sums s JOIN units u USING (election_id, unit_id) WHERE u.level <> 'station'
), sums AS (
    SELECT election_id, contest_id, unit_id, source_id, field, value::BIGINT AS value
    FROM (UNPIVOT (SELECT election_id, contest_id, unit_id, source_id, {lines} FROM above)
          ON {lines} INTO NAME field VALUE value)
), counts AS (
    SELECT election_id, contest_id, unit_id, source_id, replace(field, '__n', '') AS field, n
    FROM (UNPIVOT (SELECT election_id, contest_id, unit_id, source_id, {line_counts} FROM above)
          ON {line_counts} INTO NAME field VALUE n)
)
SELECT s.*, c.n AS stations_reporting, ss.stations_total, ss.stations_with_protocol, ss.complete
FROM sums s
JOIN counts c USING (election_id, contest_id, unit_id, source_id, field)
JOIN station_sums ss USING (election_id, contest_id, unit_id, source_id)
UNION ALL
SELECT v.election_id, v.contest_id, v.unit_id, v.source_id, 'votes:' || v.choice_id, v.votes,
       v.votes__n, ss.stations_total, ss.stations_with_protocol, ss.complete
FROM vote_sums v
JOIN above ss USING (election_id, contest_id, unit_id, source_id)
WHERE v.votes IS NOT NULL;

-- name: tabulation_differences
-- A commission's own published aggregate against the sum of its stations, wherever that sum is
-- complete (the unit is marked complete and every station publishes the figure). The stations'
-- source is the same source as the aggregate where there is one, otherwise the official one.
CREATE OR REPLACE TABLE tabulation_differences AS
WITH aggregates AS (  -- the protocols of units above the stations, before unpivoting (a few of many)
    SELECT p.* FROM protocols_published p JOIN units u USING (election_id, unit_id) WHERE u.level <> 'station'
), own AS (
    -- Their published figures, one row each: the lines, then "votes:<choice_id>". UNPIVOT drops
    -- empty cells, so "not published" is never compared; totals the model derived are not figures
    -- of the source (protocols_published) and are not compared either.
    SELECT f.*, s.kind AS source_kind
    FROM ({figures_of:aggregates}) f
    JOIN sources s USING (election_id, source_id)
), paired AS (
    SELECT o.election_id, o.contest_id, o.unit_id, o.source_id, o.field, o.value AS own_value,
           l.source_id AS stations_source_id, l.value AS sum_value, l.stations_total,
           row_number() OVER (PARTITION BY o.election_id, o.contest_id, o.unit_id, o.source_id, o.field
                              ORDER BY l.source_id <> o.source_id, l.source_id) AS preference
    FROM own o
    JOIN station_sums_long l ON l.election_id = o.election_id AND l.contest_id = o.contest_id
         AND l.unit_id = o.unit_id AND l.field = o.field
    JOIN sources ls ON ls.election_id = l.election_id AND ls.source_id = l.source_id
    WHERE (l.source_id = o.source_id OR ls.kind = 'official')
      AND l.complete AND l.stations_reporting = l.stations_total AND l.stations_with_protocol = l.stations_total
)
SELECT p.election_id, p.contest_id, p.unit_id, p.source_id, p.field, fl.label, p.own_value,
       p.stations_source_id, p.sum_value, p.own_value - p.sum_value AS difference, p.stations_total AS stations
FROM paired p
LEFT JOIN field_labels fl USING (election_id, contest_id, field)
WHERE p.preference = 1 AND p.own_value <> p.sum_value
ORDER BY p.election_id, p.contest_id, p.unit_id, p.source_id, fl.position;

-- name: source_differences
-- The same protocol (contest and unit) as given by two sources: every figure both publish and on
-- which they differ, side by side. Source a is the more official one (official, then commission
-- summary, then observer copy).
CREATE OR REPLACE TABLE source_differences AS
WITH shared AS (  -- the protocols some other source also gives, before unpivoting (a few of many)
    SELECT p.* FROM protocols_published p
    SEMI JOIN (SELECT election_id, contest_id, unit_id FROM protocols_published GROUP BY ALL HAVING count(*) > 1)
         USING (election_id, contest_id, unit_id)
), ranked AS (  -- their figures, one row each, as for tabulation_differences
    SELECT f.*, s.kind AS source_kind,
           CASE s.kind WHEN 'official' THEN 1 WHEN 'commission_summary' THEN 2 ELSE 3 END AS rank
    FROM ({figures_of:shared}) f
    JOIN sources s USING (election_id, source_id)
)
SELECT a.election_id, a.contest_id, a.unit_id, a.field, fl.label,
       a.source_id AS source_a, a.source_kind AS source_a_kind, a.value AS value_a,
       b.source_id AS source_b, b.source_kind AS source_b_kind, b.value AS value_b,
       a.value - b.value AS difference
FROM ranked a
JOIN ranked b ON a.election_id = b.election_id AND a.contest_id = b.contest_id AND a.unit_id = b.unit_id
     AND a.field = b.field AND (a.rank, a.source_id) < (b.rank, b.source_id)
LEFT JOIN field_labels fl ON fl.election_id = a.election_id AND fl.contest_id = a.contest_id AND fl.field = a.field
WHERE a.value <> b.value
ORDER BY a.election_id, a.contest_id, a.unit_id, a.source_id, b.source_id, fl.position;

-- name: turnout_increments
-- Turnout through the day per unit: cumulative percentage, increment since the previous report
-- (from 0 for the first), hourly rate within a day, and the modified z-score of the increment
-- against all units of the same level at the same report time.
CREATE OR REPLACE TABLE turnout_increments AS
WITH steps AS (
    SELECT election_id, contest_id, unit_id, source_id, level, reported_at, time_label AS label,
           report_number, reports, percent,
           percent - coalesce(previous_percent, 0) AS increment,
           CASE WHEN previous_at IS NOT NULL AND previous_at::DATE = reported_at::DATE
                THEN (percent - previous_percent) / (epoch(reported_at) - epoch(previous_at)) * 3600 END AS rate_per_hour
    FROM turnout_series
), centre AS (
    -- a unit with a single report has no curve through the day: not compared
    SELECT election_id, contest_id, level, reported_at, median(increment) AS median_increment, count(increment) AS units
    FROM steps WHERE reports >= 2 GROUP BY ALL
), spread AS (
    SELECT s.election_id, s.contest_id, s.level, s.reported_at,
           median(abs(s.increment - c.median_increment)) AS mad
    FROM steps s JOIN centre c USING (election_id, contest_id, level, reported_at)
    WHERE s.reports >= 2
    GROUP BY ALL
)
SELECT s.*, c.median_increment, sp.mad, c.units AS units_at_time,
       CASE WHEN s.reports >= 2 AND c.units >= {min_units} AND sp.mad > 0
            THEN round(0.6745 * (s.increment - c.median_increment) / sp.mad, 2) END AS robust_z
FROM steps s
LEFT JOIN centre c USING (election_id, contest_id, level, reported_at)
LEFT JOIN spread sp USING (election_id, contest_id, level, reported_at)
ORDER BY s.election_id, s.contest_id, s.unit_id, s.source_id, s.reported_at;

-- name: turnout_flags
-- Turnout indicators per unit and report: increments that are outliers against the other units at
-- the same report time, and a second peak of the hourly rate within a day (a rise of at least
-- {peak_share} of the day's highest rate after a fall of at least as much).
CREATE OR REPLACE TABLE turnout_flags AS
WITH days AS (
    SELECT *, max(rate_per_hour) OVER day * {peak_share} AS delta,
           max(rate_per_hour) OVER (day ORDER BY reported_at ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS peak_before
    FROM turnout_increments
    WHERE rate_per_hour IS NOT NULL
    WINDOW day AS (PARTITION BY election_id, contest_id, unit_id, source_id, reported_at::DATE)
), troughs AS (
    SELECT *, CASE WHEN peak_before - rate_per_hour >= delta AND delta > 0 THEN rate_per_hour END AS trough
    FROM days
), rises AS (
    SELECT *, min(trough) OVER (PARTITION BY election_id, contest_id, unit_id, source_id, reported_at::DATE
                                ORDER BY reported_at ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS lowest_trough
    FROM troughs
)
SELECT election_id, contest_id, unit_id, source_id, level, reported_at, label, 'outlier_increment' AS flag,
       increment AS value, robust_z,
       printf('Turnout rose %.2f points by %s; the median of %d units was %.2f (modified z = %.1f)',
              increment, label, units_at_time, median_increment, robust_z) AS detail
FROM turnout_increments
WHERE abs(robust_z) > {z_threshold}
UNION ALL
SELECT election_id, contest_id, unit_id, source_id, level, reported_at, label, 'second_peak',
       rate_per_hour, NULL,
       printf('Turnout per hour rose again to %.2f points by %s after falling to %.2f (highest of the day %.2f)',
              rate_per_hour, label, lowest_trough, delta / {peak_share})
FROM rises
WHERE rate_per_hour - lowest_trough >= delta
ORDER BY ALL;

-- name: station_figures
-- Per station of a contest: turnout and the share of the contest's leader (the choice with the most
-- votes over all stations), from the most official source of each station. Used by the statistical
-- indicators only; a station without the figures has NULL there.
WITH ranked AS (
    SELECT f.*, row_number() OVER (PARTITION BY f.unit_id ORDER BY s.kind <> 'official',
                                   s.kind <> 'commission_summary', f.source_id) AS preference
    FROM protocol_figures f JOIN sources s USING (election_id, source_id)
    WHERE f.election_id = $election_id AND f.contest_id = $contest_id AND f.level = 'station'
), chosen AS (SELECT * FROM ranked WHERE preference = 1),
leader AS (
    SELECT v.choice_id FROM votes v JOIN chosen c USING (election_id, contest_id, unit_id, source_id)
    GROUP BY v.choice_id ORDER BY sum(v.votes) DESC NULLS LAST, v.choice_id LIMIT 1
)
SELECT c.unit_id, u.code, u.name, u.parent_id, c.source_id, c.voters_on_list, c.issued_total AS ballots_issued,
       c.ballots_valid, l.choice_id AS leader_id, v.votes AS leader_votes,
       100.0 * c.issued_total / nullif(c.voters_on_list, 0) AS turnout,
       100.0 * v.votes / nullif(c.ballots_valid, 0) AS leader_share
FROM chosen c
JOIN unit_tree u USING (election_id, unit_id)
CROSS JOIN leader l
LEFT JOIN votes v ON v.election_id = c.election_id AND v.contest_id = c.contest_id AND v.unit_id = c.unit_id
     AND v.source_id = c.source_id AND v.choice_id = l.choice_id
ORDER BY c.unit_id;

-- name: integer_chance
-- For each station (count k of n), the chance that a count drawn from Binomial(n, k/n) (normal
-- approximation, within 4 standard deviations) gives a percentage within 0.05 of a whole number
-- (integer) and of a multiple of 5 % (multiple_of_5): the rate of "round" percentages expected
-- without any rounding by people. Both from one set of draws.
WITH stations AS (
    SELECT unit_id, n, k, k / n AS p, sqrt(n * (k / n) * (1 - k / n)) AS sigma
    FROM (SELECT unit_id, n::DOUBLE AS n, k::DOUBLE AS k FROM station_counts WHERE n > 0 AND k BETWEEN 0 AND n)
), draws AS (
    SELECT s.unit_id, s.n, draw,
           CASE WHEN s.sigma < 0.5 THEN (draw = s.k)::DOUBLE ELSE exp(-((draw - s.k) ^ 2) / (2 * s.sigma ^ 2)) END AS weight
    FROM stations s,
         LATERAL (SELECT unnest(range(greatest(0, floor(s.k - 4 * s.sigma))::BIGINT,
                                      least(s.n, ceil(s.k + 4 * s.sigma))::BIGINT + 1)) AS draw)
)
SELECT unit_id,
       sum(weight * (abs(100.0 * draw / n / 1.0 - round(100.0 * draw / n / 1.0)) * 1.0 < 0.05)::INTEGER)
         / sum(weight) AS integer,
       sum(weight * (abs(100.0 * draw / n / 5.0 - round(100.0 * draw / n / 5.0)) * 5.0 < 0.05)::INTEGER)
         / sum(weight) AS multiple_of_5
FROM draws GROUP BY unit_id;
