--! keys=2
-- Reserves the longest-waiting ready agent of any of the given groups
-- (ready → reserved) in one step, so two calls never get the same agent.
-- KEYS[1] agent hash prefix g:{g}:agent:
-- KEYS[2] ready prefix      g:{g}:ready: (campaigns) or g:{g}:rc-ready: (return calls)
-- ARGV[1] token, ARGV[2] attempt id, ARGV[3] now (ms), ARGV[4] preferred agent id or "",
-- or "=<id>" for that agent only (a callback inside its owner's grace: nobody else may take it),
-- ARGV[5] the state the queue's agents are in (ready | return_calls), ARGV[6..] groups
-- Returns { agentId, legId, version } or nil when nobody is ready.
local G = 6
local wanted = ARGV[5]
local function ready_in(id, from)
  for i = from, #ARGV do
    if redis.call('ZSCORE', KEYS[2] .. ARGV[i], id) then return true end
  end
  return false
end

local pick = nil
local prefer, only = ARGV[4], false
if string.sub(prefer, 1, 1) == '=' then prefer, only = string.sub(prefer, 2), true end
if prefer ~= '' and ready_in(prefer, G) and redis.call('HGET', KEYS[1] .. prefer, 'state') == wanted then
  pick = prefer
end
if only and not pick then return nil end

-- Longest waiting = lowest ready-since score across the groups; ties by id.
-- A member whose hash is not ready is stale (should not happen) and is dropped.
while not pick do
  local best, bestScore = nil, nil
  for i = G, #ARGV do
    local top = redis.call('ZRANGE', KEYS[2] .. ARGV[i], 0, 0, 'WITHSCORES')
    if top[1] then
      local s = tonumber(top[2])
      if not best or s < bestScore or (s == bestScore and top[1] < best) then best, bestScore = top[1], s end
    end
  end
  if not best then return nil end
  if redis.call('HGET', KEYS[1] .. best, 'state') == wanted then
    pick = best
  else
    for i = G, #ARGV do redis.call('ZREM', KEYS[2] .. ARGV[i], best) end
  end
end

local key = KEYS[1] .. pick
for _, g in ipairs(cjson.decode(redis.call('HGET', key, 'groups') or '[]')) do
  redis.call('ZREM', KEYS[2] .. g, pick)
end
local ver = tonumber(redis.call('HGET', key, 'ver') or '0') + 1
redis.call('HSET', key, 'state', 'reserved', 'since', ARGV[3], 'token', ARGV[1], 'attemptId', ARGV[2], 'ver', ver)
return { pick, redis.call('HGET', key, 'leg') or '', ver }
