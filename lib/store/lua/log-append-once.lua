--! keys=2
-- Appends an event to the webhook log once per marker: a call.ended can be
-- recorded by the process that closed the attempt and, if that one died
-- before it could, by the campaign's next holder (dial-close.lua keeps it
-- until then); whichever comes second finds the marker and appends nothing.
-- KEYS[1] = the log stream, KEYS[2] = the marker (both {g}).
-- ARGV: maxLen, markerTtlMs, field1, value1, ...
-- Returns the new entry's id, or false when it was already recorded.
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) == false then return false end
local fields = {}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(fields))
