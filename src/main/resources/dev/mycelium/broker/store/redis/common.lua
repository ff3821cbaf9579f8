-- Prepended to every step of the Redis store (RedisStore.Script). ARGV[1] is the key
-- prefix and ARGV[2] the id of the broker running the step (its own pub/sub echoes are
-- skipped); each step reads its arguments after them. Keys are computed here instead of
-- passed as KEYS, because a step finds most of them in what it reads: one Redis (or a
-- primary with replicas), not a cluster. A script cannot take back what it wrote, so each
-- step checks everything before its first write.
local P = ARGV[1]
local ME = ARGV[2]
local PEERS = P .. 'peers'
local woken = {}
local wokenSeen = {}

local function fieldMap(fields)
  local m = {}
  for j = 1, #fields, 2 do
    m[fields[j]] = fields[j + 1]
  end
  return m
end

local function wake(peer)
  if not wokenSeen[peer] then
    wokenSeen[peer] = true
    woken[#woken + 1] = peer
  end
end

-- Tells the other brokers which inboxes got mail (this one tells its own listeners).
local function publishMail()
  if #woken > 0 then
    redis.call('PUBLISH', P .. 'mail', ME .. ' ' .. table.concat(woken, ' '))
  end
end

-- The time of sending in microseconds (sent_at is 20 digits of nanoseconds): exact as a
-- sorted-set score until the year 2255.
local function micros(sentAt)
  return tonumber(string.sub(sentAt, 1, -4))
end

-- Appends one message (its fields, flat) to the inbox of `to`: the stream entry 0-<seq>,
-- its id in the inbox's index, the sender's outbox and the expiry schedule. A message the
-- inbox already holds (a broadcast that reached both peers of one session, moved to the
-- heir) stays as it is: a second entry under one id could never be acknowledged.
local function append(to, fields, max)
  if redis.call('HEXISTS', PEERS, to) == 0 then
    return 'GONE'
  end
  local m = fieldMap(fields)
  local held = redis.call('HGET', P .. 'idx:' .. to, m.id)
  if held then
    return held
  end
  local inbox = P .. 'inbox:' .. to
  if redis.call('XLEN', inbox) >= max then
    return 'FULL'
  end
  local sid = redis.call('XADD', inbox, '0-*', unpack(fields))
  redis.call('HSET', P .. 'idx:' .. to, m.id, sid)
  if m.from_id then
    redis.call('SADD', P .. 'out:' .. m.from_id, to .. '|' .. m.id)
  end
  redis.call('ZADD', P .. 'due', micros(m.sent_at), to .. '|' .. m.id)
  wake(to)
  return sid
end

-- Reads a message from ARGV at i: recipient, number of fields, fields. Returns the
-- recipient, the fields and where the next argument is.
local function readMessage(i)
  local to = ARGV[i]
  local n = tonumber(ARGV[i + 1])
  local fields = {}
  for j = 1, n do
    fields[j] = ARGV[i + 1 + j]
  end
  return to, fields, i + 2 + n
end

-- Takes a message out of an inbox with everything that points at it. Returns its stream
-- id and fields, or nil when it is not there.
local function removeEntry(peer, mid)
  local idx = P .. 'idx:' .. peer
  local sid = redis.call('HGET', idx, mid)
  if not sid then
    return nil
  end
  local inbox = P .. 'inbox:' .. peer
  local entry = redis.call('XRANGE', inbox, sid, sid)[1]
  redis.call('XDEL', inbox, sid)
  redis.call('HDEL', idx, mid)
  redis.call('SREM', P .. 'held:' .. peer, mid)
  redis.call('ZREM', P .. 'due', peer .. '|' .. mid)
  if not entry then
    return sid, {}
  end
  local m = fieldMap(entry[2])
  if m.from_id then
    redis.call('SREM', P .. 'out:' .. m.from_id, peer .. '|' .. mid)
  end
  return sid, entry[2]
end

-- Moves a message from an inbox to the expired ones, whose senders are told later.
local function expireEntry(peer, mid)
  local sid, fields = removeEntry(peer, mid)
  if sid and #fields > 0 then
    local eid = redis.call('XADD', P .. 'expired', '*', 'recipient', peer, unpack(fields))
    redis.call('HSET', P .. 'expidx', peer .. '|' .. mid, eid)
  end
end

local function split(member)
  local bar = string.find(member, '|', 1, true)
  return string.sub(member, 1, bar - 1), string.sub(member, bar + 1)
end
