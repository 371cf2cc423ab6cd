--! keys=1
-- Takes or renews the lease on a message campaign for one process.
-- KEYS[1] lease key; ARGV[1] owner, ARGV[2] ttl (ms). Returns 1 held, 0 someone else holds it.
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
