--! keys=1
-- Extends the leases of held channels (KEYS[1] = channels zset of
-- limit-admit.lua) that are still held. ARGV: leaseMs, token1..tokenN.
-- Returns how many were renewed.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expiry = now + tonumber(ARGV[1])
local n = 0
for i = 2, #ARGV do
  n = n + redis.call('ZADD', KEYS[1], 'XX', 'CH', expiry, ARGV[i])
end
if n > 0 then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2) end
return n
