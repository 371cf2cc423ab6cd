--! keys=1
-- Creates a campaign definition unless one with the id exists.
-- KEYS[1] campaign hash; ARGV[1] state, ARGV[2] document (JSON).
-- Returns 1 when created, 0 when the id is taken.
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'version', 1, 'doc', ARGV[2])
return 1
