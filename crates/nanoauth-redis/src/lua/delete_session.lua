-- Deletes a session and its place in the owner's index in one step.
-- KEYS[1] the session key
-- ARGV[1] the token hash hex, ARGV[2] the index key prefix,
-- ARGV[3] the revocations channel: other processes drop the session from
-- their session caches when they hear 's:<token hash hex>' there.
-- Returns 1 when a session was deleted, 0 when there was none.
local old = redis.call('GET', KEYS[1])
if not old then
  return 0
end
redis.call('DEL', KEYS[1])
local ok, record = pcall(cjson.decode, old)
if ok and type(record) == 'table' and type(record.user_id) == 'string' then
  redis.call('ZREM', ARGV[2] .. record.user_id, ARGV[1])
end
redis.call('PUBLISH', ARGV[3], 's:' .. ARGV[1])
return 1
