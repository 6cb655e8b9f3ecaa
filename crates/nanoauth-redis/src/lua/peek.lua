-- A fixed-window counter's value, without counting.
-- KEYS[1] the counter key
-- Returns { count, milliseconds until the window ends }, or nil without one.
local count = redis.call('GET', KEYS[1])
if not count then
  return false
end
return { tonumber(count), redis.call('PTTL', KEYS[1]) }
