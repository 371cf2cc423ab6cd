--! keys=3
-- Creates or replaces a callback under compare-and-set on its version, and
-- keeps the campaign's due-time ZSET in step (only scheduled callbacks are due).
-- KEYS[1] callback hash  c:{c:<id>}:callback:<cbId>
-- KEYS[2] due ZSET       c:{c:<id>}:callbacks
-- KEYS[3] index ZSET     c:{c:<id>}:callbacks-all (every callback by creation time)
-- ARGV[1] expected version ("0" = must not exist), ARGV[2] callback id,
-- ARGV[3] doc JSON, ARGV[4] state, ARGV[5] dueAt (ms), ARGV[6] createdAt (ms)
-- Returns new version, or -1 when the version moved (or it exists on create).
local ver = tonumber(redis.call('HGET', KEYS[1], 'ver') or '0')
if ver ~= tonumber(ARGV[1]) then return -1 end
redis.call('HSET', KEYS[1], 'doc', ARGV[3], 'state', ARGV[4], 'ver', ver + 1)
redis.call('ZADD', KEYS[3], 'NX', ARGV[6], ARGV[2])
if ARGV[4] == 'scheduled' then
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[2])
else
  redis.call('ZREM', KEYS[2], ARGV[2])
end
return ver + 1
