--! keys=4
-- Creates one message record in its first status ('queued' or 'skipped') and
-- counts it, optionally moving the campaign's list cursor in the same step
-- (so a crash never leaves a contact both passed over and without a record).
-- KEYS[1] campaign/stats hash, KEYS[2] messages hash, KEYS[3] order zset,
-- KEYS[4] pending zset (queued, not yet answered by the channel).
-- ARGV[1] id, ARGV[2] record JSON, ARGV[3] status, ARGV[4] at (ms),
-- ARGV[5] new cursor ('' = leave), ARGV[6] expected cursor.
-- Returns 1 written, 0 cursor moved by someone else, -1 id exists.
if ARGV[5] ~= '' then
  local cur = redis.call('HGET', KEYS[1], 'cursor') or ''
  if cur ~= ARGV[6] then return 0 end
  redis.call('HSET', KEYS[1], 'cursor', ARGV[5])
end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return -1 end
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
redis.call('HINCRBY', KEYS[1], 'created', 1)
if ARGV[3] == 'queued' then
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
else
  redis.call('HINCRBY', KEYS[1], 'processed', 1)
  redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
end
return 1
