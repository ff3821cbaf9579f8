-- Reads every claim and the claims' revision (bumped by each change of a claim), for a
-- claim step to commit only if nothing changed meanwhile. Returns the revision, then per
-- claim its JSON and its waiters' ids joined by spaces.
local out = { redis.call('GET', P .. 'claims:rev') or '0' }
local all = redis.call('HGETALL', P .. 'claims')
for j = 1, #all, 2 do
  out[#out + 1] = all[j + 1]
  out[#out + 1] = table.concat(redis.call('SMEMBERS', P .. 'claim-waiters:' .. all[j]), ' ')
end
return out
