-- Every task, oldest first, each as its fields.
local out = {}
for _, t in ipairs(redis.call('LRANGE', P .. 'tasks', 0, -1)) do
  out[#out + 1] = redis.call('HGETALL', P .. 'task:' .. t)
end
return out
