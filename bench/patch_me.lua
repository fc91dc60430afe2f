-- patch_me.lua — wrk script for durable writes: PATCH /api/v1/me with a new display name.
--
-- Names alternate between Chinese and English and carry a counter, so every request
-- really changes the row (a server may skip a write that changes nothing) and both
-- encodings go through validation. The session comes from bench/run.sh in the
-- environment: SW_COOKIE ("sw_session=...") and SW_CSRF (the csrf_token of the login).

local cookie = os.getenv("SW_COOKIE")
local csrf = os.getenv("SW_CSRF")
if not cookie or not csrf then
  io.stderr:write("patch_me.lua: SW_COOKIE and SW_CSRF must be set\n")
  os.exit(2)
end

wrk.method = "PATCH"
wrk.path = "/api/v1/me"
wrk.headers["Cookie"] = cookie
wrk.headers["X-CSRF-Token"] = csrf
wrk.headers["Content-Type"] = "application/json"

local names = { "居委会王主任 %d", "Committee Chair Wang %d" }
local n = 0

request = function()
  n = n + 1
  local body = string.format('{"display_name":"' .. names[n % 2 + 1] .. '"}', n)
  return wrk.format(nil, nil, nil, body)
end
