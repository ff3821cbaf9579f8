-- How many unread messages each peer with any has: id, count, id, count...
local out = {}
for _, id in ipairs(redis.call('HKEYS', PEERS)) do
  local n = redis.call('XLEN', P .. 'inbox:' .. id)
  if n > 0 then
    out[#out + 1] = id
    out[#out + 1] = n
  end
end
return out
