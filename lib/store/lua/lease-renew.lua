--! keys=1
-- Renews a lease its owner still holds; never takes a free one. A process
-- renewing the leases of dead journals it is ending must not bring back a lease
-- the end of that work has just deleted (the key would outlive its journal).
-- ARGV: owner, ttlMs. Returns 1 if renewed.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
