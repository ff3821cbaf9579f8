-- A peer waits for a claim's end. ARGV: the claim's id, the peer's id. Returns 1 when it
-- did not wait before and the claim stands.
if redis.call('HEXISTS', P .. 'claims', ARGV[3]) == 0 then
  return 0
end
return redis.call('SADD', P .. 'claim-waiters:' .. ARGV[3], ARGV[4])
