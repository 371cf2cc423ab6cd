--! keys=1
-- Claims up to N eligible contacts of a campaign as in-flight attempts, each
-- under a lease. Picks, across the active lists, the contact whose queue score
-- (dial order, or next-eligible time for a retry) is lowest and not in the future.
-- Filters that can never pass (phone type, attempt range) park the contact
-- instead of blocking the queue head. A contact out of attempts is final.
-- Contact hours: Lua has no IANA zone rules, so the caller passes the hours
-- rule already applied to each zone among the campaign's contacts (the `zones`
-- set, kept by dial-enqueue.lua; lib/dialer/steps/dial-time.ts zoneTable):
-- 0 = may be dialled now, else the instant it may. A contact whose zone is
-- closed goes back to its queue at that instant, uncounted (no attempt). A
-- zone the caller did not pass (the set grew since it was read) stops the
-- claim with the contact left where it was, and is returned so the caller can
-- apply the rule to it and claim again.
-- KEYS[1] = campaign base ; ARGV: now, n, leaseMs, owner, maxAttempts,
--   phoneTypes ("" = any, else ",landline,mobile,"), minAttempts, maxAttemptsFilter ("" = none),
--   K (zone pairs that follow; -1 = hours not applied), K times zone, at; then the active list ids.
-- Returns { claims, missingZones, nextAt }: claims flat, attemptId, ref, phone, attemptNo, tz, type (6 per
-- claim); nextAt, when fewer than n were claimed because no contact is eligible now, the earliest time one
-- will be (a retry time, or a zone's opening; '' when none is queued) — "why nothing dials".
local base = KEYS[1]
local now = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local leaseMs = tonumber(ARGV[3])
local owner = ARGV[4]
local maxAttempts = tonumber(ARGV[5])
local phoneTypes = ARGV[6]
local minA = tonumber(ARGV[7])
local maxA = tonumber(ARGV[8])
local k = tonumber(ARGV[9])
local hours = k >= 0
local zoneAt = {}
for i = 1, math.max(k, 0) do zoneAt[ARGV[8 + 2 * i]] = tonumber(ARGV[9 + 2 * i]) end
local lists = {}
for i = 10 + 2 * math.max(k, 0), #ARGV do lists[#lists + 1] = ARGV[i] end
local missing = {}

local out = {}
local claimed = 0
local guard = 0
local exhausted = false
while claimed < n and guard < n * 20 + 100 do
  guard = guard + 1
  local bestList, bestId, bestScore = nil, nil, nil
  for _, l in ipairs(lists) do
    local head = redis.call('ZRANGE', base .. 'queue:' .. l, 0, 0, 'WITHSCORES')
    if head[1] then
      local s = tonumber(head[2])
      if s <= now and (bestScore == nil or s < bestScore) then
        bestList, bestId, bestScore = l, head[1], s
      end
    end
  end
  if not bestList then
    exhausted = true
    break
  end
  local ref = bestList .. ':' .. bestId
  local ct = base .. 'ct:' .. ref
  redis.call('ZREM', base .. 'queue:' .. bestList, bestId)
  local c = redis.call('HMGET', ct, 'phone', 'type', 'tz', 'attempts')
  local attempts = tonumber(c[4]) or 0
  local tz = c[3] or ''
  local opensAt = 0
  if hours and tz ~= '' then opensAt = zoneAt[tz] end
  local park = false
  if phoneTypes ~= '' and not string.find(phoneTypes, ',' .. (c[2] or '') .. ',', 1, true) then park = true end
  if attempts < minA then park = true end
  if maxA and attempts > maxA then park = true end
  if park then
    redis.call('ZADD', base .. 'parked', bestScore, ref)
    redis.call('HSET', ct, 'state', 'parked')
  elseif attempts >= maxAttempts then
    -- Out of attempts (max lowered while paused): final without dialling.
    redis.call('HSET', ct, 'state', 'done')
    redis.call('HINCRBY', base .. 'counters', 'remaining', -1)
  elseif opensAt == nil then
    -- A zone the caller has no answer for: left as it was, asked about.
    redis.call('ZADD', base .. 'queue:' .. bestList, bestScore, bestId)
    missing[#missing + 1] = tz
    break
  elseif opensAt > 0 then
    -- Outside the contact's hours: back in its queue until they open, no attempt counted.
    redis.call('HSET', ct, 'state', 'queued', 'score', opensAt)
    redis.call('ZADD', base .. 'queue:' .. bestList, opensAt, bestId)
  else
    local seq = redis.call('HINCRBY', base .. 'counters', 'seq', 1)
    local attemptId = owner .. '-' .. seq
    local attemptNo = attempts + 1
    redis.call('HSET', base .. 'at:' .. attemptId, 'ref', ref, 'attemptNo', attemptNo, 'phase', 'claimed',
      'owner', owner, 'claimedAt', now, 'phone', c[1] or '', 'score', bestScore)
    redis.call('ZADD', base .. 'inflight', now + leaseMs, attemptId)
    redis.call('HSET', ct, 'state', 'inflight', 'attempt', attemptId)
    out[#out + 1] = attemptId
    out[#out + 1] = ref
    out[#out + 1] = c[1] or ''
    out[#out + 1] = attemptNo
    out[#out + 1] = tz
    out[#out + 1] = c[2] or ''
    claimed = claimed + 1
  end
end
local nextAt = ''
if exhausted then
  for _, l in ipairs(lists) do
    local head = redis.call('ZRANGE', base .. 'queue:' .. l, 0, 0, 'WITHSCORES')
    if head[1] and tonumber(head[2]) > now and (nextAt == '' or tonumber(head[2]) < tonumber(nextAt)) then nextAt = head[2] end
  end
end
return { out, missing, nextAt }
