-- Version 4 is reserved for the migration that partitions messages by time;
-- this empty step only keeps the versions without a gap until it lands, and
-- is replaced by it.
SELECT 1;
