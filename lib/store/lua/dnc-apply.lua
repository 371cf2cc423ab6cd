--! keys=2
-- Adds, updates or removes do-not-call entries and appends one audit record per
-- change to the list's stream, in one step (a crash never leaves a change
-- without its audit record, or the reverse).
-- KEYS[1] DNC hash (phone → JSON), KEYS[2] audit stream.
-- ARGV[1] actor, ARGV[2] time (ISO), ARGV[3] 'add'|'remove', ARGV[4] source,
-- then for 'add' pairs (phone, entry JSON), for 'remove' phones.
-- Returns one outcome per item: 'added' | 'updated' | 'removed' | 'absent'.
local out = {}
if ARGV[3] == 'add' then
  for i = 5, #ARGV, 2 do
    local phone, json = ARGV[i], ARGV[i + 1]
    local isNew = redis.call('HSET', KEYS[1], phone, json) == 1
    local action = isNew and 'added' or 'updated'
    redis.call('XADD', KEYS[2], '*', 'action', action, 'phone', phone, 'actor', ARGV[1], 'at', ARGV[2], 'source', ARGV[4], 'entry', json)
    out[#out + 1] = action
  end
else
  for i = 5, #ARGV do
    local phone = ARGV[i]
    local old = redis.call('HGET', KEYS[1], phone)
    if old then
      redis.call('HDEL', KEYS[1], phone)
      redis.call('XADD', KEYS[2], '*', 'action', 'removed', 'phone', phone, 'actor', ARGV[1], 'at', ARGV[2], 'source', ARGV[4], 'entry', old)
      out[#out + 1] = 'removed'
    else
      out[#out + 1] = 'absent'
    end
  end
end
return out
