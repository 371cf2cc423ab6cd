--! keys=5
-- Adds a batch of contacts to one list, atomically per batch.
-- KEYS: 1 meta (hash), 2 contacts (hash id→record JSON), 3 phones (hash
--       number→id), 4 order (zset: dial order), 5 pending (zset of an
--       all-or-nothing import, committed or rolled back later)
-- ARGV: 1 atomic '1' = write nothing if any row fails
--       2 placement 'tail' | 'head'
--       3 headBase (score base of a head insertion block, see lib/store/contacts.ts)
--       4 seqStart (position of the first row within its head block)
--       5 pending '1' = reserve in KEYS[5] instead of the dial order (not counted)
--       6.. triples: id ('' = generate), phone, record JSON
-- Returns { written, status1, id1, status2, id2, ... } where status is
-- 'ok' | 'dup-id' | 'dup-phone:<id holding the number>' | 'unwritten'.
-- Duplicates within the batch are caught too (rows are handled in order).
local atomic = ARGV[1] == '1'
local head = ARGV[2] == 'head'
local headBase = tonumber(ARGV[3])
local seq = tonumber(ARGV[4])
local pending = ARGV[5] == '1'
local n = (#ARGV - 5) / 3
local out = { 0 }

if atomic then
  local seenId, seenPhone = {}, {}
  local bad = false
  for i = 0, n - 1 do
    local id, phone = ARGV[6 + i * 3], ARGV[7 + i * 3]
    local st = 'ok'
    if id ~= '' and (seenId[id] or redis.call('HEXISTS', KEYS[2], id) == 1) then
      st = 'dup-id'
    else
      local holder = seenPhone[phone] or redis.call('HGET', KEYS[3], phone)
      if holder then st = 'dup-phone:' .. holder end
    end
    if st ~= 'ok' then bad = true else
      if id ~= '' then seenId[id] = true end
      seenPhone[phone] = (id ~= '' and id) or '(new)'
    end
    out[#out + 1] = st
    out[#out + 1] = id
  end
  if bad then
    for j = 2, #out, 2 do if out[j] == 'ok' then out[j] = 'unwritten' end end
    return out
  end
  out = { 0 }
end

local tail = 0
if not head then tail = redis.call('HINCRBY', KEYS[1], 'tail', n) - n end
local target = pending and KEYS[5] or KEYS[4]
local written = 0
for i = 0, n - 1 do
  local id, phone, rec = ARGV[6 + i * 3], ARGV[7 + i * 3], ARGV[8 + i * 3]
  local st = 'ok'
  if id == '' then
    repeat
      id = 'auto-' .. redis.call('HINCRBY', KEYS[1], 'autoId', 1)
    until redis.call('HEXISTS', KEYS[2], id) == 0
  elseif redis.call('HEXISTS', KEYS[2], id) == 1 then
    st = 'dup-id'
  end
  if st == 'ok' and redis.call('HSETNX', KEYS[3], phone, id) == 0 then
    st = 'dup-phone:' .. redis.call('HGET', KEYS[3], phone)
  end
  if st == 'ok' then
    redis.call('HSET', KEYS[2], id, rec)
    local score
    if head then score = headBase + seq + i else score = tail + i + 1 end
    redis.call('ZADD', target, score, id)
    written = written + 1
  end
  out[#out + 1] = st
  out[#out + 1] = id
end
if written > 0 and not pending then redis.call('HINCRBY', KEYS[1], 'contacts', written) end
out[1] = written
return out
