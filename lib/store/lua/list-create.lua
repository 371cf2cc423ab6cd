--! keys=1
-- Creates a list's metadata hash unless the id is taken.
-- KEYS: 1 meta. ARGV: field, value, field, value, ... Returns 1 if created, 0 if it existed.
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
