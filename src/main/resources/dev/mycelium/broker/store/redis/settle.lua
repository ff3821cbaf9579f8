-- Forgets expired messages and writes the notices that report them, or does nothing when
-- another broker settled any of them first (its notices said it). ARGV: number of
-- expired messages, each as recipient|id, number of notices, the notices.
local n = tonumber(ARGV[3])
local ids = {}
for j = 1, n do
  local eid = redis.call('HGET', P .. 'expidx', ARGV[3 + j])
  if not eid then
    return 0
  end
  ids[j] = eid
end
for j = 1, n do
  redis.call('XDEL', P .. 'expired', ids[j])
  redis.call('HDEL', P .. 'expidx', ARGV[3 + j])
end
local i = 4 + n
local count = tonumber(ARGV[i])
i = i + 1
for _ = 1, count do
  local to, fields
  to, fields, i = readMessage(i)
  append(to, fields, math.huge)
end
publishMail()
return 1
