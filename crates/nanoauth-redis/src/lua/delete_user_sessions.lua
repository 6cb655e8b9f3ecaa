-- Deletes every session of a user except one, in one step, so that a
-- session saved meanwhile is either deleted or was saved after.
-- KEYS[1] the user's index
-- ARGV[1] the session key prefix, ARGV[2] the token hash hex to keep, or '',
-- ARGV[3] the revocations channel, ARGV[4] the user id: other processes drop
-- the user's sessions from their session caches when they hear 'u:<user id>'.
-- Returns how many sessions were deleted.
local deleted = 0
for _, hash in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if hash ~= ARGV[2] then
    deleted = deleted + redis.call('DEL', ARGV[1] .. hash)
    redis.call('ZREM', KEYS[1], hash)
  end
end
if deleted > 0 then
  redis.call('PUBLISH', ARGV[3], 'u:' .. ARGV[4])
end
return deleted
