-- Adds a claim the broker's rule allowed, if the claims are still as it read them. ARGV:
-- the revision read, the claim's id, its JSON. Returns 1 when added, 0 when the claims
-- changed meanwhile (the broker reads and decides again).
if (redis.call('GET', P .. 'claims:rev') or '0') ~= ARGV[3] then
  return 0
end
redis.call('HSET', P .. 'claims', ARGV[4], ARGV[5])
redis.call('INCR', P .. 'claims:rev')
return 1
