--! keys=3
-- Removes up to ARGV[1] reserved (never dialable) contacts of a failed
-- all-or-nothing import. KEYS: 1 contacts, 2 phones, 3 pending.
-- Returns the number still pending.
local popped = redis.call('ZPOPMIN', KEYS[3], tonumber(ARGV[1]))
for i = 1, #popped, 2 do
  local id = popped[i]
  local rec = redis.call('HGET', KEYS[1], id)
  if rec then
    local phone = cjson.decode(rec).p
    if redis.call('HGET', KEYS[2], phone) == id then redis.call('HDEL', KEYS[2], phone) end
    redis.call('HDEL', KEYS[1], id)
  end
end
return redis.call('ZCARD', KEYS[3])
