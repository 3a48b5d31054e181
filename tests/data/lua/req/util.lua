-- util.lua — a module that returns a table (required by main.lua; tests/e2e/lua.sh).
local M = {}
function M.double(x) return x * 2 end
return M
