--! keys=2
-- Takes over the dialog journal of a process presumed dead (lib/store/dialog-journal.ts).
-- KEYS: the journal's lease, its dialogs hash (same hash tag). ARGV: claimer, ttlMs,
-- and the value that may be overridden although the lease is live ('' for none:
-- a restarted process passes its own dead predecessor's id, whose lease is still
-- running but whose process is certainly gone).
-- Returns nil while the lease is held by someone else; otherwise the lease is the
-- claimer's for ttlMs and the reply is the hash's field/value list (possibly empty).
local cur = redis.call('GET', KEYS[1])
if cur ~= false and cur ~= ARGV[1] and (ARGV[3] == '' or cur ~= ARGV[3]) then return false end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return redis.call('HGETALL', KEYS[2])
