--! keys=1
-- Health probe and smoke test of the script loader: increments a counter in
-- the given key and returns its new value together with the server time.
local n = redis.call('INCR', KEYS[1])
local t = redis.call('TIME')
return { n, t[1] }
