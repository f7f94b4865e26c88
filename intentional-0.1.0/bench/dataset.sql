-- bench/dataset.sql: a deterministic community of :users members, loaded
-- with set-based INSERT ... SELECT into an empty, migrated database.
--
--   psql -v ON_ERROR_STOP=1 -v users=5000 -v seed=0.42 -f bench/dataset.sql
--
-- (bench/dataset wraps this.)  The same users and seed give the same rows;
-- only the timestamps move with the day the data is loaded, so that posts
-- are always "the last 30 days".  Shapes, per member:
--
--   connections  ~50 accepted (binomial, never near the cap of 100) and
--                ~2.5 pending, to members with nearby ids: the community is
--                a ring of overlapping circles of friends, so the graph has
--                the same local shape at every size.  user_a_id < user_b_id.
--   tags         3 (friends, family, work; color_scheme as the name), put
--                on ~40 % of the member's accepted connections (user_tags);
--                ~10 % of those get a second tag.
--   posts        20 over the 30 days that end two days ago (so that the
--                post-create scenario has today's daily limit free):
--                75 % all, 20 % tags (1-2 of the author's own tags), 5 %
--                private; 30 % carry 1-3 photo keys of the API.md 6.6
--                grammar; 70 % have an importance score for the digest.
--   comments     ~2 per 'all' post by random connections of the author;
--                30 % of them get a reply by the post's author.
--   reactions    ~3 per 'all' post by random connections.
--   notifications one 'comment' notification per post with others'
--                comments (to the author) and one 'reply' notification per
--                reply (to the comment's author); 70 % read.
--   post_stats   one row per post with its real comment count.
--
-- Ids are assigned here (not by the sequences) so that photo keys can name
-- their post; the sequences are moved past them at the end.

\set ON_ERROR_STOP 1
SET synchronous_commit = off;
SET client_min_messages = warning;
SELECT setseed(:seed);

-- The reference time: every timestamp is relative to it.
CREATE TEMP TABLE ref AS
SELECT date_trunc('hour', now() AT TIME ZONE 'UTC') AS t;

-- A deterministic uuid4 (lower-case 8-4-4-4-12, version 4, variant 10xx).
CREATE FUNCTION pg_temp.uuid4(s text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
SELECT substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3)
       || '-' || substr('89ab', 1 + ('x' || substr(h, 17, 1))::bit(4)::int % 4, 1)
       || substr(h, 18, 3) || '-' || substr(h, 21, 12)
FROM md5(s) AS h
$$;

CREATE TEMP TABLE words AS
SELECT string_to_array(
  'morning walk coffee garden rain the a we our little long day today '
  'finally made bread with kids trip lake mountain train station friends '
  'dinner soup book reading quiet evening sunset bike ride market '
  'tomatoes harvest grandma birthday cake music concert photo old new '
  'house paint wall window cat dog park swim cold warm snow spring summer '
  'autumn winter work week tired happy thanks everyone for and to of in',
  ' ') AS w;

-- ---- users ----
INSERT INTO users (id, email, username, created_at, google_id, auth_provider,
                   full_name, picture_url, avatar_url, bio, is_banned)
SELECT i,
       'member' || i || '@bench.example',
       'member' || i,
       ref.t - interval '60 days' - random() * interval '300 days',
       'bench-' || i,
       'google',
       (ARRAY['Ada', 'Bo', 'Chen', 'Dana', 'Emil', 'Fatima', 'Goran', 'Hana',
              'Ivo', 'Jia', 'Kofi', 'Lena'])[1 + i % 12] || ' ' ||
       (ARRAY['Berg', 'Costa', 'Dimitrov', 'Eze', 'Fischer', 'Garcia', 'Holm',
              'Ito', 'Jensen', 'Kowalski', 'Lund'])[1 + (i / 12) % 11],
       'https://lh3.googleusercontent.com/a/bench-' || i,
       CASE WHEN random() < 0.3 THEN
         'users/avatars/' || i || '/' || to_char(ref.t - interval '40 days', 'YYYYMMDD')
         || '_' || pg_temp.uuid4('avatar' || i) || '.jpg' END,
       CASE WHEN random() < 0.5 THEN 'Bio of member ' || i END,
       false
FROM generate_series(1, :users) AS i, ref;

-- ---- connections: each member asks ~25 of the 200 members after it ----
-- Pair (a, a+d mod N) with d in 1..200 < N/2 is never made twice.
CREATE TEMP TABLE pairs AS
SELECT LEAST(a, b) AS ua, GREATEST(a, b) AS ub, a AS initiator,
       random() < 0.95 AS accepted
FROM (SELECT a, 1 + (a - 1 + d) % :users AS b
      FROM generate_series(1, :users) AS a,
           generate_series(1, LEAST(200, (:users - 1) / 2)) AS d
      WHERE random() < 26.3 / LEAST(200, (:users - 1) / 2)) AS x;

INSERT INTO connections (status, created_at, updated_at, user_a_id, user_b_id,
                         initiated_by_user_id)
SELECT CASE WHEN accepted THEN 'accepted' ELSE 'pending' END::connectionstatus,
       ts, ts, ua, ub, initiator
FROM (SELECT *, ref.t - interval '35 days' - random() * interval '200 days' AS ts
      FROM pairs, ref) AS p
ORDER BY ts;

-- Accepted edges in both directions, numbered per owner, to draw random
-- connections of a member quickly.
CREATE TEMP TABLE edges AS
SELECT owner, target, row_number() OVER (PARTITION BY owner ORDER BY target) AS k
FROM (SELECT ua AS owner, ub AS target FROM pairs WHERE accepted
      UNION ALL
      SELECT ub, ua FROM pairs WHERE accepted) AS e;
CREATE INDEX ON edges (owner, k);
CREATE TEMP TABLE degree AS
SELECT owner, count(*)::int AS n FROM edges GROUP BY owner;
CREATE UNIQUE INDEX ON degree (owner);
ANALYZE edges;
ANALYZE degree;

-- ---- tags and connection tags ----
INSERT INTO tags (id, owner_user_id, name, color_scheme, created_at)
SELECT 3 * (u - 1) + n, u, (ARRAY['friends', 'family', 'work'])[n],
       (ARRAY['friends', 'family', 'work'])[n],
       ref.t - interval '50 days'
FROM generate_series(1, :users) AS u, generate_series(1, 3) AS n, ref;

INSERT INTO user_tags (owner_user_id, target_user_id, tag_id, created_at)
SELECT owner, target, 3 * (owner - 1) + 1 + (tag + extra) % 3,
       ref.t - interval '30 days'
FROM (SELECT owner, target, floor(random() * 3)::int AS tag,
             random() AS r
      FROM edges) AS e,
     LATERAL (SELECT 0 AS extra UNION ALL SELECT 1 WHERE e.r < 0.04) AS x,
     ref
WHERE r < 0.4;

-- ---- posts ----
-- Ids follow created_at, as a serial column fills over time: an author's
-- posts lie scattered over the table as in a real database.
CREATE TEMP TABLE newposts AS
SELECT row_number() OVER (ORDER BY created_at, author_id)::int AS id, *
FROM (SELECT u AS author_id, random() AS aud, random() AS photo,
             random() AS score,
             ref.t - interval '2 days' - random() * interval '30 days' AS created_at
      FROM generate_series(1, :users) AS u, generate_series(1, 20) AS n, ref) AS x;

INSERT INTO posts (id, author_id, content, created_at, audience_type,
                   photo_urls, digest_summary, importance_score)
SELECT p.id, p.author_id,
       array_to_string(w[1 + p.id % 17:1 + p.id % 17 + 4 + (p.id * 7) % 40], ' ')
         || ' (post ' || p.id || ')',
       p.created_at,
       CASE WHEN p.aud < 0.75 THEN 'all' WHEN p.aud < 0.95 THEN 'tags'
            ELSE 'private' END,
       CASE WHEN p.photo < 0.3 THEN
         (SELECT json_agg('posts/photos/' || p.author_id || '/' || p.id || '/'
                          || to_char(p.created_at, 'YYYYMMDD') || '_'
                          || pg_temp.uuid4('photo' || p.id || '.' || k) || '.jpg'
                          ORDER BY k)
          FROM generate_series(1, 1 + (p.id % 3)) AS k)
       ELSE '[]'::json END,
       CASE WHEN p.score < 0.7 THEN 'Summary of post ' || p.id END,
       CASE WHEN p.score < 0.7 THEN round((p.score / 0.07)::numeric, 1) END
FROM newposts AS p, words
ORDER BY p.id;

INSERT INTO post_audience_tags (post_id, tag_id)
SELECT p.id, 3 * (p.author_id - 1) + 1 + (p.id + k) % 3
FROM newposts AS p, generate_series(0, 1) AS k
WHERE p.aud >= 0.75 AND p.aud < 0.95 AND (k = 0 OR p.id % 3 = 0);

-- ---- comments and replies on 'all' posts, by connections of the author ----
CREATE TEMP TABLE newcomments AS
SELECT row_number() OVER (ORDER BY p.id, c.n) AS id, p.id AS post_id,
       p.author_id AS post_author, e.target AS author_id,
       p.created_at + (1 + c.n) * random() * interval '3 hours' AS created_at,
       random() AS r
FROM newposts AS p
JOIN degree AS d ON d.owner = p.author_id
CROSS JOIN LATERAL generate_series(1, (p.id * 13) % 5) AS c(n)
JOIN edges AS e ON e.owner = p.author_id
             AND e.k = 1 + ((p.id * 31 + c.n * 17) % d.n)
WHERE p.aud < 0.75;

INSERT INTO comments (id, post_id, author_id, content, created_at)
SELECT c.id, c.post_id, c.author_id,
       array_to_string(w[1 + c.id % 23:1 + c.id % 23 + 2 + c.id % 12], ' '),
       c.created_at
FROM newcomments AS c, words
ORDER BY c.id;

INSERT INTO replies (comment_id, author_id, content, created_at)
SELECT c.id, c.post_author, 'thank you! (' || c.id || ')',
       c.created_at + interval '20 minutes'
FROM newcomments AS c
WHERE c.r < 0.3
ORDER BY c.id;

INSERT INTO post_stats (post_id, comment_count)
SELECT p.id, count(c.id)
FROM newposts AS p LEFT JOIN newcomments AS c ON c.post_id = p.id
GROUP BY p.id
ORDER BY p.id;

-- ---- reactions ----
INSERT INTO reactions (post_id, user_id, emoji, created_at)
SELECT DISTINCT ON (p.id, e.target) p.id, e.target,
       (ARRAY['👍', '❤️', '😊', '😂', '😮', '😢', '🙏', '🔥'])[1 + (p.id + r.n) % 8],
       p.created_at + interval '1 hour'
FROM newposts AS p
JOIN degree AS d ON d.owner = p.author_id
CROSS JOIN LATERAL generate_series(1, (p.id * 5) % 7) AS r(n)
JOIN edges AS e ON e.owner = p.author_id
             AND e.k = 1 + ((p.id * 37 + r.n * 11) % d.n)
WHERE p.aud < 0.75
ORDER BY p.id, e.target;

-- ---- notifications (API.md 6.8) ----
INSERT INTO notifications (recipient_id, actor_id, post_id, comment_id, type,
                           created_at, read_at)
SELECT post_author, author_id, post_id, NULL, 'comment', created_at,
       CASE WHEN random() < 0.7 THEN created_at + interval '2 hours' END
FROM (SELECT DISTINCT ON (post_id) * FROM newcomments
      WHERE author_id <> post_author
      ORDER BY post_id, created_at DESC) AS last
ORDER BY post_id;

INSERT INTO notifications (recipient_id, actor_id, post_id, comment_id, type,
                           created_at, read_at)
SELECT c.author_id, c.post_author, c.post_id, c.id, 'reply',
       c.created_at + interval '20 minutes',
       CASE WHEN random() < 0.7 THEN c.created_at + interval '3 hours' END
FROM newcomments AS c
WHERE c.r < 0.3 AND c.author_id <> c.post_author
ORDER BY c.id;

-- ---- sequences past the assigned ids ----
SELECT setval('users_id_seq', (SELECT max(id) FROM users));
SELECT setval('posts_id_seq', (SELECT max(id) FROM posts));
SELECT setval('tags_id_seq', (SELECT max(id) FROM tags));
SELECT setval('comments_id_seq', (SELECT max(id) FROM comments));

VACUUM ANALYZE;
