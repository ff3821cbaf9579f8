-- Unread messages sent before ARGV[3] (microseconds) leave their inboxes as expired, up
-- to a thousand a step (the next sweep takes the rest). Returns how many.
local due = redis.call('ZRANGEBYSCORE', P .. 'due', '-inf', '(' .. ARGV[3], 'LIMIT', 0, 1000)
for _, member in ipairs(due) do
  local peer, mid = split(member)
  if redis.call('HEXISTS', P .. 'idx:' .. peer, mid) == 1 then
    expireEntry(peer, mid)
  else
    redis.call('ZREM', P .. 'due', member)
  end
end
return #due
