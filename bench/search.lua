-- search.lua — wrk script for the registry search: GET /api/v1/residents?q=... with
-- queries rotating over a list that bench/run.sh draws from the loaded 40,000-resident
-- demo: name fragments, phone tails, rooms and ID tails (one request path a line).
-- The session comes from the environment: SW_COOKIE; the list from SW_SEARCH_PATHS.

local cookie = os.getenv("SW_COOKIE")
local file = os.getenv("SW_SEARCH_PATHS")
if not cookie or not file then
  io.stderr:write("search.lua: SW_COOKIE and SW_SEARCH_PATHS must be set\n")
  os.exit(2)
end

local paths = {}
for line in io.lines(file) do
  if line ~= "" then paths[#paths + 1] = line end
end
if #paths == 0 then
  io.stderr:write("search.lua: no queries in " .. file .. "\n")
  os.exit(2)
end

wrk.headers["Cookie"] = cookie
local n = 0

-- Each thread starts at its own place in the list.
setup = function(thread)
  thread:set("offset", math.random(#paths))
end

request = function()
  n = n + 1
  local i = ((offset or 0) + n) % #paths + 1
  return wrk.format("GET", paths[i])
end
