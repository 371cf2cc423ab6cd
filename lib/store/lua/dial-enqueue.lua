--! keys=1
-- Loads contacts into a campaign's dial queue (idempotent: a contact already
-- known to the campaign is left as it is, so a re-sync never resets attempts).
-- KEYS[1] = campaign base "…c:{c:<id>}:" ; every key used shares its hash tag.
-- ARGV[1] = listId, then per contact 5 values: contactId, phone, phoneType, timeZone, score
-- The contact's zone joins the campaign's `zones` set: the claim is given the
-- calling-hours rule for each of them (dial-claim.lua).
-- Returns the number of contacts newly queued.
local base = KEYS[1]
local listId = ARGV[1]
local added = 0
for i = 2, #ARGV, 5 do
  local ref = listId .. ':' .. ARGV[i]
  local ct = base .. 'ct:' .. ref
  if redis.call('EXISTS', ct) == 0 then
    redis.call('HSET', ct, 'ref', ref, 'phone', ARGV[i + 1], 'type', ARGV[i + 2], 'tz', ARGV[i + 3],
      'attempts', 0, 'state', 'queued', 'score', ARGV[i + 4])
    redis.call('ZADD', base .. 'queue:' .. listId, ARGV[i + 4], ARGV[i])
    if ARGV[i + 3] ~= '' then redis.call('SADD', base .. 'zones', ARGV[i + 3]) end
    added = added + 1
  end
end
if added > 0 then
  redis.call('HINCRBY', base .. 'counters', 'contacts', added)
  redis.call('HINCRBY', base .. 'counters', 'remaining', added)
end
return added
