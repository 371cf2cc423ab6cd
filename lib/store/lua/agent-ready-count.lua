--! keys=1
-- Number of distinct agents ready in any of the groups (an agent in two groups counts once).
-- KEYS[1] ready prefix g:{g}:ready: ; ARGV = groups
if #ARGV == 1 then return redis.call('ZCARD', KEYS[1] .. ARGV[1]) end
local seen, n = {}, 0
for i = 1, #ARGV do
  for _, id in ipairs(redis.call('ZRANGE', KEYS[1] .. ARGV[i], 0, -1)) do
    if not seen[id] then seen[id] = true; n = n + 1 end
  end
end
return n
