-- 0002 feed indexes: lookups the hot queries make that the original schema
-- does not index (SCHEMA.md sections 5 and 9).  Indexes only: the original
-- backend keeps working on a database that has them.  IF NOT EXISTS lets a
-- DBA create them by hand beforehand (e.g. CONCURRENTLY on a busy database)
-- without breaking this migration.

-- An author's posts newest first (profile pages, the feed's per-author scan),
-- with id as the tie-breaker of keyset pagination.
CREATE INDEX IF NOT EXISTS ix_intentional_posts_author_created
    ON posts (author_id, created_at DESC, id DESC);

-- Unread notifications of a recipient, grouped by post (badge counts).
CREATE INDEX IF NOT EXISTS ix_intentional_notifications_unread
    ON notifications (recipient_id, post_id) WHERE read_at IS NULL;

-- "Which tags has owner put on target", looked up from the target's side.
CREATE INDEX IF NOT EXISTS ix_intentional_user_tags_target
    ON user_tags (target_user_id, owner_user_id, tag_id);

-- A user's connections from either side of the pair, filtered by status.
CREATE INDEX IF NOT EXISTS ix_intentional_connections_a_status
    ON connections (user_a_id, status, user_b_id);
CREATE INDEX IF NOT EXISTS ix_intentional_connections_b_status
    ON connections (user_b_id, status, user_a_id);
