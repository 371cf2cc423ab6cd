--! keys=2
-- Deletes an agent and its memberships. KEYS[1] agents hash, KEYS[2] `g:{g}:` prefix.
-- ARGV[1] agent id. Returns 1 when deleted, 0 when it did not exist.
local id = ARGV[1]
if redis.call('HDEL', KEYS[1], id) == 0 then return 0 end
local mine = KEYS[2] .. 'agent-groups:' .. id
for _, g in ipairs(redis.call('SMEMBERS', mine)) do
  redis.call('SREM', KEYS[2] .. 'group-members:' .. g, id)
end
redis.call('DEL', mine)
return 1
