-- Stores a session and its place in the owner's index in one step.
-- KEYS[1] the session key, KEYS[2] the owner's index
-- ARGV[1] the record as JSON, ARGV[2] its expiry (Unix seconds),
-- ARGV[3] the token hash hex, ARGV[4] the owner's user id,
-- ARGV[5] the index key prefix
local expires_at = tonumber(ARGV[2])
local now = tonumber(redis.call('TIME')[1])

-- A hash re-saved for another owner must leave the old owner's index, or
-- that owner could list and revoke a session that is not theirs.
local old = redis.call('GET', KEYS[1])
if old then
  local ok, record = pcall(cjson.decode, old)
  if ok and type(record) == 'table' and type(record.user_id) == 'string'
      and record.user_id ~= ARGV[4] then
    redis.call('ZREM', ARGV[5] .. record.user_id, ARGV[3])
  end
end

-- Expiry follows the server's clock: a record already past it is not
-- stored, so it can never come back with another expiry.
if expires_at <= now then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[3])
  return 0
end

redis.call('SET', KEYS[1], ARGV[1], 'EXAT', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
-- Members scored in the past point at sessions Redis already dropped.
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
-- The index lives exactly as long as its longest-lived session.
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('EXPIREAT', KEYS[2], last[2])
return 1
