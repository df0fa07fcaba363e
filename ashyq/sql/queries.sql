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

-- name: contests
SELECT * FROM contests WHERE election_id = $election_id ORDER BY kind, round, contest_id;

-- name: choices
SELECT * FROM choices WHERE election_id = $election_id AND contest_id = $contest_id ORDER BY ballot_order;

-- name: unit_votes
SELECT * FROM vote_results
WHERE election_id = $election_id AND contest_id = $contest_id AND unit_id = $unit_id
ORDER BY source_kind = 'official' DESC, source_id, ballot_order;

-- name: coverage
SELECT * FROM coverage WHERE election_id = $election_id;
