--! keys=2
-- Forgets a dialog journal once it is empty and its lease is free or ours.
-- KEYS: lease, dialogs hash. ARGV: holder. Returns 1 when the journal is gone
-- (the caller then removes it from the index), else 0.
if redis.call('HLEN', KEYS[2]) > 0 then return 0 end
local cur = redis.call('GET', KEYS[1])
if cur ~= false and cur ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
return 1
