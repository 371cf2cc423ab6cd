--! keys=1
-- Takes or renews a lease (e.g. a campaign's runner lease): succeeds when the
-- key is free or already ours. ARGV: owner, ttlMs. Returns 1 if held now.
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
