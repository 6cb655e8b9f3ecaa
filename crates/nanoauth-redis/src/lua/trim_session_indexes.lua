-- Drops the members of users' session indexes whose session has expired.
-- Redis drops an expired session's key by itself, but the member naming it
-- stays in the owner's index until that user saves or lists a session.
-- KEYS the indexes to trim (keys of another type are left alone)
-- Returns how many members were dropped.
local now = tonumber(redis.call('TIME')[1])
local dropped = 0
for _, key in ipairs(KEYS) do
  if redis.call('TYPE', key).ok == 'zset' then
    -- Scores are expiries in seconds; a session whose expiry second is
    -- strictly past is gone whatever its milliseconds.
    dropped = dropped + redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. now)
  end
end
return dropped
