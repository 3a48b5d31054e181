/* expect.c — an inline test's findings judged by its expectations (see
 * expect.h). */
#include "expect.h"

#include <string.h>

#include "i18n.h"

void expect_describe_finding(FsBuf *b, const FsFinding *f) {
    char m[32];
    fs_money(f->amount, m, sizeof m);
    if (f->line_no >= 0)
        fsb_printf(b, "%s on line %lld amount %s", f->rule, (long long)f->line_no, m);
    else
        fsb_printf(b, "%s on the claim amount %s", f->rule, m);
}

void expect_describe(FsBuf *b, const arb_test_expect *x) {
    fsb_printf(b, "%s %s", x->negate ? "no flag" : "flag", x->rule_id);
    if (x->line_no >= 0) fsb_printf(b, " on line %lld", (long long)x->line_no);
    if (x->has_amount) {
        char m[32];
        fs_money(x->amount_cents, m, sizeof m);
        fsb_printf(b, " amount %s", m);
    }
}

int expect_matches(const arb_test_expect *x, const FsFinding *f, const char *claim_id,
                   int with_amount) {
    return strcmp(f->claim_id, claim_id) == 0 && strcmp(f->rule, x->rule_id) == 0 &&
           (x->line_no < 0 || f->line_no == x->line_no) &&
           (!with_amount || !x->has_amount || f->amount == x->amount_cents);
}

size_t expect_judge(const arb_engine *e, size_t i, const arb_test *tt, const FindingSet *act,
                    size_t max_examples, void (*exercised)(void *ud, const char *rule_id), void *ud,
                    FsBuf *report, FsBuf *first) {
    size_t failed = 0;
    for (size_t k = 0; k < tt->nexpects; k++) {
        arb_test_expect x;
        if (arb_test_expect_get(e, i, k, &x) != ARB_OK) continue;
        if (!x.negate && exercised) exercised(ud, x.rule_id);
        size_t hits = 0, near = 0;
        for (size_t j = 0; j < act->n; j++) {
            hits += expect_matches(&x, &act->items[j], tt->claim_id, 1);
            near += expect_matches(&x, &act->items[j], tt->claim_id, 0);
        }
        if (x.negate ? hits == 0 : hits > 0) continue;
        failed++;
        fsb_printf(report, _("  %s:%u:%u: expected "), x.file ? x.file : "?", x.line, x.col);
        expect_describe(report, &x);
        if (!first->len) {
            fsb_puts(first, _("expected "));
            expect_describe(first, &x);
        }
        fsb_puts(report, _("\n    found: "));
        if (x.negate || near) {
            /* the findings that break a 'no flag', or that differ only in amount */
            size_t shown = 0;
            for (size_t j = 0; j < act->n; j++) {
                if (!expect_matches(&x, &act->items[j], tt->claim_id, 0)) continue;
                if (shown++) fsb_puts(report, ", ");
                expect_describe_finding(report, &act->items[j]);
                if (x.negate) fsb_printf(report, " \"%s\"", act->items[j].message);
            }
        } else {
            fsb_printf(report, _("no finding of %s"), x.rule_id);
            if (x.line_no >= 0) fsb_printf(report, " on line %lld", (long long)x.line_no);
        }
        /* what else the last claim got, for context */
        int listed = x.negate || near;
        size_t others = 0, shown = 0;
        for (size_t j = 0; j < act->n; j++)
            others += strcmp(act->items[j].claim_id, tt->claim_id) == 0 &&
                      !(listed && expect_matches(&x, &act->items[j], tt->claim_id, 0));
        if (!others) {
            fsb_printf(report,
                       listed ? _("; claim %s has no other findings\n")
                              : _("; claim %s has no findings\n"),
                       tt->claim_id);
            continue;
        }
        fsb_printf(report,
                   listed ? _("; other findings of claim %s: ") : _("; findings of claim %s: "),
                   tt->claim_id);
        for (size_t j = 0; j < act->n && shown < max_examples; j++) {
            if (strcmp(act->items[j].claim_id, tt->claim_id) != 0 ||
                (listed && expect_matches(&x, &act->items[j], tt->claim_id, 0)))
                continue;
            if (shown++) fsb_puts(report, ", ");
            expect_describe_finding(report, &act->items[j]);
        }
        if (others > shown) fsb_printf(report, _(" and %zu more"), others - shown);
        fsb_puts(report, "\n");
    }
    return failed;
}
