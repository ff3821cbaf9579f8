-- A task and its assignment message, or neither (the assignee's inbox is full or it is
-- gone). ARGV: max unread, task id, number of task fields, task fields, the message.
local max = tonumber(ARGV[3])
local tid = ARGV[4]
local n = tonumber(ARGV[5])
local task = {}
for j = 1, n do
  task[j] = ARGV[5 + j]
end
local to, fields = readMessage(6 + n)
local sid = append(to, fields, max)
if sid ~= 'GONE' and sid ~= 'FULL' then
  local key = P .. 'task:' .. tid
  redis.call('HSET', key, unpack(task))
  redis.call('RPUSH', P .. 'tasks', tid)
  local m = fieldMap(task)
  redis.call('SADD', P .. 'ptasks:' .. m.delegator_id, tid)
  redis.call('SADD', P .. 'ptasks:' .. m.assignee_id, tid)
end
publishMail()
return sid
