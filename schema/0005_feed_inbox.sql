-- 0005 feed inbox: a bounded fan-out-on-write index of the feed.
--
-- Reading a feed page "author by author" costs one index descent per
-- connection (~50) whatever the page size.  This table keeps, per viewer,
-- the posts of the last intentional_feed_horizon() that may be in their
-- feed, so that a page is one backward range scan of the viewer's rows.
-- It is an index, not the truth: lib/feed.c still applies the visibility
-- rule (lib/visibility.h) to every row it reads, so a row too many is
-- harmless; a row too few is not.  The triggers below keep this invariant,
-- whoever writes (this backend, the original one, psql, bulk loads):
--
--   every post that viewer V may see and whose created_at is at or after
--   intentional_feed_horizon_start() has a row (V, created_at, post_id).
--
-- Older posts are served by the author-driven statement, which is also the
-- fallback of a page that the inbox cannot fill.  Only the original's
-- tables are read and only this table is written, so the original backend
-- keeps running on the database (SCHEMA.md section 9); its writes fire the
-- same triggers.

-- The rows are the viewer, then the feed order.  author_id lets a
-- disconnection remove its rows without reading posts (which a member's
-- deletion removes in the same statement); it costs nothing, the index
-- tuple and the heap tuple are padded to the same size without it.
CREATE TABLE intentional_feed_inbox (
    viewer_id  integer   NOT NULL,
    created_at timestamp NOT NULL,
    post_id    integer   NOT NULL,
    author_id  integer   NOT NULL,
    CONSTRAINT intentional_feed_inbox_pkey
        PRIMARY KEY (viewer_id, created_at, post_id) INCLUDE (author_id)
);

