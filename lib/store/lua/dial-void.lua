--! keys=1
-- Gives a claimed (not yet dialled) attempt back: the contact returns to its
-- queue at the given score and the attempt does not count. Used when the
-- contact is outside its calling hours, or the campaign stopped before dialling.
-- With ARGV[3] = "unsent", an attempt already marked dialing is given back too:
-- the driver refused the call before anything went out (no room, its media
-- server lost), so nothing was dialled and the attempt must not count.
-- KEYS[1] = campaign base ; ARGV: attemptId, score ("" = the score it had), "unsent"?
local base = KEYS[1]
local at = base .. 'at:' .. ARGV[1]
local a = redis.call('HMGET', at, 'phase', 'ref', 'score')
local unsent = ARGV[3] == 'unsent' and a[1] == 'dialing'
if a[1] ~= 'claimed' and a[1] ~= 'reaping-void' and not unsent then return 0 end
local score = ARGV[2] ~= '' and ARGV[2] or a[3]
local ref = a[2]
local sep = string.find(ref, ':', 1, true)
redis.call('HSET', at, 'phase', 'void')
redis.call('ZREM', base .. 'inflight', ARGV[1])
redis.call('HSET', base .. 'ct:' .. ref, 'state', 'queued', 'score', score)
redis.call('HDEL', base .. 'ct:' .. ref, 'attempt')
redis.call('ZADD', base .. 'queue:' .. string.sub(ref, 1, sep - 1), score, string.sub(ref, sep + 1))
return 1
