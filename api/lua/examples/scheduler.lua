-- examples/scheduler.lua — a minimal coroutine scheduler for strata: each
-- task is a coroutine whose rt:fetch / strata.http.request yields instead
-- of blocking; the scheduler waits on the runtimes' descriptors with
-- poll(2), runs them, and resumes the tasks whose transfer is done.
--
--   local scheduler = require "scheduler"   -- (api/lua/examples on LUA_PATH)
--   local s = scheduler.new()
--   for _, url in ipairs(urls) do
--     s:spawn(function() local body, code = http.request(url) ... end)
--   end
--   s:run()   -- returns when every task has ended; a task's error is raised
local ffi = require "ffi"
local strata = require "strata"

pcall(ffi.cdef, [[
struct pollfd { int fd; short events; short revents; };
int poll(struct pollfd* fds, unsigned long nfds, int timeout);
]])
local POLLIN = 1

local Scheduler = {}
Scheduler.__index = Scheduler

local function new()
  return setmetatable({ready = {}, waiting = {}, nwaiting = 0, max_waiting = 0}, Scheduler)
end

-- s:spawn(fn, ...): a task that starts at the next s:run().
function Scheduler:spawn(fn, ...)
  local args = {n = select("#", ...), ...}
  local co = coroutine.create(function() return fn(unpack(args, 1, args.n)) end)
  strata.cooperative[co] = true
  self.ready[#self.ready + 1] = co
  return co
end

function Scheduler:resume(co)
  local ok, rt, transfer = coroutine.resume(co)
  if not ok then error(debug.traceback(co, tostring(rt)), 0) end
  if coroutine.status(co) == "dead" then return end
  -- Suspended in rt:fetch: (rt, transfer).
  assert(type(rt) == "table" and transfer, "a task yielded something other than a strata transfer")
  self.waiting[co] = {rt = rt, transfer = transfer}
  self.nwaiting = self.nwaiting + 1
  if self.nwaiting > self.max_waiting then self.max_waiting = self.nwaiting end
end

-- s:run(): until every task has ended.
function Scheduler:run()
  while #self.ready > 0 or self.nwaiting > 0 do
    local ready = self.ready
    self.ready = {}
    for _, co in ipairs(ready) do self:resume(co) end
    if self.nwaiting > 0 then
      -- Each runtime once: progress it, then wait on its descriptor.
      local runtimes, fds = {}, {}
      for _, w in pairs(self.waiting) do
        if not runtimes[w.rt] then
          runtimes[w.rt] = true
          w.rt:run(0)
        end
      end
      local wake = false
      for co, w in pairs(self.waiting) do
        if w.transfer.done then wake = true end
      end
      if not wake then
        local timeout = 1000
        for rt in pairs(runtimes) do
          fds[#fds + 1] = rt:fd()
          local t = rt:timeout()
          if t then timeout = math.min(timeout, math.ceil(t * 1000)) end
        end
        local pfd = ffi.new("struct pollfd[?]", #fds)
        for i, fd in ipairs(fds) do
          pfd[i - 1].fd, pfd[i - 1].events = fd, POLLIN
        end
        ffi.C.poll(pfd, #fds, timeout)
        for rt in pairs(runtimes) do rt:run(0) end
      end
      for co, w in pairs(self.waiting) do
        if w.transfer.done then
          self.waiting[co] = nil
          self.nwaiting = self.nwaiting - 1
          self.ready[#self.ready + 1] = co
        end
      end
    end
  end
end

return {new = new}
