--! keys=1
-- Creates or updates an agent group. KEYS[1] groups hash; ARGV[1] id,
-- ARGV[2] JSON, ARGV[3] 'create'|'update'. Returns 'OK' | 'EXISTS' | 'MISSING'.
local exists = redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1
if ARGV[3] == 'create' and exists then return 'EXISTS' end
if ARGV[3] == 'update' and not exists then return 'MISSING' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 'OK'
