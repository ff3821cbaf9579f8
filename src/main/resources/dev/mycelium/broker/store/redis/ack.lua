-- Acknowledges messages of one inbox: they leave it; ids not there are ignored.
-- ARGV: peer, then message ids. Returns how many left and how many remain.
local peer = ARGV[3]
local count = 0
for i = 4, #ARGV do
  if removeEntry(peer, ARGV[i]) then
    count = count + 1
  end
end
return {count, redis.call('XLEN', P .. 'inbox:' .. peer)}
