-- funcs.lua — Lua functions for tests/e2e/lua.sh: well-behaved ones, and
-- one of each failure the sandbox must contain (endless loop, endless
-- allocation, an error, a result of the wrong type).

-- a drug line billed for more than `n` units
function over_units(line, n)
  return line.quantity ~= nil and line.quantity > n
end

-- the number of lines of the claim with the same item code as this one
function same_code_lines(line, claim)
  local n = 0
  for i = 1, #claim.lines do
    if claim.lines[i].item_code == line.item_code then n = n + 1 end
  end
  return n
end

-- the amount above 10.00 per unit, in cents (money)
function excess(line)
  if line.unit_price == nil then return nil end
  local over = (line.unit_price - 1000) * line.quantity
  if over > 0 then return over end
  return 0
end

function label(line)
  return string.upper(line.item_kind) .. ":" .. line.item_code
end

function spin(line)
  if line.item_name == "LOOP" then while true do end end
  return false
end

function hog(line)
  if line.item_name == "HOG" then
    local t = {}
    while true do t[#t + 1] = string.rep("x", 262144) .. #t end
  end
  return false
end

function boom(line)
  if line.item_name == "BOOM" then error("cannot read dose '" .. tostring(line.dose) .. "'") end
  return false
end

function wrong(line)
  if line.item_name == "WRONG" then return "seven" end
  return 0
end

-- sandbox probes: each returns true when the thing is (correctly) absent
function sandboxed()
  return io == nil and os == nil and debug == nil and package == nil and dofile == nil
     and loadfile == nil and string.dump == nil and print == nil
     and load(string.char(27) .. "Lua") == nil
end

-- keeping a record past the call must not work: the next call that reads
-- it fails (kept.rules)
function keep(line)
  kept = kept or line
  return kept.item_code == nil
end
