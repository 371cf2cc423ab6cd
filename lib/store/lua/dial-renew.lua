--! keys=1
-- Extends the leases of this owner's live attempts. Returns how many it renewed.
-- KEYS[1] = campaign base ; ARGV: owner, until (ms), attemptIds...
local base = KEYS[1]
local n = 0
for i = 3, #ARGV do
  local a = redis.call('HMGET', base .. 'at:' .. ARGV[i], 'phase', 'owner')
  if (a[1] == 'claimed' or a[1] == 'dialing') and a[2] == ARGV[1] then
    redis.call('ZADD', base .. 'inflight', ARGV[2], ARGV[i])
    n = n + 1
  end
end
return n
