-- bench/plan.sql: what each member does in the scenarios, one row a member
-- in a fixed shuffled order (bench/run puts a token in front of each row
-- with bench/mint-tokens):
--   user id, a friend (oldest accepted connection), the friend's newest
--   'all' post with comments and its first comment, an older 'all' post of
--   the friend the member has no reaction on, a photo key of a friend's
--   'all' post.  \N where the member has none.
COPY (
SELECT u.id, f.friend, fp.post_id, fp.comment_id, rp.post_id, ph.key
FROM users AS u
LEFT JOIN LATERAL (
    SELECT CASE WHEN c.user_a_id = u.id THEN c.user_b_id ELSE c.user_a_id END
           AS friend
    FROM connections AS c
    WHERE (c.user_a_id = u.id OR c.user_b_id = u.id) AND c.status = 'accepted'
    ORDER BY c.id LIMIT 1) AS f ON true
LEFT JOIN LATERAL (
    SELECT p.id AS post_id,
           (SELECT min(cm.id) FROM comments AS cm WHERE cm.post_id = p.id)
           AS comment_id
    FROM posts AS p
    WHERE p.author_id = f.friend AND p.audience_type = 'all'
      AND EXISTS (SELECT 1 FROM comments AS cm WHERE cm.post_id = p.id)
    ORDER BY p.created_at DESC LIMIT 1) AS fp ON true
LEFT JOIN LATERAL (
    SELECT p.id AS post_id
    FROM posts AS p
    WHERE p.author_id = f.friend AND p.audience_type = 'all'
      AND NOT EXISTS (SELECT 1 FROM reactions AS r
                      WHERE r.post_id = p.id AND r.user_id = u.id)
    ORDER BY p.created_at DESC OFFSET 1 LIMIT 1) AS rp ON true
LEFT JOIN LATERAL (
    SELECT p.photo_urls ->> 0 AS key
    FROM posts AS p
    WHERE p.author_id = f.friend AND p.audience_type = 'all'
      AND json_array_length(p.photo_urls) > 0
    ORDER BY p.created_at DESC LIMIT 1) AS ph ON true
ORDER BY md5(u.id::text)
) TO STDOUT;
