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
--       7 failuresOnly '1' = reply with refused rows only (imports)
-- Returns { written, status1, id1, status2, id2, ... } where status is
-- 'ok' | 'dup-id' | 'dup-phone:<id holding the number>' | 'unwritten';
-- with failuresOnly { written, index, status, id, ... } for refused rows only
-- (index 1-based within the batch).
-- Duplicates within the batch are caught too (rows are handled in order, the
-- first occurrence wins).
--
-- Cost: the existing ids and numbers are read with one HMGET per 1000 rows and
-- the rows written with one HSET/ZADD per 1000 (not one call per row): calls
-- from Lua cost more than the hash work itself. Decisions are made in Lua
-- tables first, so the outcome is the same as writing row by row.
local atomic = ARGV[1] == '1'
local head = ARGV[2] == 'head'
local headBase = tonumber(ARGV[3])
local seq = tonumber(ARGV[4])
local pending = ARGV[5] == '1'
local failuresOnly = ARGV[7] == '1'
local ids, phones, recs = {}, {}, {}
local packed = ARGV[6]
local pos, len = 1, #packed
local find, sub = string.find, string.sub
while pos <= len do
  local a = find(packed, '\31', pos, true)
  local b = find(packed, '\31', a + 1, true)
  local e = find(packed, '\30', b + 1, true) or (len + 1)
  ids[#ids + 1] = sub(packed, pos, a - 1)
  phones[#phones + 1] = sub(packed, a + 1, b - 1)
  recs[#recs + 1] = sub(packed, b + 1, e - 1)
  pos = e + 1
end
local n = #ids
local CHUNK = 1000 -- far below Lua's unpack limit

-- HMGET of many fields in chunks; result[i] is the value of fields[i] or false.
local function hmget(key, fields)
  local res = {}
  for s = 1, #fields, CHUNK do
    local part = {}
    for j = s, math.min(s + CHUNK - 1, #fields) do part[#part + 1] = fields[j] end
    local got = redis.call('HMGET', key, unpack(part))
    for j = 1, #got do res[s + j - 1] = got[j] end
  end
  return res
end

-- One call per CHUNK pairs of a flat argument list.
local function flush(cmd, key, flat)
  for s = 1, #flat, 2 * CHUNK do
    redis.call(cmd, key, unpack(flat, s, math.min(s + 2 * CHUNK - 1, #flat)))
  end
end

local given = {}
for i = 1, n do if ids[i] ~= '' then given[#given + 1] = ids[i] end end
local existing = {}
do
  local got = hmget(KEYS[2], given)
  for j = 1, #given do if got[j] then existing[given[j]] = true end end
end
local holders = hmget(KEYS[3], phones)

local out = { 0 }
local function report(i, st, id)
  if failuresOnly then
    if st ~= 'ok' then
      out[#out + 1] = i
      out[#out + 1] = st
      out[#out + 1] = id
    end
  else
    out[#out + 1] = st
    out[#out + 1] = id
  end
end

if atomic then
  local seenId, seenPhone = {}, {}
  local bad = false
  local sts = {}
  for i = 1, n do
    local id, phone = ids[i], phones[i]
    local st = 'ok'
    if id ~= '' and (seenId[id] or existing[id]) then
      st = 'dup-id'
    else
      local holder = seenPhone[phone] or holders[i]
      if holder then st = 'dup-phone:' .. holder end
    end
    if st ~= 'ok' then bad = true else
      if id ~= '' then seenId[id] = true end
      seenPhone[phone] = (id ~= '' and id) or '(new)'
    end
    sts[i] = st
  end
  if bad then
    for i = 1, n do report(i, sts[i] == 'ok' and 'unwritten' or sts[i], ids[i]) end
    return out
  end
end

local tail = 0
if not head then tail = redis.call('HINCRBY', KEYS[1], 'tail', n) - n end
local target = pending and KEYS[5] or KEYS[4]

-- Generated ids: 'auto-<counter>', skipping ids the list already has. Every
-- row without an id takes a counter value, written or not.
local auto = nil
local autoKnown = {}
do
  local k = n - #given
  if k > 0 then
    auto = tonumber(redis.call('HGET', KEYS[1], 'autoId') or '0')
    local cand = {}
    for j = 1, k do cand[j] = 'auto-' .. (auto + j) end
    local got = hmget(KEYS[2], cand)
    for j = 1, k do autoKnown[cand[j]] = got[j] and true or false end
  end
end

local written = 0
local taken, phoneOwner = {}, {}
local hrec, hphone, zargs = {}, {}, {}
for i = 1, n do
  local id, phone = ids[i], phones[i]
  local st = 'ok'
  if id == '' then
    repeat
      auto = auto + 1
      id = 'auto-' .. auto
      local known = autoKnown[id]
      if known == nil then known = redis.call('HEXISTS', KEYS[2], id) == 1 end
    until not known and not taken[id]
  elseif existing[id] or taken[id] then
    st = 'dup-id'
  end
  if st == 'ok' then
    local holder = phoneOwner[phone] or holders[i]
    if holder then st = 'dup-phone:' .. holder end
  end
  if st == 'ok' then
    taken[id] = true
    phoneOwner[phone] = id
    hrec[#hrec + 1] = id
    hrec[#hrec + 1] = recs[i]
    hphone[#hphone + 1] = phone
    hphone[#hphone + 1] = id
    if head then zargs[#zargs + 1] = headBase + seq + i - 1 else zargs[#zargs + 1] = tail + i end
    zargs[#zargs + 1] = id
    written = written + 1
  end
  report(i, st, id)
end
if auto ~= nil then redis.call('HSET', KEYS[1], 'autoId', auto) end
flush('HSET', KEYS[2], hrec)
flush('HSET', KEYS[3], hphone)
flush('ZADD', target, zargs)
if written > 0 and not pending then redis.call('HINCRBY', KEYS[1], 'contacts', written) end
out[1] = written
return out
