--! keys=1
-- Compare-and-set of a campaign: writes the new state and document only if the
-- stored state and version are the ones the caller computed from. This is how
-- the guarded transition and every edit stay atomic when several API calls or
-- dialer processes race.
-- KEYS[1] campaign hash; ARGV[1] expected state, ARGV[2] expected version,
-- ARGV[3] new state, ARGV[4] new document (JSON), or "" with ARGV[3] "" to delete.
-- Returns {'OK', version} | {'MISSING'} | {'STALE', state, version}.
local cur = redis.call('HMGET', KEYS[1], 'state', 'version')
if not cur[1] then return { 'MISSING' } end
if cur[1] ~= ARGV[1] or cur[2] ~= ARGV[2] then return { 'STALE', cur[1], cur[2] } end
if ARGV[3] == '' then
  redis.call('DEL', KEYS[1])
  return { 'OK', '0' }
end
local v = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'doc', ARGV[4])
return { 'OK', tostring(v) }
