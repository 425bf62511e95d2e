-- Lua on Skiff: each line "lua: NAME VALUE" is checked by tests/xen/areas/posix.sh.
local function say(name, value) print(("lua: %s %s"):format(name, tostring(value))) end

say("version", _VERSION)
-- floats through newlib's printf
say("format", string.format("%.3f %g %e %5.1f", math.pi, 1e20, 12345.678, -2.25))
say("tostring", tostring(0.1 + 0.2) .. " " .. tostring(2^53) .. " " .. tostring(1/0) .. " " .. tostring(-1/0))
say("integer", string.format("%d %x %d", math.maxinteger, 255, 7 // 2))
-- math
say("math", string.format("%.6f %.6f %.6f %.6f", math.sqrt(2), math.sin(1), math.exp(1), math.log(10)))
say("floor", math.floor(-3.5) .. " " .. math.ceil(3.2) .. " " .. math.fmod(7, 3) .. " " .. math.tointeger(3.0))
math.randomseed(42)
local r = math.random(1, 100)
say("random", (r >= 1 and r <= 100) and "in-range" or ("out-of-range " .. r))
-- tables: sort, concat, a big one
local t = {}
for i = 1, 10000 do t[i] = (i * 7919) % 10007 end
table.sort(t)
local sorted = true
for i = 2, #t do if t[i - 1] > t[i] then sorted = false end end
say("sort", #t .. " " .. tostring(sorted) .. " " .. t[1] .. " " .. t[#t])
say("concat", table.concat({"a", "b", "c"}, "-"))
-- strings
say("gsub", (("hello world"):gsub("o", "0")))
say("match", ("key=value"):match("(%w+)=(%w+)"))
-- coroutines
local co = coroutine.create(function(a)
	local b = coroutine.yield(a + 1)
	local c = coroutine.yield(b * 2)
	return c .. "!"
end)
local _, x = coroutine.resume(co, 1)
local _, y = coroutine.resume(co, 10)
local _, z = coroutine.resume(co, "done")
say("coroutine", x .. " " .. y .. " " .. z .. " " .. coroutine.status(co))
-- time: os.time and os.date (UTC), os.clock
local now = os.time()
say("time", (now > 1700000000) and "after-2023" or ("wrong " .. now))
say("date", os.date("!%Y-%m-%d %H:%M:%S", 86400 * 365))
say("date-table", os.date("!*t", 0).year)
local c0 = os.clock()
local s = 0
for i = 1, 200000 do s = s + i end
local c1 = os.clock()
say("clock", (c1 >= c0) and "monotonic" or "backwards")
-- the ramdisk, read-only
local f = assert(io.open("/data/words.txt", "r"))
local lines = {}
for line in f:lines() do lines[#lines + 1] = line end
f:close()
say("ramdisk", #lines .. " " .. lines[3])
local w, err = io.open("/data/words.txt", "w")
say("ramdisk-write", w and "allowed" or err)
-- /tmp, writable
local out = assert(io.open("/tmp/lua-out.txt", "w"))
for i = 1, 1000 do out:write(("line %d %.2f\n"):format(i, i / 3)) end
out:close()
local n, last = 0, nil
for line in io.lines("/tmp/lua-out.txt") do n = n + 1; last = line end
say("tmp", n .. " " .. last)
local h = assert(io.open("/tmp/lua-out.txt", "a"))
h:write("appended\n")
h:close()
local all = assert(io.open("/tmp/lua-out.txt")):read("a")
say("tmp-size", #all)
say("rename", tostring(os.rename("/tmp/lua-out.txt", "/tmp/renamed.txt")))
say("remove", tostring(os.remove("/tmp/renamed.txt")) .. " " .. tostring(io.open("/tmp/renamed.txt") == nil))
say("missing", select(2, io.open("/nonexistent")))
-- the environment and arguments (xl extra=: NAME=VALUE words, then -- and argv)
say("getenv", os.getenv("greeting"))
say("args", #arg .. " " .. table.concat(arg, ","))
-- errors, with a traceback
local ok, msg = xpcall(function() local v = nil; return v.field end, debug.traceback)
say("error", ok and "none" or msg:match("attempt to index a nil value") )
say("traceback", (not ok and msg:find("stack traceback:", 1, true)) and "yes" or "no")
local ok2, msg2 = pcall(error, {code = 7})
say("error-object", msg2.code)
say("done", "ok")
