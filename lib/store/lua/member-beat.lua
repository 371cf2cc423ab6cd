--! keys=2
-- Heartbeat of one dialer process and the list of live ones.
-- KEYS[1] = members (zset owner -> expiry ms), KEYS[2] = their advertised
-- capacity and health (hash owner -> JSON); same hash tag.
-- ARGV: owner, ttlMs, info JSON ('' = leave: remove this owner).
-- Returns a flat array owner, info for every live member (this one included).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for _, o in ipairs(gone) do redis.call('HDEL', KEYS[2], o) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[3] == '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
else
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
end
local live = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = {}
for _, o in ipairs(live) do
  out[#out + 1] = o
  out[#out + 1] = redis.call('HGET', KEYS[2], o) or '{}'
end
return out
