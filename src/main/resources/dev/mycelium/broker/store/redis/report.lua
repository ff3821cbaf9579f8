-- Reports a pending task of this assignee, once, and tells its delegator (whatever the
-- size of its inbox). ARGV: task id, assignee id, status, whether there is a result, the
-- result, finished at, the notice. Returns the task's fields, or nothing.
local key = P .. 'task:' .. ARGV[3]
if redis.call('HGET', key, 'status') ~= 'pending' or redis.call('HGET', key, 'assignee_id') ~= ARGV[4] then
  return {}
end
redis.call('HSET', key, 'status', ARGV[5], 'finished_at', ARGV[8])
if ARGV[6] == '1' then
  redis.call('HSET', key, 'result', ARGV[7])
end
local to, fields = readMessage(9)
append(to, fields, math.huge)
publishMail()
return redis.call('HGETALL', key)
