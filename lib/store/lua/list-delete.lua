--! keys=6
-- Deletes a whole contact list for good: every key of its hash tag, including
-- import jobs (`<imports>:<jobId>`, `:errors`, `:pending`, named from KEYS[6]
-- so they stay in the same slot). UNLINK frees big hashes off the main thread.
-- KEYS: 1 meta, 2 contacts, 3 phones, 4 order, 5 outcome, 6 imports (zset of job ids)
-- Returns 1 if the list existed, 0 otherwise.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for _, job in ipairs(redis.call('ZRANGE', KEYS[6], 0, -1)) do
  local base = KEYS[6] .. ':' .. job
  redis.call('UNLINK', base, base .. ':errors', base .. ':pending')
end
redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
return 1
