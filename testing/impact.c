/* impact.c — the impact report of a rule change (see impact.h). */
#include "impact.h"

#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void impact_money(int64_t cents, char *buf, size_t cap) {
    char plain[32];
    fs_money(cents, plain, sizeof plain);
    const char *digits = plain[0] == '-' ? plain + 1 : plain;
    size_t whole = strcspn(digits, "."), k = 0;
    if (digits != plain && k + 1 < cap) buf[k++] = '-';
    for (size_t i = 0; digits[i] && k + 2 < cap; i++) {
        if (i && i < whole && (whole - i) % 3 == 0) buf[k++] = ',';
        buf[k++] = digits[i];
    }
    buf[k] = 0;
}

static int64_t sum_amounts(const FindingSet *s) {
    int64_t sum = 0;
    for (size_t i = 0; i < s->n; i++) sum = fs_money_add(sum, s->items[i].amount);
    return sum;
}

/* Claims named by at least one difference. */
static size_t claims_affected(const FsDiff *d) {
    const char **ids = malloc((d->n + 1) * sizeof *ids);
    if (!ids) return 0;
    for (size_t i = 0; i < d->n; i++)
        ids[i] = d->items[i].actual ? d->items[i].actual->claim_id : d->items[i].expected->claim_id;
    qsort(ids, d->n, sizeof *ids, cmp_str);
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++) n += i == 0 || strcmp(ids[i], ids[i - 1]) != 0;
    free(ids);
    return n;
}

long impact_report(FsBuf *b, const char *old_name, const char *new_name, FindingSet *old_set,
                   FindingSet *new_set, const FsTitle *titles, size_t ntitles,
                   size_t max_examples) {
    FsDiff d;
    if (fs_compare(old_set, new_set, &d)) return -1;
    if (d.n)
        fsb_printf(b, "diff %s -> %s: %zu difference%s\n", old_name, new_name, d.n,
                   d.n == 1 ? "" : "s");
    else
        fsb_printf(b, "diff %s -> %s: no differences\n", old_name, new_name);
    fs_report(b, &d, titles, ntitles, max_examples);
    char m_old[48], m_new[48], m_delta[48];
    int64_t a_old = sum_amounts(old_set), a_new = sum_amounts(new_set);
    impact_money(a_old, m_old, sizeof m_old);
    impact_money(a_new, m_new, sizeof m_new);
    impact_money(fs_money_sub(a_new, a_old), m_delta, sizeof m_delta);
    long long dn = (long long)new_set->n - (long long)old_set->n;
    size_t nclaims = claims_affected(&d);
    fsb_printf(b,
               "summary: findings %zu -> %zu (%+lld), %zu claim%s affected, money at risk %s -> "
               "%s (%s%s)\n",
               old_set->n, new_set->n, dn, nclaims, nclaims == 1 ? "" : "s", m_old, m_new,
               a_new >= a_old ? "+" : "", m_delta);
    long n = (long)d.n;
    fs_diff_free(&d);
    return n;
}
