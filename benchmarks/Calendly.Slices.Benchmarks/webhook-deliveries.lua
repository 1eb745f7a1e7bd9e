-- wrk script for the webhook benchmark: posts pre-signed deliveries, each once, read from a file of
-- "<Calendly-Webhook-Signature>\t<body>" lines. Usage: wrk -s webhook-deliveries.lua URL -- FILE THREADS
-- Thread k takes lines k, k+THREADS, ...; a thread that runs out starts again (redeliveries, acknowledged as duplicates).
local threads_set_up = 0

function setup(thread)
  thread:set("thread_index", threads_set_up)
  threads_set_up = threads_set_up + 1
end

local requests = {}
local next_request = 0

function init(args)
  local file, thread_count = args[1], tonumber(args[2])
  local line_number = 0
  for line in io.lines(file) do
    if line_number % thread_count == thread_index then
      local tab = line:find("\t", 1, true)
      requests[#requests + 1] = wrk.format("POST", "/api/calendly/webhooks",
        { ["Content-Type"] = "application/json", ["Calendly-Webhook-Signature"] = line:sub(1, tab - 1) },
        line:sub(tab + 1))
    end
    line_number = line_number + 1
  end
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end
