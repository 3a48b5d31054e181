/* report_cfg.c — the report configuration's names and the evaluation of
 * worklist routes (report_cfg.h, arb_report_route_level in arbiter.h). */
#include "report_cfg.h"

#include <string.h>

const char *const rcfg_level_names[RCFG_LEVELS] = {"科室自查", "医保办复核", "督办"};
const char *const rcfg_indicator_keys[RCFG_INDICATORS] = {"findings_per_1000_claims",
                                                          "at_risk_per_claim", "repeat_share",
                                                          "definite_share", "compliance_rate"};
const char *const rcfg_indicator_names[RCFG_INDICATORS] = {
    "每千单违规数", "单均违规金额(元)", "重复违规占比(%)", "明确违规占比(%)", "整改率(%)"};

int rcfg_index(const char *const *names, int n, const char *s, size_t len) {
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0) return i;
    return -1;
}

static int eq(const char *a, const char *b) {
    return a && b && strcmp(a, b) == 0;
}

/* Three-valued logic: 0 false, 1 true, 2 unknown. */
int rcfg_eval(const arb_report_test *cond, size_t n, const char *severity, const char *nature,
              const char *tier, const char *category) {
    signed char st[32];
    size_t sp = 0;
    for (size_t i = 0; i < n; i++) {
        const arb_report_test *t = &cond[i];
        int v;
        switch (t->op) {
        case ARB_RT_SEVERITY: v = eq(severity, t->value); break;
        case ARB_RT_NATURE: v = eq(nature, t->value); break;
        case ARB_RT_TIER: v = eq(tier, t->value); break;
        case ARB_RT_CATEGORY: v = category ? eq(category, t->value) : 2; break;
        case ARB_RT_NOT:
            if (sp < 1) return -1;
            st[sp - 1] = st[sp - 1] == 2 ? 2 : !st[sp - 1];
            continue;
        case ARB_RT_AND:
        case ARB_RT_OR: {
            if (sp < 2) return -1;
            int a = st[sp - 2], b = st[sp - 1];
            sp--;
            if (t->op == ARB_RT_AND)
                st[sp - 1] = (signed char)(a == 0 || b == 0 ? 0 : a == 1 && b == 1 ? 1 : 2);
            else
                st[sp - 1] = (signed char)(a == 1 || b == 1 ? 1 : a == 0 && b == 0 ? 0 : 2);
            continue;
        }
        default: return -1;
        }
        if (sp >= sizeof st) return -1;
        st[sp++] = (signed char)v;
    }
    return sp == 1 ? st[0] : n == 0 ? 1 : -1;
}

int arb_report_route_level(const arb_report_route *routes, size_t n, const char *severity,
                           const char *nature, const char *tier, const char *category) {
    /* a NULL category is "none" here, not "unknown" */
    const char *cat = category ? category : "";
    for (size_t i = 0; i < n; i++)
        if (rcfg_eval(routes[i].cond, routes[i].ncond, severity, nature, tier, cat) == 1)
            return routes[i].level;
    return -1;
}
