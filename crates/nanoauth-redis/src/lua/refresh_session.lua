-- Slides the expiry of a session that is still stored; never creates one.
-- KEYS[1] the session key, KEYS[2] the owner's index
-- ARGV[1] the record as JSON, ARGV[2] its new expiry (Unix seconds),
-- ARGV[3] the token hash hex, ARGV[4] the owner's user id
-- Returns 1 when the session was refreshed, 0 when it is gone (revoked or
-- expired) or belongs to someone else: a refresh that raced a revocation
-- must not bring the session back.
local old = redis.call('GET', KEYS[1])
if not old then
  return 0
end
local ok, record = pcall(cjson.decode, old)
if not ok or type(record) ~= 'table' or record.user_id ~= ARGV[4] then
  return 0
end
local now = tonumber(redis.call('TIME')[1])
if tonumber(ARGV[2]) <= now then
  -- Already past the new expiry on the server's clock: let it expire.
  return 0
end

-- XX: written only over the session read above (a script runs alone, so
-- it is still there; XX says so where it matters).
redis.call('SET', KEYS[1], ARGV[1], 'EXAT', ARGV[2], 'XX')
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('EXPIREAT', KEYS[2], last[2])
return 1
