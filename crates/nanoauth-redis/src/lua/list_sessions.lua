-- Reads a user's sessions through their index, dropping members whose
-- session is gone (expired or deleted).
-- KEYS[1] the user's index
-- ARGV[1] the session key prefix
-- Returns the records as JSON.
local records = {}
for _, hash in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local record = redis.call('GET', ARGV[1] .. hash)
  if record then
    table.insert(records, record)
  else
    redis.call('ZREM', KEYS[1], hash)
  end
end
return records
