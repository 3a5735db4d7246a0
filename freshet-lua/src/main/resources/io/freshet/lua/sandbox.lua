-- Freshet's scripting sandbox, run once per Lua state with the full standard library open.
-- Recreates what Redis 7 exposes to scripts: the same globals, a read-only global table and
-- read-only libraries, the redis table and its error handler. The Java side passes its
-- functions in J and keeps what this chunk returns.
local J = ...
local dbg = debug
local real_G = _G
local type, tostring, error, select = type, tostring, error, select
local raw_setmetatable, raw_rawset, raw_rawget, raw_next = setmetatable, rawset, rawget, next
local raw_pairs, raw_ipairs, setfenv = pairs, ipairs, setfenv

-- Read-only tables are empty proxies; target maps each proxy to the table it shows.
local target = raw_setmetatable({}, {__mode = 'k'})
local function ro_error()
  error('Attempt to modify a readonly table', 2)
end
local function protect(t, newindex)
  local mt = {__index = t, __newindex = newindex or ro_error, __metatable = false}
  local proxy = raw_setmetatable({}, mt)
  target[proxy] = t
  return proxy, mt
end

-- Java functions are luajava userdata called through __call: C calls, so a tail call to one
-- keeps the caller's frame (for error positions) as Redis's C functions do. Java raises an
-- error by returning -1 with the error value on the stack, after JNI has returned.
local javafunctions = {}
local function java(f)
  javafunctions[f] = true
  return f
end
local redis = {}
redis.call = java(J.call)
redis.pcall = java(J.pcall)

-- Redis's luaPushErrorBuff: "-CODE msg" keeps its code, anything else gets ERR.
local function error_table(s)
  local code, msg
  if s:sub(1, 1) == '-' then
    local space = s:find(' ', 1, true)
    if space then
      code, msg = s:sub(2, space - 1), s:sub(space + 1)
    else
      code, msg = 'ERR', s:sub(2)
    end
  else
    code, msg = 'ERR', s
  end
  msg = msg:gsub('^[\r\n]+', ''):gsub('[\r\n]+$', '')
  return {err = code .. ' ' .. msg}
end

