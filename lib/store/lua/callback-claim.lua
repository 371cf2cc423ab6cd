--! keys=2
-- The runner claims a due callback exactly once: scheduled and due → claimed.
-- KEYS[1] callback hash, KEYS[2] due ZSET
-- ARGV[1] callback id, ARGV[2] now (ms)
-- Returns the doc JSON with the claim applied, or nil when not claimable.
if redis.call('HGET', KEYS[1], 'state') ~= 'scheduled' then return nil end
local due = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not due or tonumber(due) > tonumber(ARGV[2]) then return nil end
local doc = cjson.decode(redis.call('HGET', KEYS[1], 'doc'))
doc.state = 'claimed'
doc.claimedAt = tonumber(ARGV[2])
doc.updatedAt = tonumber(ARGV[2])
local json = cjson.encode(doc)
local ver = tonumber(redis.call('HGET', KEYS[1], 'ver') or '0') + 1
redis.call('HSET', KEYS[1], 'doc', json, 'state', 'claimed', 'ver', ver)
redis.call('ZREM', KEYS[2], ARGV[1])
return json
