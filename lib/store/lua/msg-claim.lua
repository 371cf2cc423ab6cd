--! keys=2
-- Who sends a queued message (lib/messaging/service.ts, crash recovery): a
-- claim per message in the scope's claims hash, id → "owner|state|untilMs",
-- state 'claimed' (taken, not yet handed to the channel) or 'sending' (handed
-- to the channel: it may have left). A live owner renews its claims; a claim
-- whose owner stopped renewing is dead.
-- KEYS[1] pending zset (queued, not yet answered), KEYS[2] claims hash.
-- ARGV[1] op: 'claim' | 'sending' | 'renew' | 'drop'; ARGV[2] id; ARGV[3] owner;
-- ARGV[4] now (ms); ARGV[5] ttl (ms).
-- claim   → 'claimed' (ours now) | 'held' (a live owner has it) | 'done' (no longer
--           queued) | 'unknown' (its dead owner had handed it to the channel: never
--           sent again — at most once; the caller closes it, holding the claim as 'sending')
-- sending → 'ok' (still ours: hand it to the channel) | 'lost' (do not send)
-- renew   → 'ok' | 'lost';  drop → 'ok'
local op, id, owner, now, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local cur = redis.call('HGET', KEYS[2], id)
local cowner, cstate, cuntil = nil, nil, 0
if cur then
  cowner, cstate, cuntil = string.match(cur, '^(.*)|(%a+)|(%d+)$')
  cuntil = tonumber(cuntil) or 0
end
if op == 'claim' then
  if not redis.call('ZSCORE', KEYS[1], id) then
    if cur then redis.call('HDEL', KEYS[2], id) end
    return 'done'
  end
  if cur and (cowner == owner or cuntil > now) then return 'held' end
  if cur and cstate == 'sending' then
    -- Taken over still 'sending': if the closer dies too, the next one closes it, never sends it.
    redis.call('HSET', KEYS[2], id, owner .. '|sending|' .. (now + ttl))
    return 'unknown'
  end
  redis.call('HSET', KEYS[2], id, owner .. '|claimed|' .. (now + ttl))
  return 'claimed'
end
if op == 'drop' then
  if cur and cowner == owner then redis.call('HDEL', KEYS[2], id) end
  return 'ok'
end
if not cur or cowner ~= owner then return 'lost' end
local state = cstate
if op == 'sending' then state = 'sending' end
redis.call('HSET', KEYS[2], id, owner .. '|' .. state .. '|' .. (now + ttl))
return 'ok'
