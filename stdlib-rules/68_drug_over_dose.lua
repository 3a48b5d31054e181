-- 68_drug_over_dose.lua — dose and frequency text for 超说明书用量开药
-- (stdlib-rules/68_drug_over_dose.rules).  Prescriptions write a single dose
-- ("20mg", "0.5 g", "1片") and a frequency ("tid", "q8h", "每日3次",
-- "3次/日", "每周1次"); the rule language has no parser for them, Lua does.
--
-- Amounts are normalised to an integer of the unit's smallest part (mass in
-- micrograms, volume in microlitres, international units, count units in
-- thousandths), so comparisons are exact; doses of different kinds (mass
-- against a count) are not compared.

local UNITS = {
  g = {"mass", 1000000}, mg = {"mass", 1000}, ug = {"mass", 1}, mcg = {"mass", 1},
  ["μg"] = {"mass", 1}, ["克"] = {"mass", 1000000}, ["毫克"] = {"mass", 1000},
  ["微克"] = {"mass", 1},
  l = {"volume", 1000000}, ml = {"volume", 1000}, ["毫升"] = {"volume", 1000},
  iu = {"iu", 1}, u = {"iu", 1}, ["单位"] = {"iu", 1}, ["万u"] = {"iu", 10000},
  ["万iu"] = {"iu", 10000},
  ["片"] = {"count", 1000}, ["粒"] = {"count", 1000}, ["袋"] = {"count", 1000},
  ["支"] = {"count", 1000}, ["丸"] = {"count", 1000}, ["贴"] = {"count", 1000},
}

-- "0.5g" -> 500000, "mass"; nil when it cannot be read
local function amount(text)
  if text == nil then return nil end
  local s = string.lower((text:gsub("%s+", "")))
  local num, unit = s:match("^([%d%.]+)(.+)$")
  if not num then return nil end
  local u = UNITS[unit]
  if not u then return nil end
  local whole, frac = num:match("^(%d*)%.?(%d*)$")
  if not whole or (whole == "" and frac == "") then return nil end
  -- exact decimal arithmetic: digits scaled by the unit, no floating point
  local value = tonumber(whole ~= "" and whole or "0") * u[2]
  local scale = u[2]
  for i = 1, #frac do
    scale = scale // 10
    if scale == 0 then break end
    value = value + tonumber(frac:sub(i, i)) * scale
  end
  return value, u[1]
end

local CN = {["一"] = 1, ["二"] = 2, ["两"] = 2, ["三"] = 3, ["四"] = 4, ["五"] = 5, ["六"] = 6}

local function count(s)
  return tonumber(s) or CN[s]
end

-- times per `days` days: "tid" -> 3, 1; "每周1次" -> 1, 7; nil when unknown
local function frequency(text)
  if text == nil then return nil end
  local s = string.lower((text:gsub("%s+", ""))):gsub("%.", "")
  local fixed = {qd = {1, 1}, qn = {1, 1}, qm = {1, 1}, bid = {2, 1}, tid = {3, 1},
                 qid = {4, 1}, qod = {1, 2}, qw = {1, 7}, biw = {2, 7}, tiw = {3, 7},
                 st = {1, 1}, once = {1, 1}}
  if fixed[s] then return fixed[s][1], fixed[s][2] end
  local h = s:match("^q(%d+)h$")
  if h and tonumber(h) > 0 and 24 % tonumber(h) == 0 then return 24 // tonumber(h), 1 end
  local n = s:match("^[每一]日(.-)次$") or s:match("^每天(.-)次$") or s:match("^(.-)次/日$")
         or s:match("^(.-)次/天$")
  if n and count(n) then return count(n), 1 end
  n = s:match("^每周(.-)次$") or s:match("^(.-)次/周$")
  if n and count(n) then return count(n), 7 end
  if s == "每晚一次" or s == "睡前" then return 1, 1 end
  return nil -- prn (as needed) and the like: no judgement
end

-- the daily amount of a line (unit's smallest part), and its kind
function daily_amount(dose, freq)
  local a, kind = amount(dose)
  local times, days = frequency(freq)
  if not a or not times then return nil end
  return a * times // days, kind
end

-- why the line's dose is over the row's limits, or nil when it is not (or
-- cannot be told)
function over_dose(line, row)
  local single, kind = amount(line.dose)
  if not single then return nil end
  local max1, k1 = amount(row.max_single)
  if max1 and k1 == kind and single > max1 then
    return string.format("单次剂量%s超过说明书最大单次剂量%s", line.dose, row.max_single)
  end
  local daily, dkind = daily_amount(line.dose, line.frequency)
  local maxd, k2 = amount(row.max_daily)
  if daily and maxd and k2 == dkind and daily > maxd then
    return string.format("%s %s 日剂量超过说明书最大日剂量%s", line.dose, line.frequency,
                         row.max_daily)
  end
  return nil
end

-- the same, as an integer for rules that compare it themselves
function daily_micro(dose, freq)
  local d = daily_amount(dose, freq)
  return d
end
