-- The summaries' sorted arrays are stored without compression.
--
-- PostgreSQL compresses a row's largest values once the row passes about 2
-- kB: the day rows of busy agents' response times, of the wait times and of
-- the contacts' previous messages (at scale M, 723 of 9,990 response_run_days
-- rows and 705 of 1,200 active_contact_days rows). A compressed value is
-- decompressed at every use, not once per statement: the percentiles'
-- binary search reads each array several times (width_bucket, its first and
-- last values, its slices), and pglz_decompress was a third of the 90th
-- percentile's time over 90 days. Stored EXTERNAL, a value is never
-- compressed (one that does not fit in the row still moves to the TOAST
-- table, whole). At scale M, the same rows compressed and not: the operator
-- response time's 90th percentile over every day row, 411 ms and 160 to 224
-- ms; one width_bucket over every active_contact_days row, 10.1 ms and 3.7
-- to 4.1 ms. The tables grow by what compression saved (a few MB at scale
-- M).
--
-- SET STORAGE applies to the values written from then on; the UPDATEs write
-- the compressed ones again (array || '{}' is the same array, decompressed).
-- No trigger reads these tables' changes.

ALTER TABLE response_run_slots ALTER COLUMN response_us SET STORAGE EXTERNAL;
ALTER TABLE response_run_hours ALTER COLUMN response_us SET STORAGE EXTERNAL;
ALTER TABLE response_run_days ALTER COLUMN response_us SET STORAGE EXTERNAL;
ALTER TABLE assignment_slots ALTER COLUMN wait_us SET STORAGE EXTERNAL, ALTER COLUMN conversation_us SET STORAGE EXTERNAL;
ALTER TABLE assignment_hours ALTER COLUMN wait_us SET STORAGE EXTERNAL, ALTER COLUMN conversation_us SET STORAGE EXTERNAL;
ALTER TABLE assignment_days ALTER COLUMN wait_us SET STORAGE EXTERNAL, ALTER COLUMN conversation_us SET STORAGE EXTERNAL;
ALTER TABLE active_contact_slots ALTER COLUMN previous SET STORAGE EXTERNAL;
ALTER TABLE active_contact_hours ALTER COLUMN previous SET STORAGE EXTERNAL;
ALTER TABLE active_contact_days ALTER COLUMN previous SET STORAGE EXTERNAL;
ALTER TABLE language_contact_slots ALTER COLUMN previous SET STORAGE EXTERNAL;
ALTER TABLE language_contact_hours ALTER COLUMN previous SET STORAGE EXTERNAL;
ALTER TABLE language_contact_days ALTER COLUMN previous SET STORAGE EXTERNAL;

UPDATE response_run_slots SET response_us = response_us || '{}'::bigint[] WHERE pg_column_compression(response_us) IS NOT NULL;
UPDATE response_run_hours SET response_us = response_us || '{}'::bigint[] WHERE pg_column_compression(response_us) IS NOT NULL;
UPDATE response_run_days SET response_us = response_us || '{}'::bigint[] WHERE pg_column_compression(response_us) IS NOT NULL;
UPDATE assignment_slots SET wait_us = wait_us || '{}'::bigint[], conversation_us = conversation_us || '{}'::bigint[]
WHERE pg_column_compression(wait_us) IS NOT NULL OR pg_column_compression(conversation_us) IS NOT NULL;
UPDATE assignment_hours SET wait_us = wait_us || '{}'::bigint[], conversation_us = conversation_us || '{}'::bigint[]
WHERE pg_column_compression(wait_us) IS NOT NULL OR pg_column_compression(conversation_us) IS NOT NULL;
UPDATE assignment_days SET wait_us = wait_us || '{}'::bigint[], conversation_us = conversation_us || '{}'::bigint[]
WHERE pg_column_compression(wait_us) IS NOT NULL OR pg_column_compression(conversation_us) IS NOT NULL;
UPDATE active_contact_slots SET previous = previous || '{}'::bigint[] WHERE pg_column_compression(previous) IS NOT NULL;
UPDATE active_contact_hours SET previous = previous || '{}'::bigint[] WHERE pg_column_compression(previous) IS NOT NULL;
UPDATE active_contact_days SET previous = previous || '{}'::bigint[] WHERE pg_column_compression(previous) IS NOT NULL;
UPDATE language_contact_slots SET previous = previous || '{}'::bigint[] WHERE pg_column_compression(previous) IS NOT NULL;
UPDATE language_contact_hours SET previous = previous || '{}'::bigint[] WHERE pg_column_compression(previous) IS NOT NULL;
UPDATE language_contact_days SET previous = previous || '{}'::bigint[] WHERE pg_column_compression(previous) IS NOT NULL;
