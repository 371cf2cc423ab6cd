--! keys=1
-- Links a return call (issue 18) to a contact's state in one campaign: writes
-- an `inbound` record in the campaign's attempt history and, when asked, closes
-- the contact's pending retry (a return call counts as contact made): a queued
-- contact with at least one attempt leaves the queue, final with `code`.
-- A contact being dialled right now is left to that attempt.
-- KEYS[1] = campaign base ; ARGV: ref, inboundId, now, close (1|0), code, data (JSON)
-- Returns {outcome, attempts, lastCode}: outcome = closed | pending | inflight | done | fresh | unknown.
local base = KEYS[1]
local ref, inboundId, now, close, code = ARGV[1], ARGV[2], ARGV[3], ARGV[4] == '1', ARGV[5]
local ct = base .. 'ct:' .. ref
local c = redis.call('HMGET', ct, 'state', 'attempts', 'lastCode')
local state, attempts = c[1], tonumber(c[2]) or 0
local outcome = 'unknown'
if state == 'queued' then
  if attempts == 0 then
    outcome = 'fresh'
  elseif close then
    local sep = string.find(ref, ':', 1, true)
    local listId, contactId = string.sub(ref, 1, sep - 1), string.sub(ref, sep + 1)
    redis.call('ZREM', base .. 'queue:' .. listId, contactId)
    redis.call('HSET', ct, 'state', 'done', 'finalCode', code, 'closedBy', 'inbound:' .. inboundId)
    redis.call('HINCRBY', base .. 'counters', 'remaining', -1)
    outcome = 'closed'
  else
    outcome = 'pending'
  end
elseif state == 'inflight' then
  outcome = 'inflight'
elseif state then
  outcome = 'done'
end
if state then
  redis.call('HINCRBY', base .. 'counters', 'inbound', 1)
  redis.call('XADD', base .. 'history', '*', 'type', 'inbound', 'inboundId', inboundId, 'ref', ref,
    'attemptNo', attempts, 'code', outcome == 'closed' and code or '', 'at', now, 'final', outcome == 'closed' and '1' or '0',
    'outcome', outcome, 'data', ARGV[6])
end
return {outcome, attempts, c[3] or ''}
