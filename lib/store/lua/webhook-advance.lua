--! keys=3
-- Moves a webhook subscription's delivery cursor past one event, only while
-- the caller still holds the subscription's delivery lease (a process that
-- lost it must not skip events another is delivering) and the cursor is
-- where the caller read it (a replay request moved it: start over from there).
-- With a dead-letter record, the event is written to the dead-letter stream
-- in the same step.
-- KEYS: lease, cursor, dead ; ARGV: owner, expectedCursor, eventId, deadJson ("" none), deadMaxLen
-- Returns 1 moved, 0 lease lost, 2 cursor moved by someone else.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local cur = redis.call('GET', KEYS[2])
if cur == false then cur = '0-0' end
if cur ~= ARGV[2] then return 2 end
if ARGV[4] ~= '' then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'eventId', ARGV[3], 'record', ARGV[4])
end
redis.call('SET', KEYS[2], ARGV[3])
return 1
