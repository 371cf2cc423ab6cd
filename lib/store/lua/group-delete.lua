--! keys=2
-- Deletes an agent group unless a campaign uses it; its agents lose the
-- membership. KEYS[1] groups hash, KEYS[2] `g:{g}:` prefix. ARGV[1] group id.
-- Returns {'OK'} | {'MISSING'} | {'INUSE', campaignId...}.
local g = ARGV[1]
if redis.call('HEXISTS', KEYS[1], g) == 0 then return { 'MISSING' } end
local users = redis.call('SMEMBERS', KEYS[2] .. 'group-users:' .. g)
if #users > 0 then
  table.insert(users, 1, 'INUSE')
  return users
end
local members = KEYS[2] .. 'group-members:' .. g
for _, a in ipairs(redis.call('SMEMBERS', members)) do
  redis.call('SREM', KEYS[2] .. 'agent-groups:' .. a, g)
end
redis.call('DEL', members)
redis.call('HDEL', KEYS[1], g)
return { 'OK' }
