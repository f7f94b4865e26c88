-- One hot route, chosen by WRK_SCENARIO (see common.lua for the plan):
--   plain          GET WRK_PATH, no token (GET /health, nginx return 200)
--   feed           GET /feed/?skip=0&limit=20 as the client asks it
--   feed_peer      GET /feed?skip=0&limit=20 (the FastAPI peer's spelling)
--   profile        GET /posts/user/<friend>
--   comments       GET /comments/posts/<post>
--   notifications  GET /notifications/recent
--   post_create    POST /posts/ (multipart)
--   reaction       POST / DELETE /reactions/posts/<post> in turn
--   images         GET /images/<photo key>?token=... as <img src> does
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local scenario = os.getenv("WRK_SCENARIO") or "plain"
local path = os.getenv("WRK_PATH") or "/"
local usable = {
	profile = "friend", comments = "post", reaction = "react_post",
	images = "photo",
}

function init(args)
	load_plan()
	-- keep only members that have what the scenario needs
	local need = usable[scenario]
	if need then
		local kept = {}
		for _, m in ipairs(plan) do
			if m[need] then kept[#kept + 1] = m end
		end
		plan = kept
	end
end

local build = {
	plain = function() return wrk.format("GET", path) end,
	feed = function(m) return get("/feed/?skip=0&limit=20", m) end,
	feed_peer = function(m) return get("/feed?skip=0&limit=20", m) end,
	profile = function(m) return get("/posts/user/" .. m.friend, m) end,
	comments = function(m) return get("/comments/posts/" .. m.post, m) end,
	notifications = function(m) return get("/notifications/recent", m) end,
	post_create = post_create,
	reaction = reaction_toggle,
	images = function(m)
		return wrk.format("GET", "/images/" .. m.photo .. "?token=" .. m.token)
	end,
}
local make = build[scenario]

function request()
	if scenario == "plain" then return make() end
	return make(next_member())
end
