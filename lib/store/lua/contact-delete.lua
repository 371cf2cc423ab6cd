--! keys=5
-- Removes one contact (record, number index, dial order, outcome) from a list.
-- KEYS: 1 meta, 2 contacts, 3 phones, 4 order, 5 outcome. ARGV: 1 contact id.
-- Returns 1 if removed, 0 if there was no such contact.
local id = ARGV[1]
local rec = redis.call('HGET', KEYS[2], id)
if not rec then return 0 end
local phone = cjson.decode(rec).p
if redis.call('HGET', KEYS[3], phone) == id then redis.call('HDEL', KEYS[3], phone) end
redis.call('HDEL', KEYS[2], id)
if redis.call('ZREM', KEYS[4], id) == 1 then redis.call('HINCRBY', KEYS[1], 'contacts', -1) end
if redis.call('HDEL', KEYS[5], id) == 1 then redis.call('HINCRBY', KEYS[1], 'attempted', -1) end
return 1
