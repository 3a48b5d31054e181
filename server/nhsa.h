/* nhsa.h — the national detail-audit interface (3101 明细审核事前分析,
 * 3102 事中分析, 3103 事前事中服务反馈; ../shared/nhsa-3101.md): reading a
 * request's envelope, choosing the phases from trig_scen, verifying the
 * x-tif signature, and writing answers in the national shape that the
 * clients in the field parse (infcode the number 0, err_msg empty on
 * success, output.result an array, never null).
 *
 * The claims themselves are read by the engine through the `nhsa3101`
 * input profile (arb_session_check_input); this module reads only what the
 * envelope says about the request. */
#ifndef ARB_SRV_NHSA_H
#define ARB_SRV_NHSA_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "arbiter.h"

/* What a request's envelope says. */
typedef struct NhsaRequest {
    json_object *root; /* the parsed body (owned; nhsa_request_free) */
    char infno[16];    /* "3101", "3102", "3103", or as sent ("" when absent) */
    const char *msgid, *task_id, *trig_scen, *admdvs; /* NULL when absent */
    char trig_buf[64];                                /* trig_scen given as a number */
} NhsaRequest;

/* Parses body[0..n).  0, or -1 with a message (naming the byte of a JSON
 * error, "column N") in err. */
int nhsa_request_read(NhsaRequest *r, const char *body, size_t n, char *err, size_t errcap);
void nhsa_request_free(NhsaRequest *r);

/* The phases (ARB_PHASE_* bits) trig_scen asks for: codes 1-5 (事前) the
 * pre phase, 6-10 (事中) the settle phase, comma-joined codes the union.
 * With no trig_scen, infno decides (3101 pre, 3102 settle).  A code of the
 * other stage than infno's (a 3102 sent with trig_scen 1, as one client
 * does) runs both phases and sets *mismatch.  0 with a message in err when
 * a code is unknown. */
unsigned nhsa_phases(const NhsaRequest *r, int infno, int *mismatch, char *err, size_t errcap);

/* Verifies x-tif-signature = hex(SHA-256(timestamp + secret + nonce +
 * timestamp)) and that timestamp (Unix seconds) is within window seconds
 * of now.  0, or -1 with the reason in err. */
int nhsa_verify_signature(const char *secret, const char *timestamp, const char *nonce,
                          const char *signature, int64_t now, int64_t window, char *err,
                          size_t errcap);

/* The national severity code (sev_deg, §5.17) of a finding: 1 明确违规 for a
 * definite finding, 2 高度可疑 for a suspicious one of high severity, 3
 * 轻度可疑 otherwise. */
const char *nhsa_sev_deg(const arb_finding *f);

/* An answer being built. */
typedef struct NhsaAnswer {
    json_object *root, *result; /* result: output.result */
} NhsaAnswer;

/* Starts an answer: infcode 0, inf_refmsgid (admdvs, the time, serial),
 * refmsg_time (when the request arrived, ms since 1970), respond_time. */
int nhsa_answer_init(NhsaAnswer *a, const char *admdvs, uint64_t serial, int64_t arrived_ms);
/* Adds one finding of a claim read through the profile (f->finding) to
 * output.result; task_id echoed (may be NULL). */
void nhsa_answer_finding(NhsaAnswer *a, const arb_input_finding *f, const char *task_id);
/* Makes the answer a failure: infcode -1, err_msg, output.result []. */
void nhsa_answer_fail(NhsaAnswer *a, const char *err_msg);
/* The answer's text (valid until nhsa_answer_free). */
const char *nhsa_answer_text(NhsaAnswer *a, size_t *len);
void nhsa_answer_free(NhsaAnswer *a);

/* One 3103 answer of a doctor to a warning, as it is recorded. */
typedef struct NhsaFeedback {
    const char *jr_id, *dspo_way, *dspo_way_rea;
} NhsaFeedback;

/* Reads the warns of a 3103 request: calls fn with each as a JSON object to
 * record ({"jr_id", "dspo_way", "dspo_way_rea", "warn_type", "msgid",
 * "fixmedins_code", "opter", "received"}).  Returns the number of warns,
 * or -1 with a message naming the field (input.data.warns[2].dspo_way) in
 * err when one is not understood: nothing is recorded then. */
int nhsa_feedback_each(const NhsaRequest *r, const char *received,
                       int (*fn)(void *ud, const char *json, size_t len, char *err, size_t errcap),
                       void *ud, char *err, size_t errcap);

#endif
