-- Ends claims. ARGV: their ids. Returns, per claim this step ended (not one another broker
-- ended first), its JSON and its waiters' ids joined by spaces.
local out = {}
for i = 3, #ARGV do
  local json = redis.call('HGET', P .. 'claims', ARGV[i])
  if json then
    local waiters = P .. 'claim-waiters:' .. ARGV[i]
    out[#out + 1] = json
    out[#out + 1] = table.concat(redis.call('SMEMBERS', waiters), ' ')
    redis.call('HDEL', P .. 'claims', ARGV[i])
    redis.call('DEL', waiters)
  end
end
if #out > 0 then
  redis.call('INCR', P .. 'claims:rev')
end
return out
