--! keys=1
-- Recovers attempts whose lease expired (their dialer died). A claimed attempt
-- that was never dialled goes back to the queue uncounted. One that was being
-- dialled is handed to the caller (phase "reaping", new owner) to be closed
-- with a result; if the caller dies too, the next reap finds it again.
-- KEYS[1] = campaign base ; ARGV: now, newOwner, leaseMs, limit
-- Returns a flat array of attemptId, ref, attemptNo for each attempt to close.
local base = KEYS[1]
local now = tonumber(ARGV[1])
local expired = redis.call('ZRANGEBYSCORE', base .. 'inflight', '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))
local out = {}
for _, id in ipairs(expired) do
  local at = base .. 'at:' .. id
  local a = redis.call('HMGET', at, 'phase', 'ref', 'score', 'attemptNo')
  if a[1] == 'claimed' then
    local sep = string.find(a[2], ':', 1, true)
    redis.call('HSET', at, 'phase', 'void')
    redis.call('ZREM', base .. 'inflight', id)
    redis.call('HSET', base .. 'ct:' .. a[2], 'state', 'queued')
    redis.call('HDEL', base .. 'ct:' .. a[2], 'attempt')
    redis.call('ZADD', base .. 'queue:' .. string.sub(a[2], 1, sep - 1), a[3], string.sub(a[2], sep + 1))
  elseif a[1] == 'dialing' or a[1] == 'reaping' then
    redis.call('HSET', at, 'phase', 'reaping', 'owner', ARGV[2])
    redis.call('ZADD', base .. 'inflight', now + tonumber(ARGV[3]), id)
    out[#out + 1] = id
    out[#out + 1] = a[2]
    out[#out + 1] = a[4]
  else
    redis.call('ZREM', base .. 'inflight', id)
  end
end
return out
