--! keys=2
-- Gives channels back (KEYS as limit-admit.lua). ARGV: refund, token1..tokenN.
-- refund 1 = nothing was sent for these tokens: their rate admissions are
-- taken back too, so an unused claim does not eat the carrier's budget.
-- Returns how many channels were released.
local n = 0
for i = 2, #ARGV do
  n = n + redis.call('ZREM', KEYS[2], ARGV[i])
  if ARGV[1] == '1' then redis.call('ZREM', KEYS[1], ARGV[i]) end
end
return n
