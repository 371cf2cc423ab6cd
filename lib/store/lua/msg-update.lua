--! keys=3
-- Moves a message to a new status (or records a reply on it) and keeps the
-- campaign's counters in the same step. Only forward moves count, so a
-- receipt delivered twice, or after a later one, changes nothing:
--   queued → accepted | rejected | skipped;  accepted → delivered | failed.
-- KEYS[1] campaign/stats hash, KEYS[2] messages hash, KEYS[3] pending zset.
-- ARGV[1] id, ARGV[2] 'status' | 'reply', ARGV[3] new status (status op),
-- ARGV[4] patch JSON (fields merged into the record), ARGV[5] history JSON
-- (appended to record.history; '' = none).
-- Returns the updated record JSON, or 'missing' / 'ignored:<current status>'.
local old = redis.call('HGET', KEYS[2], ARGV[1])
if not old then return 'missing' end
local rec = cjson.decode(old)
local patch = cjson.decode(ARGV[4])
if ARGV[2] == 'status' then
  local from, to = rec.status, ARGV[3]
  local ok = (from == 'queued' and (to == 'accepted' or to == 'rejected' or to == 'skipped'))
    or (from == 'accepted' and (to == 'delivered' or to == 'failed'))
  if not ok then return 'ignored:' .. tostring(from) end
  rec.status = to
  if from == 'queued' then
    redis.call('HINCRBY', KEYS[1], 'processed', 1)
    redis.call('ZREM', KEYS[3], ARGV[1])
  end
  redis.call('HINCRBY', KEYS[1], to, 1)
else
  rec.replies = (tonumber(rec.replies) or 0) + 1
  redis.call('HINCRBY', KEYS[1], 'replies', 1)
end
for k, v in pairs(patch) do rec[k] = v end
if ARGV[5] ~= '' then
  if type(rec.history) ~= 'table' or next(rec.history) == nil then rec.history = {} end
  local h = rec.history
  h[#h + 1] = cjson.decode(ARGV[5])
  -- Keep the record small: the first entry and the latest 19.
  if #h > 20 then table.remove(h, 2) end
end
local json = cjson.encode(rec)
redis.call('HSET', KEYS[2], ARGV[1], json)
return json
