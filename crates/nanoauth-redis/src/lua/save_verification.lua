-- Stores a single-use token until its expiry.
-- KEYS[1] the token key
-- ARGV[1] the record as JSON, ARGV[2] its expiry (Unix seconds)
-- A token already past its expiry on the server's clock is not stored.
if tonumber(ARGV[2]) <= tonumber(redis.call('TIME')[1]) then
  redis.call('DEL', KEYS[1])
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'EXAT', ARGV[2])
return 1
