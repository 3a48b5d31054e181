-- bad.lua — a Lua syntax error on line 4 (tests/e2e/lua.sh).
function ok(x)
  return x +
end
