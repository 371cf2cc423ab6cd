--! keys=3
-- Records one attempt's result on a contact (called by the dialer runtime when
-- an attempt closes): attempts+1, lastResult, lastAttemptAt, firstAttemptAt if unset.
-- KEYS: 1 meta, 2 contacts, 3 outcome (hash id → "attempts,result,lastMs,firstMs")
-- ARGV: 1 contact id, 2 result code, 3 time (epoch ms), 4 "recode" (optional: the last attempt's result
--       changed, lib/dialer/agent-decision.ts; only the result is replaced, nothing is counted)
-- Returns the new attempt count, or -1 if the contact does not exist.
local id = ARGV[1]
if redis.call('HEXISTS', KEYS[2], id) == 0 then return -1 end
local cur = redis.call('HGET', KEYS[3], id)
if ARGV[4] == 'recode' then
  if not cur then return 0 end
  local a, _, l, f = string.match(cur, '^([^,]*),([^,]*),([^,]*),([^,]*)$')
  if not a then return 0 end
  redis.call('HSET', KEYS[3], id, a .. ',' .. ARGV[2] .. ',' .. l .. ',' .. f)
  return tonumber(a) or 0
end
local attempts, first = 0, ARGV[3]
if cur then
  local a, _, _, f = string.match(cur, '^([^,]*),([^,]*),([^,]*),([^,]*)$')
  attempts = tonumber(a) or 0
  if f and f ~= '' then first = f end
end
if attempts == 0 then redis.call('HINCRBY', KEYS[1], 'attempted', 1) end
attempts = attempts + 1
redis.call('HSET', KEYS[3], id, attempts .. ',' .. ARGV[2] .. ',' .. ARGV[3] .. ',' .. first)
return attempts
