-- The conversations open at an instant (closed_at null, or at or after it,
-- or after a day before it for the sessions closed within 24 hours) are read
-- by every snapshot of the live state: active sessions and customers, and
-- the open contacts that idle customers leave out (package sqlbuild,
-- snapshot.go and contacts_at.go). The index of migration 1 found them, but
-- each one then cost a read of its conversation's page, scattered over the
-- whole table: with the columns those statements read carried in the index
-- they are an index-only scan of a few pages.
--
-- Same name and key, so that it serves everything the old one did.
DROP INDEX conversations_open_idx;
CREATE INDEX conversations_open_idx ON conversations (workspace_id, closed_at) INCLUDE (started_at, contact_id, inbox_id, id);
