-- AI assist accuracy, stored with each use of an AI writing tool.
--
-- The metric's definition: accuracy = 1 - edit_distance(suggested, sent) /
-- max(len(suggested), len(sent)), averaged over the uses whose reply was sent,
-- leaving out the uses where translation was applied (see docs/schema.md).

-- edit_distance is the Levenshtein distance between a and b: the fewest
-- single-character insertions, deletions and substitutions, each costing 1,
-- that turn a into b. It counts characters, not bytes ('café' and 'cafe' are 1
-- apart), and takes texts of any length.
--
-- fuzzystrmatch's levenshtein() is not used: it refuses texts longer than 255
-- characters, and it is an extension, which the store's owner would have to
-- install (and may not be allowed to) before this migration could run.
--
-- IMMUTABLE (the result depends on the arguments alone) is what lets the
-- generated column below call it. Should the definition ever change, the stored
-- accuracies are not recomputed by themselves: the migration that changes it
-- must also rewrite the column.
CREATE FUNCTION edit_distance(a text, b text) RETURNS integer
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    -- The characters of a and b. "C" makes = compare them byte for byte, so two
    -- characters a case- or accent-insensitive collation calls equal still differ.
    s    text[] COLLATE "C";
    t    text[] COLLATE "C";
    m    integer;
    n    integer;
    same integer := 0;
    si   text COLLATE "C";
    -- Two rows of the dynamic-programming table: prev[j] and cur[j] are the
    -- distances from the first i - 1 and the first i characters of s to the
    -- first j characters of t.
    prev integer[];
    cur  integer[];
    swap integer[];
BEGIN
    IF a COLLATE "C" = b COLLATE "C" THEN
        RETURN 0;
    END IF;
    m := length(a);
    n := length(b);
    IF m = 0 OR n = 0 THEN
        RETURN m + n;
    END IF;

    -- string_to_array with a NULL delimiter splits into characters; indexing
    -- the arrays is then constant time, where substr() on a multibyte text
    -- would scan it from the start for every character.
    s := string_to_array(a, NULL);
    t := string_to_array(b, NULL);

    -- A common prefix or suffix never changes the distance. Edited suggestions
    -- mostly share long ones, and dropping them shrinks the m x n table, which
    -- costs about 0.2 microseconds a cell in PL/pgSQL.
    WHILE same < m AND same < n AND s[same + 1] = t[same + 1] LOOP
        same := same + 1;
    END LOOP;
    WHILE m > same AND n > same AND s[m] = t[n] LOOP
        m := m - 1;
        n := n - 1;
    END LOOP;
    s := s[same + 1:m];
    t := t[same + 1:n];
    m := m - same;
    n := n - same;
    IF m = 0 OR n = 0 THEN
        RETURN m + n;
    END IF;

    prev := array_fill(0, ARRAY[n + 1], ARRAY[0]);
    FOR j IN 0..n LOOP
        prev[j] := j;
    END LOOP;
    cur := prev;
    FOR i IN 1..m LOOP
        cur[0] := i;
        si := s[i];
        FOR j IN 1..n LOOP
            -- Neighbouring cells differ by at most 1, so on equal characters the
            -- diagonal is never beaten by an insertion or a deletion.
            IF si = t[j] THEN
                cur[j] := prev[j - 1];
            ELSE
                cur[j] := least(prev[j - 1], prev[j], cur[j - 1]) + 1;
            END IF;
        END LOOP;
        swap := prev;
        prev := cur;
        cur := swap;
    END LOOP;
    RETURN prev[n];
END
$$;

COMMENT ON FUNCTION edit_distance(text, text) IS
    'Levenshtein distance in characters (insert, delete, substitute: 1 each), of texts of any length';

-- accuracy is computed once, when the use is written, so the AI assist accuracy
-- metric is a plain avg(accuracy) over the range: edit distances cost nothing
-- at query time, however long the range. It is NULL for the uses the metric
-- leaves out (reply not sent, translation applied), which avg() skips. Two
-- empty texts are identical, hence 1 rather than 0/0.
--
-- Adding a stored column rewrites the table under an exclusive lock, computing
-- the accuracy of every existing use.
ALTER TABLE ai_assist_uses
    ADD COLUMN accuracy double precision GENERATED ALWAYS AS (
        CASE
            WHEN sent_text IS NULL OR translation_applied THEN NULL
            WHEN greatest(length(suggested_text), length(sent_text)) = 0 THEN 1
            ELSE 1 - edit_distance(suggested_text, sent_text)::double precision
                     / greatest(length(suggested_text), length(sent_text))
        END
    ) STORED;

COMMENT ON COLUMN ai_assist_uses.accuracy IS
    '1 - edit_distance(suggested_text, sent_text) / the longer length; NULL when not sent or translated';
