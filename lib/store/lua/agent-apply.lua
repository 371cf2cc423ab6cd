--! keys=5
-- Applies one agent state transition decided by lib/agents/state.ts, atomically:
-- compare-and-set on the agent's version, field changes, ready-queue changes
-- and, when the call is lost, the "unsaved" record — all or nothing.
-- KEYS[1] agent hash   g:{g}:agent:<id>
-- KEYS[2] ready prefix g:{g}:ready:      (+ group: ZSET member=agentId score=readySince)
-- KEYS[3] live set     g:{g}:agents-live (agents not logged out)
-- KEYS[4] unsaved prefix g:{g}:unsaved:  (+ rec:<id> hash, open ZSET, agent:<id> ZSET)
-- KEYS[5] return-call ready prefix g:{g}:rc-ready: (+ group: as KEYS[2], agents in return_calls)
-- ARGV[1] expected version ("0" = no hash yet)
-- ARGV[2] agent id
-- ARGV[3] queue op: enqueue (campaign queues) | enqueue-rc (return-call queues) | dequeue | ""
--         (either enqueue leaves the other pool first)
-- ARGV[4] JSON object of fields to set
-- ARGV[5] JSON array of fields to delete
-- ARGV[6] unsaved record JSON (with id, agentId, createdAt) or ""
-- ARGV[7] live op: add | remove | ""
-- Returns { 1, newVersion } or { 0, currentVersion } when the version moved.
local ver = tonumber(redis.call('HGET', KEYS[1], 'ver') or '0')
if ver ~= tonumber(ARGV[1]) then return { 0, ver } end

local groups = cjson.decode(redis.call('HGET', KEYS[1], 'groups') or '[]')
local function dequeue()
  for _, g in ipairs(groups) do
    redis.call('ZREM', KEYS[2] .. g, ARGV[2])
    redis.call('ZREM', KEYS[5] .. g, ARGV[2])
  end
end
if ARGV[3] == 'dequeue' then dequeue() end

local sets = cjson.decode(ARGV[4])
local flat = { 'ver', tostring(ver + 1), 'id', ARGV[2] }
for k, v in pairs(sets) do
  flat[#flat + 1] = k
  flat[#flat + 1] = tostring(v)
end
redis.call('HSET', KEYS[1], unpack(flat))
local dels = cjson.decode(ARGV[5])
if #dels > 0 then redis.call('HDEL', KEYS[1], unpack(dels)) end

if ARGV[3] == 'enqueue' or ARGV[3] == 'enqueue-rc' then
  -- groups may have just been set (login); the queue score is the ready-since time.
  dequeue()
  groups = cjson.decode(redis.call('HGET', KEYS[1], 'groups') or '[]')
  local since = redis.call('HGET', KEYS[1], 'readySince')
  local prefix = ARGV[3] == 'enqueue' and KEYS[2] or KEYS[5]
  for _, g in ipairs(groups) do redis.call('ZADD', prefix .. g, since, ARGV[2]) end
end

if ARGV[7] == 'add' then redis.call('SADD', KEYS[3], ARGV[2]) end
if ARGV[7] == 'remove' then redis.call('SREM', KEYS[3], ARGV[2]) end

if ARGV[6] ~= '' then
  local rec = cjson.decode(ARGV[6])
  redis.call('HSET', KEYS[4] .. 'rec:' .. rec.id, 'json', ARGV[6], 'agentId', ARGV[2], 'state', 'open')
  redis.call('ZADD', KEYS[4] .. 'open', rec.createdAt, rec.id)
  redis.call('ZADD', KEYS[4] .. 'agent:' .. ARGV[2], rec.createdAt, rec.id)
end
return { 1, ver + 1 }
