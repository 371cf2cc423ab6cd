--! keys=2
-- Shared admission for one limited resource (a trunk, or a campaign) across
-- every dialer process. KEYS[1] = sliding window of admissions (zset token ->
-- admitted at, ms), KEYS[2] = channels held (zset token -> lease expiry, ms);
-- both carry the resource's hash tag. The clock is the Redis server's, so
-- processes on different hosts agree on it.
-- ARGV: limit, windowMs, maxChannels, leaseMs, replaces, token1..tokenN
--   replaces: a token admitted earlier whose call was held up ("" = none); it
--   is taken out of both sets first, whatever the answer (its call is not sent
--   on it), so a late call is admitted afresh in one step.
--   limit 0 = no rate limit; at most `limit` admissions in any windowMs.
--   maxChannels 0 = no channel limit; held channels whose lease ran out
--   (their dialer died) are dropped before counting.
-- Grants the first k tokens (k <= N) and returns { k, nowMs }.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local maxCh = tonumber(ARGV[3])
local leaseMs = tonumber(ARGV[4])
local room = #ARGV - 5
if ARGV[5] ~= '' then
  redis.call('ZREM', KEYS[1], ARGV[5])
  redis.call('ZREM', KEYS[2], ARGV[5])
end
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - windowMs)
  local used = redis.call('ZCARD', KEYS[1])
  if limit - used < room then room = limit - used end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if maxCh > 0 then
  local held = redis.call('ZCARD', KEYS[2])
  if maxCh - held < room then room = maxCh - held end
end
if room < 0 then room = 0 end
for i = 1, room do
  local tok = ARGV[5 + i]
  if limit > 0 then redis.call('ZADD', KEYS[1], now, tok) end
  redis.call('ZADD', KEYS[2], now + leaseMs, tok)
end
if limit > 0 then redis.call('PEXPIRE', KEYS[1], windowMs + 1000) end
if room > 0 then redis.call('PEXPIRE', KEYS[2], leaseMs * 2) end
return { room, now }
