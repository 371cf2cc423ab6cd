--! keys=1
-- Claims up to N eligible contacts of a campaign as in-flight attempts, each
-- under a lease. Picks, across the active lists, the contact whose queue score
-- (dial order, or next-eligible time for a retry) is lowest and not in the future.
-- Filters that can never pass (phone type, attempt range) park the contact
-- instead of blocking the queue head.
-- KEYS[1] = campaign base ; ARGV: now, n, leaseMs, owner, maxAttempts,
--   phoneTypes ("" = any, else ",landline,mobile,"), minAttempts, maxAttemptsFilter ("" = none),
--   then the active list ids.
-- Returns a flat array: attemptId, ref, phone, attemptNo, tz, type (6 per claim).
local base = KEYS[1]
local now = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local leaseMs = tonumber(ARGV[3])
local owner = ARGV[4]
local maxAttempts = tonumber(ARGV[5])
local phoneTypes = ARGV[6]
local minA = tonumber(ARGV[7])
local maxA = tonumber(ARGV[8])
local lists = {}
for i = 9, #ARGV do lists[#lists + 1] = ARGV[i] end

local out = {}
local claimed = 0
local guard = 0
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
  if not bestList then break end
  local ref = bestList .. ':' .. bestId
  local ct = base .. 'ct:' .. ref
  redis.call('ZREM', base .. 'queue:' .. bestList, bestId)
  local c = redis.call('HMGET', ct, 'phone', 'type', 'tz', 'attempts')
  local attempts = tonumber(c[4]) or 0
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
    out[#out + 1] = c[3] or ''
    out[#out + 1] = c[2] or ''
    claimed = claimed + 1
  end
end
return out
