-- The phrase summaries' statement (migration 9) means to normalise each
-- distinct text of a statement once, but the planner pulled its subquery up
-- into the join: it pushed the test that the phrase is not empty below the
-- DISTINCT and computed the phrase again for every joined message, so the
-- two regular expressions ran twice per message instead of once per text.
-- A materialized CTE keeps the distinct texts with their phrases apart from
-- the join. On 348,000 loaded messages with 10,700 distinct texts the
-- statement's grouping takes 1.4 s instead of 3.8 s. Nothing else changes:
-- the same rows are written in the same order.
CREATE OR REPLACE FUNCTION phrase_levels_statement(changed text) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
    SELECT format($q$
        WITH p AS MATERIALIZED (
            SELECT b.body, message_phrase(b.body) AS phrase FROM (SELECT DISTINCT x.body FROM (%1$s) x) b
        ), g AS (
            SELECT d.workspace_id, date_bin('1 hour', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS hour, c.platform,
                   d.direction, d.sender, p.phrase, sum(d.sign) AS messages
            FROM (%1$s) d
            JOIN p ON p.body = d.body
            JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id
            WHERE p.phrase <> ''
            GROUP BY 1, 2, 3, 4, 5, 6
            HAVING sum(d.sign) <> 0
        ), d AS MATERIALIZED (
            SELECT g.*, sha256(convert_to(g.phrase, 'UTF8')) AS phrase_key FROM g
        ), hours AS (
            INSERT INTO phrase_hours AS s (workspace_id, hour, platform, direction, sender, phrase_key, phrase, messages)
            SELECT workspace_id, hour, platform, direction, sender, phrase_key, phrase, messages
            FROM d ORDER BY 1, 2, 3, 4, 5, 6
            ON CONFLICT (workspace_id, hour, platform, direction, sender, phrase_key) DO UPDATE SET messages = s.messages + EXCLUDED.messages
        )
        INSERT INTO phrase_days AS s (workspace_id, day, platform, direction, sender, phrase_key, phrase, messages)
        SELECT workspace_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), platform, direction, sender, phrase_key,
               min(phrase), sum(messages)
        FROM d GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(messages) <> 0
        ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (workspace_id, day, platform, direction, sender, phrase_key) DO UPDATE SET messages = s.messages + EXCLUDED.messages$q$,
        changed)
$fn$;
