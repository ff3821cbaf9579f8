-- The messages a peer sent that are still unread, each as its entry id and fields.
-- ARGV: sender.
local out = {}
for _, member in ipairs(redis.call('SMEMBERS', P .. 'out:' .. ARGV[3])) do
  local to, mid = split(member)
  local sid = redis.call('HGET', P .. 'idx:' .. to, mid)
  if sid then
    local entry = redis.call('XRANGE', P .. 'inbox:' .. to, sid, sid)[1]
    if entry then
      out[#out + 1] = entry
    end
  end
end
return out
