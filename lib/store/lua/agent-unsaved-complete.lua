--! keys=1
-- Completes an "unsaved" record once: marks it completed with the disposition
-- and takes it off the open lists.
-- KEYS[1] unsaved prefix g:{g}:unsaved:
-- ARGV[1] record id, ARGV[2] completion JSON
-- Returns 1 done, 0 unknown record, -1 already completed.
local rec = KEYS[1] .. 'rec:' .. ARGV[1]
local state = redis.call('HGET', rec, 'state')
if not state then return 0 end
if state ~= 'open' then return -1 end
local agent = redis.call('HGET', rec, 'agentId')
redis.call('HSET', rec, 'state', 'completed', 'completion', ARGV[2])
redis.call('ZREM', KEYS[1] .. 'open', ARGV[1])
redis.call('ZREM', KEYS[1] .. 'agent:' .. agent, ARGV[1])
redis.call('ZADD', KEYS[1] .. 'completed', cjson.decode(ARGV[2]).at, ARGV[1])
return 1
