-- Appends messages to their inboxes unless full or gone, in order, in one step.
-- ARGV: max unread, number of messages, then each message.
local max = tonumber(ARGV[3])
local count = tonumber(ARGV[4])
local i = 5
local outcomes = {}
for n = 1, count do
  local to, fields
  to, fields, i = readMessage(i)
  outcomes[n] = append(to, fields, max)
end
publishMail()
return outcomes
