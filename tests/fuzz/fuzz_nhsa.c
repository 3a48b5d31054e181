/* fuzz_nhsa.c — libFuzzer target: one body of a national 3101/3102/3103
 * request -> what `arbiter serve` does with it: the envelope reader,
 * trig_scen to phases, 3103 warns, the nhsa3101 input profile reading
 * claims out of it and the standard library checking them in a session,
 * each finding written into the national answer, and the unread keys. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "nhsa.h"

static arb_engine *engine;
static arb_session *session;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    engine = fz_stdlib(0);
    if (arb_session_new(engine, &session) != ARB_OK) abort();
    return 0;
}

static int count(void *ud, const char *json, size_t len, char *err, size_t errcap) {
    (void)err, (void)errcap;
    fz_check(len > 0 && json[0] == '{' && json[len - 1] == '}', "a 3103 record is not an object");
    ++*(int *)ud;
    return 0;
}

typedef struct Ans {
    NhsaAnswer *a;
    const char *task;
} Ans;

static void on_input_finding(void *ud, const arb_input_finding *f) {
    Ans *x = ud;
    size_t sum = 0;
    fz_on_finding(&sum, f->finding);
    fz_check(f->is_current >= -1 && f->is_current <= 1, "is_current %d", f->is_current);
    nhsa_answer_finding(x->a, f, x->task);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *body = (const char *)data;
    NhsaRequest r;
    char err[700];
    if (nhsa_request_read(&r, body, size, err, sizeof err) == 0) {
        int mismatch, n = 0;
        nhsa_phases(&r, 3101, &mismatch, err, sizeof err);
        nhsa_phases(&r, 3102, &mismatch, err, sizeof err);
        int k = nhsa_feedback_each(&r, "2026-01-01T00:00:00Z", count, &n, err, sizeof err);
        fz_check(k < 0 || k == n, "3103: %d warns read, %d recorded", k, n);
        nhsa_request_free(&r);
    }
    NhsaAnswer a;
    if (nhsa_answer_init(&a, NULL, 1, 0)) return 0;
    Ans x = {&a, "T"};
    size_t nclaims = 0;
    int rc =
        arb_session_check_input(session, "nhsa3101", body, size, ARB_PHASE_PRE | ARB_PHASE_SETTLE,
                                on_input_finding, &x, &nclaims);
    if (rc == ARB_ERR_DATA)
        fz_check(strncmp(arb_session_errmsg(session), "column ", 7) == 0,
                 "a refused request's message names no column: %s", arb_session_errmsg(session));
    size_t keys = 0; /* every unread key is a string (an empty key is a key) */
    for (size_t i = 0; arb_session_ignored(session, i); i++)
        keys += strlen(arb_session_ignored(session, i));
    (void)keys;
    size_t len;
    const char *text = nhsa_answer_text(&a, &len);
    fz_check(text && len > 0 && text[0] == '{', "no answer");
    nhsa_answer_free(&a);
    return 0;
}
