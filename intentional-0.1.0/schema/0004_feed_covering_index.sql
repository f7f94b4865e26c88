-- 0004 feed covering index.  The feed, the digest and the bell's recent
-- posts read each candidate author's posts newest first and test each
-- post's audience; with audience_type in the index those reads are
-- index-only scans (no heap page per post), about half the pages of a feed
-- page.  It replaces 0002's index on the same keys.  IF [NOT] EXISTS lets
-- a DBA build it beforehand with CREATE INDEX CONCURRENTLY.
CREATE INDEX IF NOT EXISTS ix_intentional_posts_author_feed
    ON posts (author_id, created_at DESC, id DESC) INCLUDE (audience_type);
DROP INDEX IF EXISTS ix_intentional_posts_author_created;
