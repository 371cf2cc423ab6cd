--! keys=3
-- Creates or updates an agent definition and its group memberships together.
-- KEYS[1] agents hash, KEYS[2] groups hash, KEYS[3] the `g:{g}:` prefix (keys
-- of memberships are built from it: same hash tag).
-- ARGV[1] agent id, ARGV[2] JSON, ARGV[3] 'create'|'update', ARGV[4] '1' when
-- groups are given (then ARGV[5..] is the complete new set), else '0'.
-- Returns {'OK'} | {'EXISTS'} | {'MISSING'} | {'NOGROUP', groupId}.
local id = ARGV[1]
local exists = redis.call('HEXISTS', KEYS[1], id) == 1
if ARGV[3] == 'create' and exists then return { 'EXISTS' } end
if ARGV[3] == 'update' and not exists then return { 'MISSING' } end
if ARGV[4] == '1' then
  for i = 5, #ARGV do
    if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 0 then return { 'NOGROUP', ARGV[i] } end
  end
  local mine = KEYS[3] .. 'agent-groups:' .. id
  for _, g in ipairs(redis.call('SMEMBERS', mine)) do
    redis.call('SREM', KEYS[3] .. 'group-members:' .. g, id)
  end
  redis.call('DEL', mine)
  for i = 5, #ARGV do
    redis.call('SADD', mine, ARGV[i])
    redis.call('SADD', KEYS[3] .. 'group-members:' .. ARGV[i], id)
  end
end
redis.call('HSET', KEYS[1], id, ARGV[2])
return { 'OK' }
