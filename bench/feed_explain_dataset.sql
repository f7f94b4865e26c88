-- A quick synthetic dataset for EXPLAIN work on the feed, profile and digest
-- statements (the benchmark's real generator lives with the benchmark):
-- 5,000 members, ~40 accepted connections each (at most 100), 3 tags each
-- put on a third of their connections, 60 posts each over a year (70 % all,
-- 15 % tags, 15 % private), post_stats, a few comments.  Deterministic
-- (setseed).  Run on an empty migrated database:
--   psql "$URL" -v ON_ERROR_STOP=1 -f bench/feed_explain_dataset.sql
SELECT setseed(0.42);

INSERT INTO users (email, username, created_at, google_id, full_name)
SELECT 'u' || i || '@example.com', 'u' || i, now() AT TIME ZONE 'UTC',
       'g-' || i, 'User ' || i
FROM generate_series(1, 5000) i;

-- pairs (a < b): each member asks 20 random others; 90 % accepted
INSERT INTO connections (status, created_at, updated_at, user_a_id,
                         user_b_id, initiated_by_user_id)
SELECT DISTINCT ON (LEAST(a, b), GREATEST(a, b))
       (CASE WHEN random() < 0.9 THEN 'accepted' ELSE 'pending' END)::connectionstatus,
       now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC',
       LEAST(a, b), GREATEST(a, b), a
FROM (SELECT a, 1 + floor(random() * 5000)::int AS b
      FROM generate_series(1, 5000) a, generate_series(1, 20)) x
WHERE a <> b;

INSERT INTO tags (owner_user_id, name, color_scheme, created_at)
SELECT u, t, t, now() AT TIME ZONE 'UTC'
FROM generate_series(1, 5000) u, unnest(ARRAY['friends', 'family', 'work']) t;

-- each member tags a third of their accepted connections with one tag
INSERT INTO user_tags (owner_user_id, target_user_id, tag_id, created_at)
SELECT o.owner, o.target,
       (SELECT id FROM tags WHERE owner_user_id = o.owner
        ORDER BY id OFFSET floor(random() * 3)::int LIMIT 1),
       now() AT TIME ZONE 'UTC'
FROM (SELECT user_a_id AS owner, user_b_id AS target FROM connections
      WHERE status = 'accepted'
      UNION ALL
      SELECT user_b_id, user_a_id FROM connections WHERE status = 'accepted') o
WHERE random() < 0.33;

INSERT INTO posts (author_id, content, created_at, audience_type, photo_urls,
                   importance_score)
SELECT u, 'post ' || n || ' of ' || u,
       (now() AT TIME ZONE 'UTC') - (random() * interval '365 days'),
       CASE WHEN r < 0.70 THEN 'all' WHEN r < 0.85 THEN 'tags' ELSE 'private' END,
       '[]', round((random() * 10)::numeric, 1)
FROM (SELECT u, n, random() AS r
      FROM generate_series(1, 5000) u, generate_series(1, 60) n) x;

INSERT INTO post_audience_tags (post_id, tag_id)
SELECT p.id, (SELECT id FROM tags WHERE owner_user_id = p.author_id
              ORDER BY id OFFSET (p.id % 3) LIMIT 1)
FROM posts p WHERE p.audience_type = 'tags';

INSERT INTO post_stats (post_id, comment_count)
SELECT id, (id % 4) FROM posts;

VACUUM ANALYZE;
