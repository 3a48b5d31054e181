-- good.lua — defines present() but not absent() (tests/e2e/lua.sh).
function present(x) return x end
