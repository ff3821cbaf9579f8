-- Holds unread messages of one inbox. ARGV: peer, then message ids. Returns how many
-- were not held before.
local peer = ARGV[3]
local idx = P .. 'idx:' .. peer
local held = P .. 'held:' .. peer
local count = 0
for i = 4, #ARGV do
  if redis.call('HEXISTS', idx, ARGV[i]) == 1 and redis.call('SADD', held, ARGV[i]) == 1 then
    count = count + 1
  end
end
return count
