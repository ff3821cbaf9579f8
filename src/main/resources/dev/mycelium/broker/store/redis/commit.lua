-- A change of peers computed by the broker from the peers as of revision ARGV[3]: made
-- whole if nobody changed a peer since (and every guard holds), else nothing and the
-- current revision, for the broker to look again. ARGV after that: steps.
--   PUT id json          the peer as it is now
--   SEEN id micros       its last sign of life, if later than the one stored
--   SILENT id micros     guard: its last sign of life is still before this
--   HOLDS id             its holds end
--   MOVE gone heir name  gone's unread mail goes to the heir, in order, behind the heir's
--   TAKEOVER gone heir name   gone's tasks become the heir's
--   DROP id              forget the peer (its mail went to an heir)
--   FORGET id            forget the peer; its unread mail expires
local rev = tonumber(redis.call('GET', P .. 'rev') or '0')
if rev ~= tonumber(ARGV[3]) then
  return {0, rev}
end
local steps = {}
local i = 4
while i <= #ARGV do
  local op = ARGV[i]
  if op == 'PUT' or op == 'SEEN' or op == 'SILENT' then
    steps[#steps + 1] = {op, ARGV[i + 1], ARGV[i + 2]}
    i = i + 3
  elseif op == 'HOLDS' or op == 'DROP' or op == 'FORGET' then
    steps[#steps + 1] = {op, ARGV[i + 1]}
    i = i + 2
  elseif op == 'MOVE' or op == 'TAKEOVER' then
    steps[#steps + 1] = {op, ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]}
    i = i + 4
  else
    return redis.error_reply('unknown step ' .. tostring(op))
  end
end
for _, s in ipairs(steps) do
  if s[1] == 'SILENT' then
    local seen = redis.call('ZSCORE', P .. 'seen', s[2])
    if seen and tonumber(seen) >= tonumber(s[3]) then
      return {0, rev}
    end
  end
end

local function forget(id, expire)
  local inbox = P .. 'inbox:' .. id
  if expire then
    for _, e in ipairs(redis.call('XRANGE', inbox, '-', '+')) do
      expireEntry(id, fieldMap(e[2]).id)
    end
  end
  redis.call('DEL', inbox, P .. 'idx:' .. id, P .. 'held:' .. id, P .. 'out:' .. id, P .. 'ptasks:' .. id)
  redis.call('HDEL', PEERS, id)
  redis.call('ZREM', P .. 'seen', id)
end

for _, s in ipairs(steps) do
  local op = s[1]
  if op == 'PUT' then
    redis.call('HSET', PEERS, s[2], s[3])
  elseif op == 'SEEN' then
    redis.call('ZADD', P .. 'seen', 'GT', s[3], s[2])
  elseif op == 'HOLDS' then
    redis.call('DEL', P .. 'held:' .. s[2])
  elseif op == 'MOVE' then
    local gone, heir, name = s[2], s[3], s[4]
    for _, e in ipairs(redis.call('XRANGE', P .. 'inbox:' .. gone, '-', '+')) do
      local moved = {}
      local mid
      for j = 1, #e[2], 2 do
        local k, v = e[2][j], e[2][j + 1]
        if k == 'to' then
          v = name
        elseif k == 'to_id' then
          v = heir
        elseif k == 'id' then
          mid = v
        end
        moved[j] = k
        moved[j + 1] = v
      end
      removeEntry(gone, mid)
      append(heir, moved, math.huge)
    end
  elseif op == 'TAKEOVER' then
    local gone, heir, name = s[2], s[3], s[4]
    for _, t in ipairs(redis.call('SMEMBERS', P .. 'ptasks:' .. gone)) do
      local key = P .. 'task:' .. t
      if redis.call('HGET', key, 'delegator_id') == gone then
        redis.call('HSET', key, 'delegator_id', heir, 'delegator_name', name)
      end
      if redis.call('HGET', key, 'assignee_id') == gone then
        redis.call('HSET', key, 'assignee_id', heir, 'assignee_name', name)
      end
      redis.call('SADD', P .. 'ptasks:' .. heir, t)
    end
  elseif op == 'DROP' then
    forget(s[2], false)
  elseif op == 'FORGET' then
    forget(s[2], true)
  end
end
rev = redis.call('INCR', P .. 'rev')
redis.call('PUBLISH', P .. 'peers', ME .. ' ' .. rev)
publishMail()
local answer = {1, rev}
for _, peer in ipairs(woken) do
  answer[#answer + 1] = peer
end
return answer
