--! keys=1
-- Marks a claimed attempt as being dialled, just before the INVITE goes out.
-- Refuses (returns 0) when the attempt is no longer this owner's claim (its
-- lease expired and it was voided or taken over): then it must not be dialled,
-- so a contact is never dialled twice for one attempt.
-- KEYS[1] = campaign base ; ARGV: attemptId, owner, now, leaseMs
local base = KEYS[1]
local at = base .. 'at:' .. ARGV[1]
local a = redis.call('HMGET', at, 'phase', 'owner')
if a[1] ~= 'claimed' or a[2] ~= ARGV[2] then return 0 end
redis.call('HSET', at, 'phase', 'dialing', 'dialAt', ARGV[3])
redis.call('ZADD', base .. 'inflight', tonumber(ARGV[3]) + tonumber(ARGV[4]), ARGV[1])
return 1