redis.error_reply = function(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then
    return error_table('wrong number or type of arguments')
  end
  if s:sub(1, 1) ~= '-' then
    s = '-' .. s
  end
  return error_table(s)
end
redis.status_reply = function(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then
    return error_table('wrong number or type of arguments')
  end
  return {ok = s}
end
redis.sha1hex = java(J.sha1hex)
redis.log = java(J.log)
redis.setresp = java(J.setresp)
redis.set_repl = java(J.set_repl)
redis.replicate_commands = function() return true end
redis.breakpoint = function() return false end
redis.debug = function() end
redis.acl_check_cmd = java(J.acl_check_cmd)
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.REDIS_VERSION = J.version
redis.REDIS_VERSION_NUM = J.version_num

-- Redis's __redis__err__handler: errors become {err=..., source=..., line=...}, the position
-- being the user code that raised it (Freshet's own wrappers, source '=freshet', are skipped).
local function err_handler(err)
  local level = 2
  local info = dbg.getinfo(level, 'nSl')
  while info and (info.what == 'C' or info.what == 'tail' or info.source == '=freshet') do
    level = level + 1
    info = dbg.getinfo(level, 'nSl')
  end
  if type(err) ~= 'table' then
    err = {err = 'ERR ' .. tostring(err)}
  end
  if info then
    err['source'] = info.source
    err['line'] = info.currentline
  end
  return err
end

-- The instruction-count hook: lets the engine answer other clients BUSY and stop a killed script.
-- Once a script is killed the hook runs on every line (as Redis does), so a pcall that catches
-- the kill's error gets it again at the next line outside it: the kill cannot be caught for good.
-- The next script's first line puts the hook back on the instruction count.
local jhook = J.hook
local HOOK_EVERY_INSTRUCTIONS = 100000
local hook
local killed = false
hook = function()
  local stop = jhook()
  if stop then
    if not killed then
      killed = true
      dbg.sethook(hook, 'l')
    end
    error({err = stop})
  elseif killed then
    killed = false
    dbg.sethook(hook, '', HOOK_EVERY_INSTRUCTIONS)
  end
end

-- Libraries implemented in Java.
local function wrap_lib(jlib)
  local lib = {}
  for name, f in raw_pairs(jlib) do
    lib[name] = type(f) == 'userdata' and java(f) or f
  end
  return lib
end
for _, name in raw_ipairs({'bit', 'cjson', 'cmsgpack', 'struct'}) do
  if J[name] then
    real_G[name] = wrap_lib(J[name])
  end
end
real_G.cjson.null = J.cjson_null
real_G.cjson._NAME = 'cjson'
real_G.cjson._VERSION = '2.1.0'
real_G.cmsgpack._NAME = 'cmsgpack'
real_G.cmsgpack._VERSION = 'lua-cmsgpack 0.4.0'
real_G.cmsgpack._COPYRIGHT = 'Copyright (C) 2012, Salvatore Sanfilippo'
real_G.cmsgpack._DESCRIPTION = 'MessagePack C implementation for Lua'

-- Redis replaces math.random and math.randomseed with its own generator (rand.c).
math.random = java(J.random)
math.randomseed = java(J.randomseed)

for _, name in raw_ipairs({'dofile', 'loadfile', 'print', 'os', 'io', 'require', 'module', 'package',
    'setfenv', 'getfenv', 'newproxy', 'debug', 'J'}) do
  raw_rawset(real_G, name, nil)
end

-- Functions that would see through or modify read-only tables look at the proxied table.
real_G.rawset = function(t, k, v)
  if target[t] then
    error('Attempt to modify a readonly table', 0)
  end
  return raw_rawset(t, k, v)
end
real_G.setmetatable = function(t, mt)
  if target[t] then
    error('Attempt to modify a readonly table', 0)
  end
  return raw_setmetatable(t, mt)
end
local raw_type = type
local raw_pcall = pcall
local function pcall_result(ok, ...)
  if ok then
    return true, ...
  end
  local e = ...
  if raw_type(e) == 'table' then
    local m = e.err
    if raw_type(m) == 'string' or raw_type(m) == 'number' then
      return false, m
    end
  end
  return false, e
end
real_G.pcall = function(...)
  return pcall_result(raw_pcall(...))
end
real_G.type = function(v)
  if javafunctions[v] then
    return 'function'
  end
  return raw_type(v)
end
real_G.rawget = function(t, k)
  return raw_rawget(target[t] or t, k)
end
real_G.next = function(t, k)
  return raw_next(target[t] or t, k)
end
real_G.pairs = function(t)
  return raw_pairs(target[t] or t)
end
real_G.ipairs = function(t)
  return raw_ipairs(target[t] or t)
end

real_G.redis = protect(redis)
for _, name in raw_ipairs({'string', 'math', 'table', 'coroutine', 'bit', 'cjson', 'cmsgpack', 'struct'}) do
  if raw_rawget(real_G, name) then
    raw_rawset(real_G, name, protect(raw_rawget(real_G, name)))
  end
end
raw_rawset(real_G, '__redis__err__handler', err_handler)
-- Scripts see the read-only view; the thread's own globals stay real_G, where luajava writes
-- its __jthrowable__ global after every Java call (a plain write, no metamethod to run).
local env, env_mt = protect(real_G)
raw_rawset(real_G, '_G', env)
raw_setmetatable(real_G, {__index = function(_, k)
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end})

local function nonexistent(_, k)
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end

-- FUNCTION LOAD runs a library with only this visible (Redis 7's library API).
local load_redis = {
  register_function = java(J.register_function),
  log = redis.log,
  REDIS_VERSION = redis.REDIS_VERSION,
  REDIS_VERSION_NUM = redis.REDIS_VERSION_NUM,
  LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
}
raw_setmetatable(load_redis, {__index = nonexistent})
local load_G = raw_setmetatable({redis = protect(load_redis)}, {__index = nonexistent})
local function set_loading(on)
  env_mt.__index = on and load_G or real_G
end

local runner
if J.functions then
  -- A function gets its keys and arguments as parameters; there are no KEYS and ARGV globals.
  runner = function(f, keys, args)
    local r = f(keys, args)
    return r
  end
else
  -- A script gets KEYS and ARGV as globals, set in the thread's global table (real_G) by the
  -- caller; a plain local call, so the error handler sees the script's frame.
  runner = function(f)
    local r = f()
    return r
  end
end

-- Chunks compiled in this state get the read-only view: scripts and libraries from Java (through
-- sandbox_chunk), loadstring and load here; closures inherit it.
local raw_loadstring, raw_load = loadstring, load
real_G.loadstring = function(...)
  local f, e = raw_loadstring(...)
  if f then
    setfenv(f, env)
  end
  return f, e
end
real_G.load = function(...)
  local f, e = raw_load(...)
  if f then
    setfenv(f, env)
  end
  return f, e
end
local function sandbox_chunk(f)
  setfenv(f, env)
end

dbg.sethook(hook, '', HOOK_EVERY_INSTRUCTIONS)
return runner, err_handler, set_loading, sandbox_chunk
