/* report.h — the report builder's internals shared with its tests and the
 * assets built into it (report/blobs.S: app.js, report.css and, when the
 * set-up installed it, Apache ECharts' echarts.min.js). */
#ifndef ARB_REPORT_H
#define ARB_REPORT_H

#include "arbiter_report.h"

/* report/app.js and report/report.css, NUL-terminated */
extern const char rep_app_js[];
extern const char rep_css[];
/* echarts.min.js: [rep_echarts_js, rep_echarts_end) (empty when the build
 * found none) */
extern const char rep_echarts_js[];
extern const char rep_echarts_end[];

/* The worklist level of a finding: 0 科室自查, 1 医保办复核, 2 督办
 * (definite and high severity: 督办; definite or high: 医保办复核). */
int rep_level(const char *severity, const char *nature);

#endif
