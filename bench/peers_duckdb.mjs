// peers_duckdb.mjs — the DuckDB peer of bench/peers.sh, through the npm
// package @duckdb/node-api (installed by peers.sh into a cache outside the
// tree; its directory is the first argument).  The same SQL as the SQLite
// peer: the rules as one table rule_codes(code, rule_no, min_age) with an
// index on code, joined with the claims on the code and the age.  One
// thread (SET threads = 1), as every engine of the comparison.
//
//   node peers_duckdb.mjs CACHE build RULES.duckdb rule_codes.csv
//   node peers_duckdb.mjs CACHE mem RULES.duckdb CLAIMS.jsonl
//        claims loaded into a table first (untimed); the join into a table
//        of findings timed alone, best of 3; prints "hits SECONDS"
//   node peers_duckdb.mjs CACHE run RULES.duckdb CLAIMS.jsonl OUT
//        end to end: read_json of the JSON Lines, the join, the findings
//        written to OUT (claim_id<TAB>rule_no); prints the hits
//   node peers_duckdb.mjs CACHE exec DB FILE.sql
//        runs the statements of FILE.sql (each ends with ";" at the end of
//        a line) in DB (:memory: for none); a statement after a line
//        "-- time" is timed (prints "time SECONDS"), one after "-- print"
//        prints its first value (the incumbent-SQL part of peers.sh)
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [cache, mode, dbPath, input, out] = process.argv.slice(2);
if (!cache || !['build', 'mem', 'run', 'exec'].includes(mode) || !dbPath || !input || (mode === 'run' && !out)) {
  console.error('usage: node peers_duckdb.mjs CACHE build|mem|run RULES.duckdb CSV|CLAIMS [OUT]');
  process.exit(2);
}
const require = createRequire(`${cache}/`);
const { DuckDBInstance } = await import(pathToFileURL(require.resolve('@duckdb/node-api')).href);

const q = (s) => s.replaceAll("'", "''");
const readOnly = mode === 'mem' || mode === 'run';
const db = await DuckDBInstance.create(dbPath, readOnly ? { access_mode: 'READ_ONLY' } : {});
const c = await db.connect();
await c.run('SET threads = 1');
const one = async (sql) => (await c.runAndReadAll(sql)).getRows()[0][0];

// the claims of the JSON Lines file: only the fields the rules read
const claims = `
  SELECT claim_id, lines[1].item_code AS code,
         CAST(substr(admit_time, 1, 4) AS INTEGER) - CAST(substr(birth_date, 1, 4) AS INTEGER)
         - CAST(substr(admit_time, 6, 5) < substr(birth_date, 6, 5) AS INTEGER) AS age
  FROM read_json('${q(input)}', format = 'newline_delimited',
                 columns = {claim_id: 'VARCHAR', birth_date: 'VARCHAR', admit_time: 'VARCHAR',
                            lines: 'STRUCT(item_code VARCHAR)[]'})`;
const join = (from) => `
  SELECT c.claim_id, r.rule_no FROM ${from} c
  JOIN rule_codes r ON r.code = c.code AND r.min_age <= c.age`;

if (mode === 'exec') {
  const { readFileSync } = await import('node:fs');
  for (const stmt of readFileSync(input, 'utf8').split(/;[ \t]*\n/)) {
    if (!stmt.trim()) continue;
    if (/^\s*-- time\n/.test(stmt)) {
      const t0 = process.hrtime.bigint();
      await c.run(stmt);
      console.log(`time ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(6)}`);
    } else if (/^\s*-- print\n/.test(stmt)) {
      console.log(String(await one(stmt)));
    } else {
      await c.run(stmt);
    }
  }
} else if (mode === 'build') {
  await c.run(`CREATE TABLE rule_codes AS SELECT * FROM read_csv('${q(input)}', header = true,
               columns = {code: 'VARCHAR', rule_no: 'INTEGER', min_age: 'INTEGER'})`);
  await c.run('CREATE INDEX rule_codes_code ON rule_codes(code)');
} else if (mode === 'mem') {
  await c.run(`CREATE TEMP TABLE claims AS ${claims}`);
  let best = 1e9, hits = 0n;
  for (let round = 0; round < 3; round++) {
    await c.run('DROP TABLE IF EXISTS temp.f');
    const t0 = process.hrtime.bigint();
    await c.run(`CREATE TEMP TABLE f AS ${join('temp.claims')}`);
    const t = Number(process.hrtime.bigint() - t0) / 1e9;
    if (t < best) best = t;
    hits = await one('SELECT count(*) FROM temp.f');
  }
  console.log(`${hits} ${best.toFixed(6)}`);
} else {
  // COPY answers with the number of rows it wrote
  console.log(String(await one(`COPY (${join(`(${claims})`)}) TO '${q(out)}' (FORMAT csv, DELIMITER '\t', HEADER false)`)));
}
