-- A day of real use, as a mix of requests (bench/README.md, "The mixed
-- workload"): each request takes the next member of the thread's share and
-- a kind drawn with the weights below, which are requests per active
-- member per day.  WRK_KINDS (comma-separated) limits the mix to the kinds
-- whose routes exist in the build under test; the weights of the others
-- are dropped, not spread.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

-- kind, requests per member per day, what the member needs in the plan
local day = {
	{ "poll", 48 },			-- GET /notifications/recent, bell every 30 s
	{ "feed", 6 },			-- GET /feed/?skip=0&limit=20, app opened
	{ "feed_more", 4 },		-- GET /feed/?skip=20&limit=20, scrolled
	{ "summary", 10 },		-- POST /notifications/post-summary after a page
	{ "images", 30, "photo" },	-- GET /images/<key>?token= (cache misses)
	{ "comments", 8, "post" },	-- GET /comments/posts/<id>, a post opened
	{ "read", 8, "post" },		-- POST /notifications/posts/<id>/read
	{ "reactions", 8, "post" },	-- GET /reactions/posts/<id>
	{ "replies", 2, "comment" },	-- GET /replies/comment/<id>
	{ "profile", 2, "friend" },	-- GET /posts/user/<id>
	{ "reaction", 4, "react_post" },	-- POST or DELETE a reaction
	{ "comment_create", 2, "post" },	-- POST /comments/
	{ "post_create", 0.5 },		-- POST /posts/ (multipart)
}

local kinds, total = {}, 0

function init(args)
	load_plan()
	math.randomseed(1000 + (tid or 0))
	local enabled = {}
	for k in (os.getenv("WRK_KINDS") or ""):gmatch("[^,]+") do enabled[k] = true end
	for _, d in ipairs(day) do
		if enabled[d[1]] then
			total = total + d[2]
			kinds[#kinds + 1] = { name = d[1], upto = total, need = d[3] }
		end
	end
end

local function summary_body(m)
	local ids, base = {}, tonumber(m.post or "1")
	for i = 0, 19 do ids[#ids + 1] = tostring(math.max(1, base - i * 7)) end
	return '{"post_ids":[' .. table.concat(ids, ",") .. ']}'
end

local seq = 0
local build = {
	poll = function(m) return get("/notifications/recent", m) end,
	feed = function(m) return get("/feed/?skip=0&limit=20", m) end,
	feed_more = function(m) return get("/feed/?skip=20&limit=20", m) end,
	summary = function(m)
		return post_json("/notifications/post-summary", m, summary_body(m))
	end,
	images = function(m)
		return wrk.format("GET", "/images/" .. m.photo .. "?token=" .. m.token)
	end,
	comments = function(m) return get("/comments/posts/" .. m.post, m) end,
	read = function(m)
		return post_json("/notifications/posts/" .. m.post .. "/read", m, "")
	end,
	reactions = function(m) return get("/reactions/posts/" .. m.post, m) end,
	replies = function(m) return get("/replies/comment/" .. m.comment, m) end,
	profile = function(m) return get("/posts/user/" .. m.friend, m) end,
	reaction = reaction_toggle,
	comment_create = function(m)
		seq = seq + 1
		return post_json("/comments/", m, '{"post_id":' .. m.post ..
			',"content":"Lovely! (bench ' .. seq .. ')"}')
	end,
	post_create = post_create,
}

function request()
	for _ = 1, 20 do
		local r = math.random() * total
		local m = next_member()
		for _, k in ipairs(kinds) do
			if r < k.upto then
				if k.need == nil or m[k.need] then return build[k.name](m) end
				break
			end
		end
	end
	return get("/notifications/recent", next_member())
end
