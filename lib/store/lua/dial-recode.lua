--! keys=1
-- Re-codes a closed attempt whose result its agent decides (notSure policy
-- "agent-decides", marked at close): the attempt keeps one result, now the
-- disposition's, and everything dial-close.lua derived from the old one moves
-- with it, atomically: per-code counters, the live-answer count and its
-- ledger hour, the contact's next eligibility or final state (only while this
-- attempt is still the contact's last), and an audit entry in the history
-- stream (type "recode": from, to, by whom, when).
-- Compare-and-set on the current code: a stale or repeated call changes nothing.
-- KEYS[1] = campaign base
-- ARGV: attemptId, from, to, now, final (1|0), nextAt, liveFrom (1|0), liveTo (1|0), by, agentId, data (JSON)
-- Returns 0 (nothing changed) or { history entry id, 'final'|'queued'|'unchanged' }.
local base = KEYS[1]
local id = ARGV[1]
local at = base .. 'at:' .. id
local a = redis.call('HMGET', at, 'phase', 'code', 'ref', 'attemptNo', 'closedAt', 'agentDecides')
if a[1] ~= 'closed' or a[6] ~= '1' then return 0 end
local from, to, now = ARGV[2], ARGV[3], ARGV[4]
if a[2] ~= from or from == to then return 0 end
local ref, attemptNo = a[3], tonumber(a[4])
local final = ARGV[5] == '1'
redis.call('HSETNX', at, 'closedCode', from)
redis.call('HSET', at, 'code', to, 'recodedAt', now, 'recodedBy', ARGV[9])

local cnt = base .. 'counters'
redis.call('HINCRBY', cnt, 'code:' .. from, -1)
redis.call('HINCRBY', cnt, 'code:' .. to, 1)
if ARGV[7] ~= ARGV[8] then
  -- A machine is not a live answer: the abandon rate's denominator loses it, in the hour the call closed.
  local delta = ARGV[8] == '1' and 1 or -1
  redis.call('HINCRBY', cnt, 'live', delta)
  local hour = tostring(math.floor(tonumber(a[5] or now) / 3600000))
  redis.call('HINCRBY', base .. 'abandon-ledger', hour .. ':live', delta)
end

-- The contact follows only while this attempt is its last and nothing is in flight for it.
local contact = 'unchanged'
local ct = base .. 'ct:' .. ref
local c = redis.call('HMGET', ct, 'attempts', 'state', 'attempt')
if tonumber(c[1]) == attemptNo and not c[3] and (c[2] == 'done' or c[2] == 'queued') then
  local sep = string.find(ref, ':', 1, true)
  local queue = base .. 'queue:' .. string.sub(ref, 1, sep - 1)
  local contactId = string.sub(ref, sep + 1)
  redis.call('HSET', ct, 'lastCode', to)
  if final then
    if c[2] == 'queued' then
      redis.call('ZREM', queue, contactId)
      redis.call('HINCRBY', cnt, 'remaining', -1)
    end
    redis.call('HSET', ct, 'state', 'done', 'finalCode', to)
    contact = 'final'
  else
    if c[2] == 'done' then
      redis.call('HINCRBY', cnt, 'remaining', 1)
      redis.call('HDEL', ct, 'finalCode')
    end
    redis.call('HSET', ct, 'state', 'queued', 'score', ARGV[6])
    redis.call('ZADD', queue, ARGV[6], contactId)
    contact = 'queued'
  end
end

local entry = redis.call('XADD', base .. 'history', '*', 'type', 'recode', 'attemptId', id, 'ref', ref,
  'attemptNo', attemptNo, 'code', to, 'from', from, 'by', ARGV[9], 'agent', ARGV[10], 'at', now,
  'final', final and '1' or '0', 'contact', contact, 'data', ARGV[11])
return { entry, contact }
