-- A fixed-window counter: the first increment starts the window.
-- KEYS[1] the counter key
-- ARGV[1] the window in seconds
-- Returns { count, milliseconds until the window ends }.
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
-- -1: no expiry yet (a first increment, or a key whose EXPIRE was lost).
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1]) * 1000
end
return { count, ttl }
