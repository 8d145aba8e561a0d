-- wrk script of `python -m bench --soak`: every request asks the next of the paths given after
-- `--` on wrk's command line, and the results are reported as wrk_report.lua reports them.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "wrk_report.lua")

local report_init = init

function init(args)
  report_init(args)
  paths = args
  -- Threads start at different places in the list, so no path is everyone's first.
  turn = math.random(#paths) - 1
end

function request()
  turn = turn % #paths + 1
  return wrk.format(nil, paths[turn])
end
