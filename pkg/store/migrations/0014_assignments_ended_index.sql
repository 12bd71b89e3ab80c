-- The assignments open at an instant (created before it, not ended by then)
-- are the few with no end or an end after it. The snapshots of the live
-- state join them to the active sessions as one set (the latest of each
-- conversation): with this index that set is a bitmap scan of the open ones
-- and of those ended since, where before each active session probed its
-- conversation's assignments and sorted them (26,262 probes, about 80 ms, at
-- scale M). No trigger, no data change.
CREATE INDEX assignments_ended_idx ON assignments (workspace_id, ended_at);
