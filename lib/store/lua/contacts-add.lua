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
--       6 the rows, packed: id US phone US record-JSON, rows separated by RS
--         (0x1f / 0x1e: one argument instead of three per row keeps the
--         client's encoding work small; ids and numbers are validated free of
--         control characters and JSON escapes them)
-- Returns { written, status1, id1, status2, id2, ... } where status is
-- 'ok' | 'dup-id' | 'dup-phone:<id holding the number>' | 'unwritten'.
-- Duplicates within the batch are caught too (rows are handled in order).
local atomic = ARGV[1] == '1'
local head = ARGV[2] == 'head'
local headBase = tonumber(ARGV[3])
local seq = tonumber(ARGV[4])
local pending = ARGV[5] == '1'
local ids, phones, recs = {}, {}, {}
local packed = ARGV[6]
local pos, len = 1, #packed
while pos <= len do
  local a = string.find(packed, '\31', pos, true)
  local b = string.find(packed, '\31', a + 1, true)
  local e = string.find(packed, '\30', b + 1, true) or (len + 1)
  ids[#ids + 1] = string.sub(packed, pos, a - 1)
  phones[#phones + 1] = string.sub(packed, a + 1, b - 1)
  recs[#recs + 1] = string.sub(packed, b + 1, e - 1)
  pos = e + 1
end
local n = #ids
local out = { 0 }

if atomic then
  local seenId, seenPhone = {}, {}
  local bad = false
  for i = 0, n - 1 do
    local id, phone = ids[i + 1], phones[i + 1]
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
local zargs = {}
for i = 0, n - 1 do
  local id, phone, rec = ids[i + 1], phones[i + 1], recs[i + 1]
  local st = 'ok'
  if id == '' then
    repeat
      id = 'auto-' .. redis.call('HINCRBY', KEYS[1], 'autoId', 1)
    until redis.call('HSETNX', KEYS[2], id, rec) == 1
  elseif redis.call('HSETNX', KEYS[2], id, rec) == 0 then
    st = 'dup-id'
  end
  if st == 'ok' and redis.call('HSETNX', KEYS[3], phone, id) == 0 then
    st = 'dup-phone:' .. redis.call('HGET', KEYS[3], phone)
    redis.call('HDEL', KEYS[2], id) -- undo the record written just above
  end
  if st == 'ok' then
    local score
    if head then score = headBase + seq + i else score = tail + i + 1 end
    zargs[#zargs + 1] = score
    zargs[#zargs + 1] = id
    written = written + 1
    -- One ZADD per 500 members: fewer calls, and far below Lua's unpack limit.
    if #zargs >= 1000 then
      redis.call('ZADD', target, unpack(zargs))
      zargs = {}
    end
  end
  out[#out + 1] = st
  out[#out + 1] = id
end
if #zargs > 0 then redis.call('ZADD', target, unpack(zargs)) end
if written > 0 and not pending then redis.call('HINCRBY', KEYS[1], 'contacts', written) end
out[1] = written
return out
