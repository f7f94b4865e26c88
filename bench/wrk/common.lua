-- Shared by every bench/wrk scenario (loaded with dofile; wrk gives each
-- thread its own Lua state, so everything here is per thread).
--
-- Environment (set by bench/run):
--   WRK_PLAN     TSV, one member a line: token, user id, friend id, post id
--                (a friend's 'all' post with comments), comment id on it,
--                post id to react to, photo key (\N where none)
--   WRK_THREADS  wrk's -t: thread t uses the plan lines i with i % T == t,
--                so per-member state (reaction toggles) stays in one thread
--   WRK_PATH     path of the plain scenario
--   WRK_LOG_ERRORS=1  print the first answers of status >= 400 (debugging)
-- done() prints one machine-readable line: RESULT {json}.

local counter = 0
function setup(thread)
	thread:set("tid", counter)
	counter = counter + 1
end

plan = {}
local next_row = 1

local function field(s)
	if s == nil or s == "\\N" or s == "" then return nil end
	return s
end

function load_plan()
	local file = os.getenv("WRK_PLAN")
	if not file or file == "" then return end
	local nthreads = tonumber(os.getenv("WRK_THREADS") or "1")
	local me = tid or 0
	local i = 0
	for line in io.lines(file) do
		if i % nthreads == me then
			local f = {}
			for v in (line .. "\t"):gmatch("([^\t]*)\t") do f[#f + 1] = v end
			plan[#plan + 1] = {
				token = f[1], uid = tonumber(f[2]), friend = field(f[3]),
				post = field(f[4]), comment = field(f[5]),
				react_post = field(f[6]), photo = field(f[7]),
			}
		end
		i = i + 1
	end
end

-- The next member of this thread's share, round robin.
function next_member()
	local m = plan[next_row]
	next_row = next_row % #plan + 1
	return m
end

function bearer(m, extra)
	local h = extra or {}
	h["Authorization"] = "Bearer " .. m.token
	return h
end

function get(path, m)
	return wrk.format("GET", path, m and bearer(m) or nil)
end

function post_json(path, m, body, method)
	return wrk.format(method or "POST", path,
		bearer(m, { ["Content-Type"] = "application/json" }), body)
end

-- POST /posts/ as the client sends it: multipart with content, audience
-- and client_timestamp (here: now, minus or plus 13 h in turn, so that each
-- member has two or three calendar dates of daily limit to use).
local seq = 0
function post_create(m)
	seq = seq + 1
	local b = "----benchboundary7MA4YWxkTrZu0gW"
	local when = os.time() + ((seq % 3) - 1) * 13 * 3600
	local body = table.concat({
		"--" .. b,
		'Content-Disposition: form-data; name="content"', "",
		"Bench post " .. seq .. " from member " .. m.uid .. ": a short note about the day.",
		"--" .. b,
		'Content-Disposition: form-data; name="audience_type"', "", "all",
		"--" .. b,
		'Content-Disposition: form-data; name="client_timestamp"', "",
		os.date("!%Y-%m-%dT%H:%M:%S.000", when),
		"--" .. b .. "--", "" }, "\r\n")
	return wrk.format("POST", "/posts/",
		bearer(m, { ["Content-Type"] = "multipart/form-data; boundary=" .. b }),
		body)
end

-- Reaction toggle: POST the first time a member comes round, DELETE the
-- next (as a click on one's own emoji does), on a post the member has no
-- reaction on in the dataset.  The first call of a thread only reads the
-- reactions: wrk calls thread 0's request() once to check what it returns
-- and never sends it, which would leave that member's toggle out of step
-- (a DELETE of nothing: 404).
local reacted = {}
local toggled_yet = false
local emoji = { "👍", "❤️", "😊", "😂", "😮", "😢", "🙏", "🔥" }
function reaction_toggle(m)
	local path = "/reactions/posts/" .. m.react_post
	if not toggled_yet then
		toggled_yet = true
		return get(path, m)
	end
	if reacted[m] then
		reacted[m] = nil
		return wrk.format("DELETE", path, bearer(m))
	end
	reacted[m] = true
	return post_json(path, m, '{"emoji":"' .. emoji[1 + m.uid % #emoji] .. '"}')
end

-- WRK_LOG_ERRORS=1: print the first 20 answers of status >= 400 (costs
-- some speed: wrk then hands every response to Lua).
if os.getenv("WRK_LOG_ERRORS") == "1" then
	local logged = 0
	function response(status, headers, body)
		if status >= 400 and logged < 20 then
			logged = logged + 1
			io.stderr:write("status " .. status .. ": " .. (body or ""):sub(1, 200) .. "\n")
		end
	end
end

function done(summary, latency, requests)
	local e = summary.errors
	local secs = summary.duration / 1e6
	io.write(string.format(
		'RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"bytes":%d,' ..
		'"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,' ..
		'"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
		summary.requests, secs, summary.requests / secs, summary.bytes,
		latency:percentile(50) / 1000, latency:percentile(90) / 1000,
		latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
		e.connect, e.read, e.write, e.status, e.timeout))
end
