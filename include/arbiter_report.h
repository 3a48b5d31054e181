/* arbiter_report.h — reports for auditors and managers (libarbiter_report):
 * aggregates a findings file (JSON Lines from `arbiter check`) with the
 * claims it came from into a self-contained HTML report (charts drawn with
 * Apache ECharts, inlined) and CSV tables: overview and monthly trend,
 * figures by category and tier, top departments, doctors and facilities
 * with drill-down tables, quarterly high-frequency departments and drugs,
 * the doctor points ledger, facility grades and the graded worklists.
 *
 * Memory stays bounded by the number of groups (departments, doctors,
 * facilities, months, items), not by the findings: the two files are read
 * once, side by side (the findings of a claim follow the claim's order in
 * the claims file, as `check` writes them), and the HTML holds aggregates
 * and the largest findings of each worklist, never every finding.  With a
 * history store (several batches) the claims come from the store, claim by
 * claim, and the findings files are read twice (arb_report_options.history).
 * See docs/reports.md. */
#ifndef ARBITER_REPORT_H
#define ARBITER_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "arbiter.h" /* arb_report_step, arb_report_indicator, arb_report_route */

#ifdef __cplusplus
extern "C" {
#endif

/* The default ladder (docs/reports.md): 4 points 警示约谈, 8 points
 * 暂停医保支付资格3个月, 12 points 取消医保医师资格.  *n receives its length. */
const arb_report_step *arb_report_default_ladder(size_t *n);

/* The sanction due at `points` on the ladder steps[0..n) (ascending
 * points): the last step whose points are <= points, or NULL when none is
 * reached.  *step (when not NULL) receives its index, or -1. */
const char *arb_report_sanction(const arb_report_step *steps, size_t n, int32_t points, int *step);

/* The indicator's score (0..100) for value v. */
double arb_report_indicator_score(const arb_report_indicator *ind, double v);

/* The grade 'A'..'D' of a total score: A at cut[0] or more, B at cut[1] or
 * more, C at cut[2] or more, else D.  Default cut-offs: 90, 75, 60. */
char arb_report_grade(const double cut[3], double score);

/* The default indicators, in this order (docs/reports.md): findings per
 * 1,000 claims, amount at risk per claim (yuan), repeat findings (% of a
 * facility's findings whose person and rule were flagged before in the
 * period), definite findings (% of the findings), compliance rate (% of
 * warnings followed; only with feedback, else left out).  *n receives 5. */
const arb_report_indicator *arb_report_default_indicators(size_t *n);

/* The default worklist routes (docs/reports.md): definite and high severity
 * → 督办; definite or high → 医保办复核; otherwise → 科室自查.  *n
 * receives 3. */
const arb_report_route *arb_report_default_routes(size_t *n);

typedef struct arb_report_options {
    const char *findings_path; /* JSON Lines written by `arbiter check` */
    const char *claims_path;   /* the canonical JSON Lines claims it audited */
    /* The period, by the claims' settle date (YYYY-MM-DD, inclusive); NULL:
     * open.  Claims without a settle date are counted only when both are
     * NULL. */
    const char *from, *to;
    const char *html_path; /* NULL: no HTML */
    const char *csv_dir;   /* NULL: no CSV tables; else a directory (made when missing) */
    /* NULL: no workbook; else an Excel workbook (libxlsxwriter): sheets 汇总,
     * 按科室, 按医师, 按机构, 记分台账, 机构等级, one per worklist level
     * (科室自查, 医保办复核, 督办: every finding of the level) and one per
     * level and department ("督办-内科").  Written to a temporary name
     * beside it and renamed when complete. */
    const char *xlsx_path;
    const char *title; /* NULL: "医保智能审核报告" */
    /* The ledger period: 0, the calendar year of the period's end (of the
     * latest settle date when `to` is NULL); 1, the 12 months ending then. */
    int ledger_rolling;
    const arb_report_step *steps; /* NULL: the default ladder */
    size_t nsteps;
    const arb_report_indicator *indicators; /* NULL: the default ones */
    size_t nindicators;
    double grade_cut[3]; /* all 0: 90, 75, 60 */
    /* The worklist routes, tried in order (arbiter.h, arb_report_route);
     * NULL: the default ones.  A finding no route takes goes to 科室自查. */
    const arb_report_route *routes;
    size_t nroutes;
    int top; /* rows of the top tables (0: 10) */
    /* The ECharts library (echarts.min.js) to inline, or NULL: the one
     * built in (arb_report_echarts), if any. */
    const char *echarts_js;
    size_t echarts_len;
    /* NULL: no feedback; else the doctors' answers to warnings (3103) as
     * JSON Lines, one object a line with a non-empty string "jr_id" (a
     * finding's finding_id) and "dspo_way": "1" (the order went ahead) or
     * "2" (the order was changed: the warning was followed), as 'arbiter
     * history feedback' writes them.  The latest answer to a warning counts.
     * It gives the compliance rate (indicator compliance_rate): of the
     * period's findings that were answered, the share followed. */
    const char *feedback_path;
    /* Several findings files (findings_paths[0..nfindings); findings_path
     * is then not used), e.g. one per batch, given oldest first.  A claim's
     * findings are taken from the last file that has any for it (a claim
     * checked again in a later batch counts with its later findings). */
    const char *const *findings_paths;
    size_t nfindings;
    /* The compiled rules whose readers read claims_path (arb_claims_each,
     * arbiter.h: their schema and input profiles) when it is not canonical
     * JSON Lines: CSV (claims_format ARB_FORMAT_CSV, or a name ending in
     * .csv), claims_encoding (e.g. "gb18030") or claims_profile (an input
     * profile: "nhsa3101", "his_csv_zh").  The report is the one its
     * canonical twin gives; records check would reject are skipped
     * (arb_report_totals.claims_rejected). */
    arb_engine *engine;
    const char *claims_encoding, *claims_profile;
    int claims_format;
    /* A history store (arb_history_open for `engine`): its claims are
     * claims audited, with claims_path's (a claim in both, by claim_id,
     * counts once, as claims_path has it), so that a period spans the
     * batches recorded into the store (`check --record`).  The findings
     * then need not follow the claims' order; every finding's claim must be
     * in the store or claims_path.  Memory: besides the groups, about 32
     * bytes a claim with findings, 40 a drug line of theirs in the period,
     * and, with claims_path too, 24 a claim of claims_path. */
    arb_history *history;
} arb_report_options;

void arb_report_options_init(arb_report_options *o);

/* Takes into o the sections a rule library's report configuration declares
 * (arb_engine_report_config, arbiter.h): the routes, the ladder, the ledger
 * period, the indicators and the cut-offs; o keeps what it leaves empty.
 * The pointers are the configuration's (valid while its engine lives). */
void arb_report_options_use(arb_report_options *o, const arb_report_config *c);

/* The totals of a report, as its overview shows them. */
typedef struct arb_report_totals {
    uint64_t claims;         /* claims audited in the period */
    uint64_t lines;          /* their lines */
    uint64_t flagged_claims; /* of them, with a finding */
    uint64_t findings;
    int64_t claimed_cents;       /* the claims' total_amount */
    int64_t amount_cents;        /* the findings' amounts */
    int64_t at_risk_cents;       /* money at risk, each line once (the findings' at_risk) */
    uint64_t doctors_sanctioned; /* doctors who reached a ledger step */
    /* with feedback_path: the answers read, the period's findings answered
     * and of them followed, and the warnings answered that are no finding
     * of the period (another period's, or unknown: counted, not used) */
    uint64_t feedback, answered, followed, feedback_unmatched;
    /* claims read from the store (history), and of them counted (in the
     * period and not in claims_path); records of claims_path read through
     * the library's readers that check would reject, skipped */
    uint64_t store_claims, store_counted, claims_rejected;
} arb_report_totals;

/* Builds the report.  Returns 0, or -1 with a message in err (file and
 * line for bad input): a finding whose claim is not in the claims file, in
 * its order (one findings file, no history), or in neither the claims nor
 * the store (several findings files, or history); unreadable or malformed
 * files; an output that cannot be written (outputs are written to a
 * temporary name and renamed). */
int arb_report_build(const arb_report_options *o, arb_report_totals *out, char *err, size_t errcap);

/* The ECharts library built into this library (empty when it was built
 * without one: the report then shows tables only). */
const char *arb_report_echarts(size_t *len);

#ifdef __cplusplus
}
#endif

#endif