-- How far back the inbox reaches: the one definition, read by the triggers
-- and by the feed statements.  A week covers the pages members read (the
-- first pages, the bell's 50 newest) for everyone whose connections post a
-- few times a week, at ~7 x (posts a day) x (connections) rows.  Lowering
-- it is always safe; after raising it (CREATE OR REPLACE) run
-- SELECT intentional_feed_inbox_rebuild(), or pages would miss the posts
-- between the old and the new start.
CREATE FUNCTION intentional_feed_horizon() RETURNS interval
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT interval '7 days' $$;

-- The inbox is complete from here on.  created_at is the author's wall
-- clock (API.md route 11), within 14 h of UTC: UTC is the reference clock.
CREATE FUNCTION intentional_feed_horizon_start() RETURNS timestamp
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT (now() AT TIME ZONE 'UTC') - intentional_feed_horizon() $$;

-- The functions taking arrays keep one generic plan per session
-- (plan_cache_mode): planning their statements again for every post costs
-- more than running them, and their plans (index lookups per element)
-- suit one post and a bulk load alike.

-- Locks the users rows of ids, in id order as every writer does (no
-- deadlock).  Post creation (this backend: FOR NO KEY UPDATE of the author)
-- and acceptance (FOR UPDATE of both members) already hold them; other
-- writers get the same ordering here.  Whoever comes second waits for the
-- first to commit, and its next statement (a new snapshot under READ
-- COMMITTED) sees the post or the accepted connection of the other: a post
-- written while its author's connection is being accepted reaches the
-- inbox either way.
CREATE FUNCTION intentional_feed_lock_users(ids integer[]) RETURNS void
    LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan
    AS $$
BEGIN
    PERFORM 1 FROM users WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
END
$$;

-- The same for the authors of the posts.
CREATE FUNCTION intentional_feed_lock_authors(written posts[]) RETURNS void
    LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan
    AS $$
BEGIN
    PERFORM intentional_feed_lock_users(
        ARRAY(SELECT DISTINCT w.author_id FROM unnest(written) w));
END
$$;

-- Who gets a row of a post of author with audience: the author always;
-- the author's accepted connections (either side of the pair) when the
-- audience is 'all' or 'tags' (a superset for 'tags': the read applies the
-- audience).  OFFSET 0 keeps it a nested loop of index lookups per post,
-- even when the planner would rather hash all connections.
CREATE FUNCTION intentional_feed_viewers(author integer, audience text)
    RETURNS SETOF integer
    LANGUAGE sql STABLE
    AS $$
    SELECT author
    UNION ALL
    SELECT c.user_b_id FROM connections c
    WHERE c.user_a_id = author AND c.status = 'accepted'
      AND audience IN ('all', 'tags')
    UNION ALL
    SELECT c.user_a_id FROM connections c
    WHERE c.user_b_id = author AND c.status = 'accepted'
      AND audience IN ('all', 'tags')
    OFFSET 0
$$;

-- Rows for new (or changed) posts inside the horizon.  Then the rows of
-- the viewers touched that are older than the horizon, with a day of
-- slack for readers whose statement began before ours, are deleted: the
-- table stays bounded by the horizon without a scheduled job.
CREATE FUNCTION intentional_feed_inbox_add(added posts[]) RETURNS void
    LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan
    AS $$
BEGIN
    PERFORM intentional_feed_lock_authors(added);
    WITH fresh AS (
        SELECT a.id, a.author_id, a.created_at, a.audience_type
        FROM unnest(added) a
        WHERE a.created_at >= intentional_feed_horizon_start()),
    ins AS (
        INSERT INTO intentional_feed_inbox (viewer_id, created_at, post_id,
                                            author_id)
        SELECT v.id, f.created_at, f.id, f.author_id
        FROM fresh f
        CROSS JOIN intentional_feed_viewers(f.author_id, f.audience_type) v(id)
        ON CONFLICT DO NOTHING
        RETURNING viewer_id)
    DELETE FROM intentional_feed_inbox i
    WHERE i.viewer_id IN (SELECT viewer_id FROM ins)
      AND i.created_at < intentional_feed_horizon_start() - interval '1 day';
END
$$;

-- Removes the rows of deleted (or changed) posts (nobody but
-- intentional_feed_viewers has any).
CREATE FUNCTION intentional_feed_inbox_remove(gone posts[]) RETURNS void
    LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan
    AS $$
BEGIN
    PERFORM intentional_feed_lock_authors(gone);
    DELETE FROM intentional_feed_inbox i
    USING unnest(gone) g
    CROSS JOIN intentional_feed_viewers(g.author_id, g.audience_type) v(id)
    WHERE i.viewer_id = v.id AND i.created_at = g.created_at
      AND i.post_id = g.id;
END
$$;

CREATE FUNCTION intentional_feed_inbox_posts_inserted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM intentional_feed_inbox_add(ARRAY(SELECT ROW(n.*)::posts FROM new_posts n));
    RETURN NULL;
END
$$;

CREATE FUNCTION intentional_feed_inbox_posts_deleted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM intentional_feed_inbox_remove(ARRAY(SELECT ROW(o.*)::posts FROM old_posts o));
    RETURN NULL;
END
$$;

-- Posts have no edit route, but SQL may still change what the inbox
-- depends on: such a row is removed and added again.
CREATE FUNCTION intentional_feed_inbox_post_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM intentional_feed_inbox_remove(ARRAY[OLD]);
    PERFORM intentional_feed_inbox_add(ARRAY[NEW]);
    RETURN NULL;
END
$$;

-- Rows for pairs (a[i], b[i]) that became accepted: the horizon of each
-- member's 'all' and 'tags' posts goes into the other's inbox.
CREATE FUNCTION intentional_feed_inbox_connect(a integer[], b integer[])
    RETURNS void
    LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan
    AS $$
BEGIN
    INSERT INTO intentional_feed_inbox (viewer_id, created_at, post_id,
                                        author_id)
    SELECT d.viewer, p.created_at, p.id, p.author_id
    FROM unnest(a || b, b || a) AS d(viewer, author)
    JOIN posts p ON p.author_id = d.author
    WHERE d.viewer <> d.author
      AND p.created_at >= intentional_feed_horizon_start()
      AND d.viewer IN (SELECT intentional_feed_viewers(d.author,
                                                       p.audience_type))
    ON CONFLICT DO NOTHING;
END
$$;

-- Removes the rows of pairs (a[i], b[i]) that stopped being accepted,
-- in both directions, unless another accepted row still joins the two
-- (connections has no CHECK that a < b, so (b, a) may exist too).
CREATE FUNCTION intentional_feed_inbox_disconnect(a integer[], b integer[])
    RETURNS void
    LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan
    AS $$
BEGIN
    DELETE FROM intentional_feed_inbox i
    USING unnest(a || b, b || a) AS d(viewer, author)
    WHERE i.viewer_id = d.viewer AND i.author_id = d.author
      AND d.viewer <> d.author
      AND NOT EXISTS (SELECT 1 FROM connections c
                      WHERE c.status = 'accepted'
                        AND ((c.user_a_id = d.viewer AND c.user_b_id = d.author)
                          OR (c.user_a_id = d.author AND c.user_b_id = d.viewer)));
END
$$;

-- One statement on connections: the accepted pairs it made and those it
-- ended (an UPDATE that leaves a pair accepted, such as an updated_at
-- refresh, is neither).  Both members of every pair are locked first
-- (see intentional_feed_lock_users).  The transition tables exist per
-- operation, hence one query per branch.
CREATE FUNCTION intentional_feed_inbox_connections_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    made_a integer[];
    made_b integer[];
    lost_a integer[];
    lost_b integer[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(user_a_id), array_agg(user_b_id) INTO made_a, made_b
        FROM new_rows WHERE status = 'accepted';
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(user_a_id), array_agg(user_b_id) INTO lost_a, lost_b
        FROM old_rows WHERE status = 'accepted';
    ELSE
        SELECT array_agg(x.a), array_agg(x.b) INTO made_a, made_b
        FROM (SELECT user_a_id AS a, user_b_id AS b FROM new_rows
              WHERE status = 'accepted'
              EXCEPT SELECT user_a_id, user_b_id FROM old_rows
              WHERE status = 'accepted') x;
        SELECT array_agg(x.a), array_agg(x.b) INTO lost_a, lost_b
        FROM (SELECT user_a_id AS a, user_b_id AS b FROM old_rows
              WHERE status = 'accepted'
              EXCEPT SELECT user_a_id, user_b_id FROM new_rows
              WHERE status = 'accepted') x;
    END IF;
    IF made_a IS NULL AND lost_a IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM intentional_feed_lock_users(coalesce(made_a, '{}') ||
        coalesce(made_b, '{}') || coalesce(lost_a, '{}') ||
        coalesce(lost_b, '{}'));
    IF lost_a IS NOT NULL THEN
        PERFORM intentional_feed_inbox_disconnect(lost_a, lost_b);
    END IF;
    IF made_a IS NOT NULL THEN
        PERFORM intentional_feed_inbox_connect(made_a, made_b);
    END IF;
    RETURN NULL;
END
$$;

-- A deleted member's own inbox.  (Their posts and connections go in the
-- same statement, and their triggers remove the rows of others.)
CREATE FUNCTION intentional_feed_inbox_users_deleted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM intentional_feed_inbox
    WHERE viewer_id IN (SELECT id FROM old_users);
    RETURN NULL;
END
$$;

-- TRUNCATE fires no DELETE triggers: without posts no row is valid;
-- without connections only the authors' own rows are.
CREATE FUNCTION intentional_feed_inbox_truncated() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_TABLE_NAME = 'posts' THEN
        TRUNCATE intentional_feed_inbox;
    ELSE
        DELETE FROM intentional_feed_inbox WHERE viewer_id <> author_id;
    END IF;
    RETURN NULL;
END
$$;

-- The inbox of the posts inside the horizon, from scratch: run by this
-- migration (a database the original backend filled) and after raising
-- intentional_feed_horizon().  Writers wait for it.
CREATE FUNCTION intentional_feed_inbox_rebuild() RETURNS bigint
    LANGUAGE plpgsql
    AS $$
BEGIN
    LOCK TABLE posts, connections, users IN SHARE ROW EXCLUSIVE MODE;
    TRUNCATE intentional_feed_inbox;
    PERFORM intentional_feed_inbox_add(ARRAY(
        SELECT p FROM posts p
        WHERE p.created_at >= intentional_feed_horizon_start()));
    RETURN (SELECT count(*) FROM intentional_feed_inbox);
END
$$;

CREATE TRIGGER intentional_feed_inbox_posts_insert
    AFTER INSERT ON posts REFERENCING NEW TABLE AS new_posts
    FOR EACH STATEMENT EXECUTE FUNCTION intentional_feed_inbox_posts_inserted();
CREATE TRIGGER intentional_feed_inbox_posts_delete
    AFTER DELETE ON posts REFERENCING OLD TABLE AS old_posts
    FOR EACH STATEMENT EXECUTE FUNCTION intentional_feed_inbox_posts_deleted();
-- Row-level with WHEN: the updates that do happen (photo_urls after a
-- create, the digest job's scores) do not call anything.
CREATE TRIGGER intentional_feed_inbox_post_update
    AFTER UPDATE OF author_id, created_at, audience_type ON posts
    FOR EACH ROW
    WHEN (OLD.author_id IS DISTINCT FROM NEW.author_id
       OR OLD.created_at IS DISTINCT FROM NEW.created_at
       OR OLD.audience_type IS DISTINCT FROM NEW.audience_type)
    EXECUTE FUNCTION intentional_feed_inbox_post_changed();
CREATE TRIGGER intentional_feed_inbox_posts_truncate
    AFTER TRUNCATE ON posts
    FOR EACH STATEMENT EXECUTE FUNCTION intentional_feed_inbox_truncated();
CREATE TRIGGER intentional_feed_inbox_connections_insert
    AFTER INSERT ON connections REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT
    EXECUTE FUNCTION intentional_feed_inbox_connections_changed();
CREATE TRIGGER intentional_feed_inbox_connections_update
    AFTER UPDATE ON connections
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT
    EXECUTE FUNCTION intentional_feed_inbox_connections_changed();
CREATE TRIGGER intentional_feed_inbox_connections_delete
    AFTER DELETE ON connections REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT
    EXECUTE FUNCTION intentional_feed_inbox_connections_changed();
CREATE TRIGGER intentional_feed_inbox_connections_truncate
    AFTER TRUNCATE ON connections
    FOR EACH STATEMENT EXECUTE FUNCTION intentional_feed_inbox_truncated();
CREATE TRIGGER intentional_feed_inbox_users_delete
    AFTER DELETE ON users REFERENCING OLD TABLE AS old_users
    FOR EACH STATEMENT EXECUTE FUNCTION intentional_feed_inbox_users_deleted();

SELECT intentional_feed_inbox_rebuild();
