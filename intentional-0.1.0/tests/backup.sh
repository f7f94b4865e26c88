#!/usr/bin/env bash
# intentionalctl backup and restore, nothing lost: on the development
# stack, make members, posts, comments, tags, connections and media files;
# back up; wipe the database schema and MEDIA_DIR; restore; then every
# table's row count and every media file's SHA-256 must equal what they
# were before (compared here, independently of restore's own check).  Also:
# retention keeps the newest --keep archives, and restore refuses without
# --yes.
set -euo pipefail

# shellcheck source=tests/stack-test.sh
. "${TOP_SRCDIR:-.}/tests/stack-test.sh"
test_dir backup
start_stack "$data"
ctl=("$build/spawn/intentionalctl" --env-file "$data/intentional.env")
media=$(sed -n 's/^MEDIA_DIR=//p' "$data/intentional.env" | tail -n 1)

q() {
	PGOPTIONS='-c client_min_messages=warning' psql -X -q -tA -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -c "$1"
}

# Every table's "schema.table count", and every media file's checksum.
snapshot() {
	local t
	for t in $(q "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema'
		AND n.nspname NOT LIKE 'pg\_%' ORDER BY 1"); do
		echo "$t $(q "SELECT count(*) FROM $t")"
	done
	(cd "$media" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

# ---- some of everything ----
q "INSERT INTO users (email, username, google_id, created_at)
	SELECT 'm' || i || '@example.com', 'member' || i, 'g-' || i,
	       now() AT TIME ZONE 'UTC' FROM generate_series(1, 40) i"
q "INSERT INTO posts (author_id, content, created_at, audience_type)
	SELECT id, 'post of ' || username, now(), 'all' FROM users"
q "INSERT INTO comments (post_id, author_id, content, created_at)
	SELECT p.id, u.id, 'a comment', now() FROM posts p, users u WHERE u.id % 7 = 0"
q "INSERT INTO tags (owner_user_id, name, created_at)
	SELECT id, 'friends', now() FROM users WHERE id % 2 = 0"
q "INSERT INTO connections (status, created_at, user_a_id, user_b_id, initiated_by_user_id)
	SELECT 'accepted', now(), a.id, b.id, a.id FROM users a, users b
	WHERE a.id < b.id AND (a.id + b.id) % 5 = 0"
for i in 1 2 3 4 5 6; do
	mkdir -p "$media/posts/photos/$i/$((i * 10))"
	head -c $((1000 * i)) /dev/urandom >"$media/posts/photos/$i/$((i * 10))/photo-$i.jpg"
done
mkdir -p "$media/users/avatars/2"
head -c 5000 /dev/urandom >"$media/users/avatars/2/avatar.webp"
snapshot >"$data/before.txt"
rows=$(awk 'NF == 2 { n += $2 } END { print n }' "$data/before.txt")
files=$(grep -c '  \./' "$data/before.txt")
((rows > 100 && files == 7)) || fail "fixtures: $rows rows, $files files"

# ---- backup, with retention ----
backups=$data/backups
"${ctl[@]}" backup --dir "$backups" --keep 2 >"$data/backup1.txt"
sleep 1.1
"${ctl[@]}" backup --dir "$backups" --keep 2 >/dev/null
sleep 1.1
"${ctl[@]}" backup --dir "$backups" --keep 2 >"$data/backup3.txt"
cat "$data/backup3.txt"
archive=$(sed -n 's/^wrote \(.*\.tar\): .*/\1/p' "$data/backup3.txt")
[[ -f $archive ]] || fail "no archive written"
[[ $(find "$backups" -name 'intentional-*.tar' | wc -l) -eq 2 ]] ||
	fail "--keep 2 left $(find "$backups" -name 'intentional-*.tar' | wc -l) archives"
grep -q '^removed ' "$data/backup3.txt" || fail "retention removed nothing"
tar -tf "$archive" >"$data/members.txt"
grep -qx 'manifest.txt' "$data/members.txt" || fail "no manifest in the archive"
grep -qx 'media/users/avatars/2/avatar.webp' "$data/members.txt" ||
	fail "the media are not in the archive"
echo "ok: backup wrote $archive; retention kept the newest 2"

# ---- wipe ----
q "DROP SCHEMA public CASCADE; CREATE SCHEMA public"
rm -rf "$media"
[[ $(q "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") -eq 0 ]] ||
	fail "the wipe left tables"

# ---- restore ----
if "${ctl[@]}" restore "$archive" >/dev/null 2>&1; then
	fail "restore ran without --yes"
fi
"${ctl[@]}" restore --yes "$archive" >"$data/restore.txt" ||
	fail "restore failed: $(cat "$data/restore.txt")"
cat "$data/restore.txt"
snapshot >"$data/after.txt"
diff -u "$data/before.txt" "$data/after.txt" ||
	fail "the restored data differ from the data backed up"
echo "ok: after wipe and restore, all $(grep -c '^[^ ]* [0-9]*$' "$data/after.txt") tables ($rows rows) and $files media files are identical"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$URL/health/db") == 200 ]] ||
	fail "the service does not answer after the restore"
echo "1 passed, 0 failed"
