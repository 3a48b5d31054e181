# peers_expect.awk — the expected counts of bench/peers.sh's workload,
# computed independently of every engine and of the generator's own data
# structures: reads rules.tsv (rule_no, min_age, 5 codes) and the claims'
# JSON Lines text, takes each claim's code, birth date and admission date
# out of the text, computes the age in full years, and prints two counts:
#   hits   (rule, claim line) pairs where the line's code is in the rule's
#          set and age >= the rule's minimum — one finding each;
#   lines  claim lines hit by at least one rule (the table-driven rule's
#          findings: one per flagged line).
# Usage: awk -f peers_expect.awk rules.tsv claims.jsonl
BEGIN { FS = "\t" }
FNR == NR {
  n = split($3, cs, " ")
  for (k = 1; k <= n; k++) ages[cs[k]] = ages[cs[k]] " " $2
  next
}
{
  code = field("item_code"); birth = field("birth_date"); admit = substr(field("admit_time"), 1, 10)
  age = substr(admit, 1, 4) - substr(birth, 1, 4) - (substr(admit, 6, 5) < substr(birth, 6, 5))
  if (!(code in ages)) next
  m = split(ages[code], as, " ")
  hit = 0
  for (k = 1; k <= m; k++) if (age >= as[k] + 0) hit++
  hits += hit
  if (hit) lines++
}
END { printf "%d %d\n", hits, lines }
# the string value of "KEY":"..." in the current record
function field(key,    s) {
  if (!match($0, "\"" key "\":\"[^\"]*\"")) { print "peers_expect: no " key " at line " FNR > "/dev/stderr"; exit 2 }
  s = substr($0, RSTART + length(key) + 4, RLENGTH - length(key) - 5)
  return s
}
