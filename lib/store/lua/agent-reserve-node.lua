--! keys=2
-- As agent-reserve.lua, but only among the agents whose phone leg this dialer
-- process holds (agent hash field `owner` = the desk's node id): with several
-- processes an agent logged in through one of them can only be bridged by it.
-- KEYS[1] agent hash prefix g:{g}:agent:
-- KEYS[2] ready prefix      g:{g}:ready: (campaigns) or g:{g}:rc-ready: (return calls)
-- ARGV[1] token, ARGV[2] attempt id, ARGV[3] now (ms), ARGV[4] preferred agent id or ""
-- (or "=<id>": that agent only), ARGV[5] node id, ARGV[6] the state the queue's agents are in
-- (ready | return_calls), ARGV[7..] groups
-- Returns { agentId, legId, version } or nil when none of ours is ready.
local node, wanted, G = ARGV[5], ARGV[6], 7
local function ours_ready(id)
  local a = redis.call('HMGET', KEYS[1] .. id, 'state', 'owner')
  return a[1] == wanted and a[2] == node
end
local function ready_in(id)
  for i = G, #ARGV do
    if redis.call('ZSCORE', KEYS[2] .. ARGV[i], id) then return true end
  end
  return false
end

local pick = nil
local prefer, only = ARGV[4], false
if string.sub(prefer, 1, 1) == '=' then prefer, only = string.sub(prefer, 2), true end
if prefer ~= '' and ready_in(prefer) and ours_ready(prefer) then pick = prefer end
if only and not pick then return nil end

-- Longest waiting of ours = lowest ready-since score across the groups; ties by id.
if not pick then
  local best, bestScore = nil, nil
  for i = G, #ARGV do
    local from = 0
    while true do
      local page = redis.call('ZRANGE', KEYS[2] .. ARGV[i], from, from + 63, 'WITHSCORES')
      if #page == 0 then break end
      local found = false
      for j = 1, #page, 2 do
        local s = tonumber(page[j + 1])
        if bestScore and s > bestScore then found = true break end
        if ours_ready(page[j]) then
          if not best or s < bestScore or (s == bestScore and page[j] < best) then best, bestScore = page[j], s end
          found = true
          break
        end
      end
      if found then break end
      from = from + 64
    end
  end
  pick = best
end
if not pick then return nil end

local key = KEYS[1] .. pick
for _, g in ipairs(cjson.decode(redis.call('HGET', key, 'groups') or '[]')) do
  redis.call('ZREM', KEYS[2] .. g, pick)
end
local ver = tonumber(redis.call('HGET', key, 'ver') or '0') + 1
redis.call('HSET', key, 'state', 'reserved', 'since', ARGV[3], 'token', ARGV[1], 'attemptId', ARGV[2], 'ver', ver)
return { pick, redis.call('HGET', key, 'leg') or '', ver }
