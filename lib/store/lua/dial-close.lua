--! keys=1
-- Closes an attempt with its one result, atomically: history record, counters
-- (campaign, per result code, per agent), the contact's next eligibility or
-- final state, lease released. Closing twice is refused (returns 0), so no
-- attempt ever has two results.
-- KEYS[1] = campaign base
-- ARGV: attemptId, code, now, final (1|0), nextAt, live (1|0), abandoned (1|0),
--       agentId ("" none), talkMs, data (JSON of times, SIP status, verdicts…),
--       agentDecides (1: the agent's disposition decides the result, dial-recode.lua; optional),
--       announce (optional: the call.ended event, JSON, kept in <base>unannounced until its process has
--       recorded it in the webhook log; the campaign's next holder records what a dead process left, so a
--       close and its event are not lost apart: they are two writes in two hash slots)
local base = KEYS[1]
local id = ARGV[1]
local at = base .. 'at:' .. id
local a = redis.call('HMGET', at, 'phase', 'ref', 'attemptNo')
if a[1] ~= 'claimed' and a[1] ~= 'dialing' and a[1] ~= 'reaping' then return 0 end
local ref, attemptNo = a[2], tonumber(a[3])
local code = ARGV[2]
local now = ARGV[3]
local final = ARGV[4] == '1'
local agent = ARGV[8]
redis.call('HSET', at, 'phase', 'closed', 'code', code, 'closedAt', now)
if ARGV[11] == '1' then redis.call('HSET', at, 'agentDecides', '1') end
redis.call('ZREM', base .. 'inflight', id)

local ct = base .. 'ct:' .. ref
redis.call('HSET', ct, 'attempts', attemptNo, 'lastCode', code, 'lastAt', now)
redis.call('HSETNX', ct, 'firstAt', now)
redis.call('HDEL', ct, 'attempt')
local sep = string.find(ref, ':', 1, true)
local listId, contactId = string.sub(ref, 1, sep - 1), string.sub(ref, sep + 1)
if final then
  redis.call('HSET', ct, 'state', 'done', 'finalCode', code)
  redis.call('HINCRBY', base .. 'counters', 'remaining', -1)
else
  redis.call('HSET', ct, 'state', 'queued', 'score', ARGV[5])
  redis.call('ZADD', base .. 'queue:' .. listId, ARGV[5], contactId)
end

local cnt = base .. 'counters'
redis.call('HINCRBY', cnt, 'attempts', 1)
redis.call('HINCRBY', cnt, 'code:' .. code, 1)
if ARGV[6] == '1' then redis.call('HINCRBY', cnt, 'live', 1) end
if ARGV[7] == '1' then redis.call('HINCRBY', cnt, 'abandoned', 1) end
-- The abandon ledger by hour (epoch hour): the regulatory window (24 h Ofcom, 30 days FCC/TSR)
-- is summed from it, so the budget survives shifts and restarts.
if ARGV[6] == '1' or ARGV[7] == '1' then
  local hour = tostring(math.floor(tonumber(now) / 3600000))
  if ARGV[6] == '1' then redis.call('HINCRBY', base .. 'abandon-ledger', hour .. ':live', 1) end
  if ARGV[7] == '1' then redis.call('HINCRBY', base .. 'abandon-ledger', hour .. ':abandoned', 1) end
end
if agent ~= '' then
  redis.call('HINCRBY', cnt, 'agent:' .. agent .. ':calls', 1)
  redis.call('HINCRBY', cnt, 'agent:' .. agent .. ':talkMs', tonumber(ARGV[9]) or 0)
end
if ARGV[12] and ARGV[12] ~= '' then
  redis.call('HSET', base .. 'unannounced', id, ARGV[12])
  redis.call('PEXPIRE', base .. 'unannounced', 86400000)
end
local entry = redis.call('XADD', base .. 'history', '*', 'type', 'attempt', 'attemptId', id, 'ref', ref,
  'attemptNo', attemptNo, 'code', code, 'agent', agent, 'at', now, 'final', final and '1' or '0', 'data', ARGV[10])
return entry
