-- Percentiles of durations the summaries keep as sorted arrays (the
-- operator response times of migration 17, over a few buckets) without
-- sorting every value of the range.
--
-- percentile_cont over the arrays unnested reads and sorts every value: over
-- 90 days at scale M, 727,987 response times in 9,990 day rows, sorted by
-- agent for the grouping (on disk at the default work_mem) and again per
-- agent, about 300 ms. The arrays are sorted already, and
-- width_bucket(x, array) counts the values of an array up to x by binary
-- search. So the two values percentile_cont reads (its ranks floor and ceil
-- of fraction * (n - 1)) are found in a range (lo, hi] that holds them: a
-- sample of every 16th value of each array places the range, one count per
-- array at each end says whether it holds them (and where it does not, the
-- values' own smallest and largest do, and cuts of the range narrow it), and
-- only the values inside are sliced out of the arrays and sorted. The cost
-- follows the arrays, a few reads of each, rather than the values: the
-- catalog calls it for large groups of long arrays only (see
-- sortedPercentiles in pkg/catalog). The result is percentile_cont's own
-- arithmetic on the same doubles (a value in seconds is its microseconds /
-- 1000000::float8, and the interpolation is lo + (proportion * (hi - lo)),
-- as in PostgreSQL's float8_lerp), so it is the raw rows' percentile to the
-- last bit.

-- One sorted array of microseconds, so that arrays of different lengths can
-- be gathered into one array argument (array_agg of arrays needs equal
-- lengths).
CREATE TYPE sorted_us AS (us bigint[]);

-- percentile_cont(fraction) of every value of every array of sets, in
-- seconds; null when they hold none. Each array must be sorted, smallest
-- first, without nulls, as the summaries keep them, and n must be the number
-- of their values (the caller's sum(cardinality(...)), which it has already).
CREATE FUNCTION sorted_us_percentile_cont(fraction float8, n bigint, sets sorted_us[]) RETURNS float8
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET jit = off AS $$
DECLARE
    -- Every stride-th value of each array is the sample that places the
    -- first range.
    stride     constant integer := 16;
    position   float8;
    first_rank bigint; -- 0-based ranks of the two values interpolated
    last_rank  bigint;
    lo         bigint := -9223372036854775808; -- both values lie in (lo, hi]
    hi         bigint := 9223372036854775807;  -- (till the sample places them)
    below      bigint; -- values up to lo
    up_to_hi   bigint; -- values up to hi
    sample     bigint[];
    margin     float8;
    place      bigint;
    cuts       bigint[];
    counts     bigint[];
    picked     bigint[];
    smallest   bigint;
    largest    bigint;
BEGIN
    IF n = 0 THEN
        RETURN NULL;
    END IF;
    -- percentile_cont_final_common's positions.
    position := fraction * (n - 1)::float8;
    first_rank := floor(position);
    last_rank := ceil(position);
    -- The sample's k-th value has k * stride values of the sample's arrays
    -- up to it, give or take what each array holds between two sampled
    -- values (0 to stride - 1, about (stride - 1) / 2 on average): a range
    -- some standard deviations wide around the ranks holds them nearly
    -- always, and the exact counts below say whether it does.
    sample := ARRAY(SELECT s.us[i] FROM unnest(sets) s, generate_series(stride, cardinality(s.us), stride) i ORDER BY 1);
    margin := 4 * stride * sqrt(cardinality(sets) / 12.0) + stride;
    place := floor((first_rank - (stride - 1) / 2.0 * cardinality(sets) - margin) / stride);
    IF place BETWEEN 1 AND cardinality(sample) THEN
        lo := sample[place];
    END IF;
    place := ceil((last_rank - (stride - 1) / 2.0 * cardinality(sets) + margin) / stride) + 1;
    IF place BETWEEN 1 AND cardinality(sample) THEN
        hi := sample[place];
    END IF;
    SELECT coalesce(sum(width_bucket(lo, s.us)), 0), coalesce(sum(width_bucket(hi, s.us)), 0),
           min(s.us[1]), max(s.us[cardinality(s.us)])
    INTO below, up_to_hi, smallest, largest
    FROM unnest(sets) s WHERE cardinality(s.us) > 0;
    IF smallest = -9223372036854775808 THEN
        -- Nothing lies below the smallest bigint to start from: sort every
        -- value.
        SELECT percentile_cont(fraction) WITHIN GROUP (ORDER BY x.v / 1000000::float8)
        INTO position FROM unnest(sets) s, unnest(s.us) x(v);
        RETURN position;
    END IF;
    -- Where the sample placed an end wrongly, or not at all, the values'
    -- own smallest and largest bound the range.
    IF below > first_rank OR lo = -9223372036854775808 THEN
        lo := smallest - 1;
        below := 0;
    END IF;
    IF up_to_hi <= last_rank OR hi = 9223372036854775807 THEN
        hi := largest;
        up_to_hi := n;
    END IF;
    -- While the range holds many values, narrow it: 15 cuts split it into
    -- 16, and the cuts around the ranks become the new range.
    WHILE up_to_hi - below > 2048 AND hi::numeric - lo > 16 LOOP
        cuts := ARRAY(SELECT floor(lo::numeric + (hi::numeric - lo) * c / 16)::bigint
                      FROM generate_series(1, 15) c ORDER BY c);
        counts := ARRAY(
            SELECT below + coalesce(sum(width_bucket(c.cut, s.us) - width_bucket(lo, s.us)), 0)
            FROM unnest(cuts) WITH ORDINALITY c(cut, i)
            LEFT JOIN unnest(sets) s ON s.us[cardinality(s.us)] > lo AND s.us[1] <= hi
            GROUP BY c.i ORDER BY c.i);
        FOR i IN 1 .. 15 LOOP
            IF counts[i] <= first_rank THEN
                lo := cuts[i];
                below := counts[i];
            ELSIF counts[i] > last_rank THEN
                hi := cuts[i];
                up_to_hi := counts[i];
                EXIT;
            END IF;
        END LOOP;
    END LOOP;
    picked := ARRAY(
        SELECT x.v
        FROM unnest(sets) s,
             unnest(s.us[width_bucket(lo, s.us) + 1 : width_bucket(hi, s.us)]) x(v)
        WHERE s.us[cardinality(s.us)] > lo AND s.us[1] <= hi
        ORDER BY x.v
        OFFSET first_rank - below LIMIT last_rank - first_rank + 1);
    IF last_rank = first_rank THEN
        RETURN picked[1] / 1000000::float8;
    END IF;
    RETURN picked[1] / 1000000::float8
        + ((position - first_rank) * (picked[2] / 1000000::float8 - picked[1] / 1000000::float8));
END
$$;
