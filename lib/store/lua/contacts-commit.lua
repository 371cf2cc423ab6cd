--! keys=3
-- Moves up to ARGV[1] reserved contacts of an all-or-nothing import from its
-- pending zset into the dial order (same scores), counting them.
-- KEYS: 1 meta, 2 order, 3 pending. Returns the number still pending.
local popped = redis.call('ZPOPMIN', KEYS[3], tonumber(ARGV[1]))
local moved = 0
for i = 1, #popped, 2 do
  redis.call('ZADD', KEYS[2], popped[i + 1], popped[i])
  moved = moved + 1
end
if moved > 0 then redis.call('HINCRBY', KEYS[1], 'contacts', moved) end
return redis.call('ZCARD', KEYS[3])
