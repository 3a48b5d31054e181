/* nhsa.c — the national 3101/3102/3103 envelope and answers (see nhsa.h). */
#include "nhsa.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The value of key in o as text: a string as is, a number written out;
 * NULL when absent, null, or another type. */
static const char *text_of(json_object *o, const char *key, char *buf, size_t cap) {
    json_object *v;
    if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
        return NULL;
    switch (json_object_get_type(v)) {
    case json_type_string: return json_object_get_string(v);
    case json_type_int: snprintf(buf, cap, "%lld", (long long)json_object_get_int64(v)); return buf;
    case json_type_double:
        snprintf(buf, cap, "%s", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
        return buf;
    default: return NULL;
    }
}

static json_object *member(json_object *o, const char *key) {
    json_object *v;
    if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
        return NULL;
    return v;
}

static const char *string_member(json_object *o, const char *key) {
    json_object *v = member(o, key);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int nhsa_request_read(NhsaRequest *r, const char *body, size_t n, char *err, size_t errcap) {
    memset(r, 0, sizeof *r);
    json_tokener *tok = json_tokener_new_ex(64);
    if (!tok) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    size_t start = n >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    json_object *root = n - start > 0 && n - start < (size_t)1 << 31
                            ? json_tokener_parse_ex(tok, body + start, (int)(n - start))
                            : NULL;
    enum json_tokener_error je = json_tokener_get_error(tok);
    size_t end = start + json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!root || je != json_tokener_success) {
        json_object_put(root);
        if (n == start)
            snprintf(err, errcap, "the body is empty: a JSON object was expected");
        else if (je == json_tokener_continue || je == json_tokener_success)
            snprintf(err, errcap, "column %zu: the JSON ends too early", n + 1);
        else
            snprintf(err, errcap, "column %zu: invalid JSON: %s", end + 1,
                     json_tokener_error_desc(je));
        return -1;
    }
    for (size_t i = end; i < n; i++)
        if (body[i] != ' ' && body[i] != '\n' && body[i] != '\r' && body[i] != '\t') {
            json_object_put(root);
            snprintf(err, errcap, "column %zu: text after the JSON object", i + 1);
            return -1;
        }
    if (!json_object_is_type(root, json_type_object)) {
        json_object_put(root);
        snprintf(err, errcap, "column %zu: the body is not a JSON object", start + 1);
        return -1;
    }
    r->root = root;
    char buf[32];
    const char *infno = text_of(root, "infno", buf, sizeof buf);
    snprintf(r->infno, sizeof r->infno, "%s", infno ? infno : "");
    r->msgid = string_member(root, "msgid");
    r->admdvs = string_member(root, "mdtrtarea_admvs");
    json_object *data = member(member(root, "input"), "data");
    json_object *task = member(data, "task_id");
    r->task_id = task && (json_object_is_type(task, json_type_string) ||
                          json_object_is_type(task, json_type_int))
                     ? json_object_get_string(task)
                     : NULL;
    r->trig_scen = text_of(data, "trig_scen", r->trig_buf, sizeof r->trig_buf);
    return 0;
}

void nhsa_request_free(NhsaRequest *r) {
    json_object_put(r->root);
    r->root = NULL;
}

unsigned nhsa_phases(const NhsaRequest *r, int infno, int *mismatch, char *err, size_t errcap) {
    unsigned own = infno == 3102 ? ARB_PHASE_SETTLE : ARB_PHASE_PRE, phases = 0;
    *mismatch = 0;
    const char *p = r->trig_scen ? r->trig_scen : "";
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        if (!*p) break;
        const char *q = p;
        while (*q && *q != ',') q++;
        size_t len = (size_t)(q - p);
        while (len && p[len - 1] == ' ') len--;
        char code[8];
        int v = 0;
        int ok = len > 0 && len < sizeof code;
        for (size_t i = 0; ok && i < len; i++) {
            ok = p[i] >= '0' && p[i] <= '9';
            v = v * 10 + (p[i] - '0');
        }
        if (!ok || v < 1 || v > 10) {
            snprintf(err, errcap,
                     "input.data.trig_scen: '%.*s' is not a trigger code (1-5 事前, 6-10 事中; "
                     "several joined by commas)",
                     (int)(len > 40 ? 40 : len), p);
            return 0;
        }
        memcpy(code, p, len);
        phases |= v <= 5 ? ARB_PHASE_PRE : ARB_PHASE_SETTLE;
        p = q;
    }
    if (!phases) return own;
    if (!(phases & own)) {
        *mismatch = 1;
        phases |= own;
    }
    return phases;
}

static void hex(const unsigned char *d, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = 0;
}

int nhsa_verify_signature(const char *secret, const char *timestamp, const char *nonce,
                          const char *signature, int64_t now, int64_t window, char *err,
                          size_t errcap) {
    if (!timestamp || !nonce || !signature) {
        snprintf(err, errcap, "missing header %s",
                 !timestamp ? "x-tif-timestamp"
                 : !nonce   ? "x-tif-nonce"
                            : "x-tif-signature");
        return -1;
    }
    char *end;
    long long ts = strtoll(timestamp, &end, 10);
    if (end == timestamp || *end) {
        snprintf(err, errcap, "x-tif-timestamp '%.40s' is not Unix seconds", timestamp);
        return -1;
    }
    if (ts < now - window || ts > now + window) {
        snprintf(err, errcap, "x-tif-timestamp %lld is more than %lld s from the server's time", ts,
                 (long long)window);
        return -1;
    }
    size_t lt = strlen(timestamp), ls = strlen(secret), ln = strlen(nonce);
    char *msg = malloc(2 * lt + ls + ln + 1);
    if (!msg) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    memcpy(msg, timestamp, lt);
    memcpy(msg + lt, secret, ls);
    memcpy(msg + lt + ls, nonce, ln);
    memcpy(msg + lt + ls + ln, timestamp, lt);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    int ok = EVP_Digest(msg, 2 * lt + ls + ln, md, &mdlen, EVP_sha256(), NULL);
    OPENSSL_cleanse(msg, 2 * lt + ls + ln);
    free(msg);
    char want[2 * EVP_MAX_MD_SIZE + 1], got[2 * EVP_MAX_MD_SIZE + 1];
    if (!ok || strlen(signature) != 2 * (size_t)mdlen) {
        snprintf(err, errcap, "x-tif-signature does not match");
        return -1;
    }
    hex(md, mdlen, want);
    for (size_t i = 0; i <= 2 * (size_t)mdlen; i++)
        got[i] =
            (char)(signature[i] >= 'A' && signature[i] <= 'F' ? signature[i] + 32 : signature[i]);
    if (CRYPTO_memcmp(want, got, 2 * (size_t)mdlen) != 0) {
        snprintf(err, errcap, "x-tif-signature does not match");
        return -1;
    }
    return 0;
}

const char *nhsa_sev_deg(const arb_finding *f) {
    if (strcmp(f->nature, "definite") == 0) return "1";
    return strcmp(f->severity, "high") == 0 ? "2" : "3";
}

/* yyyyMMddHHmmssSSS of ms since 1970, local time. */
static void stamp17(int64_t ms, char out[18]) {
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    size_t n = strftime(out, 15, "%Y%m%d%H%M%S", &tm);
    snprintf(out + n, 18 - n, "%03d", (int)(ms % 1000));
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void put_str(json_object *o, const char *k, const char *v) {
    json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

int nhsa_answer_init(NhsaAnswer *a, const char *admdvs, uint64_t serial, int64_t arrived_ms) {
    a->root = json_object_new_object();
    a->result = json_object_new_array();
    json_object *output = json_object_new_object();
    if (!a->root || !a->result || !output) {
        json_object_put(a->root);
        json_object_put(a->result);
        json_object_put(output);
        a->root = a->result = NULL;
        return -1;
    }
    char arrived[18], now[18], ref[40], dv[7];
    stamp17(arrived_ms, arrived);
    stamp17(now_ms(), now);
    size_t dl = admdvs ? strlen(admdvs) : 0;
    snprintf(dv, sizeof dv, "%s", dl == 6 ? admdvs : "000000");
    snprintf(ref, sizeof ref, "%s%.14s%010llu", dv, now,
             (unsigned long long)(serial % 10000000000ULL));
    json_object_object_add(a->root, "infcode", json_object_new_int(0));
    put_str(a->root, "inf_refmsgid", ref);
    put_str(a->root, "refmsg_time", arrived);
    put_str(a->root, "respond_time", now);
    put_str(a->root, "err_msg", "");
    json_object_object_add(output, "result", json_object_get(a->result));
    json_object_object_add(a->root, "output", output);
    return 0;
}

/* Money in cents as a JSON number with two decimals ("12.30"). */
static json_object *money(int64_t cents) {
    char text[32];
    uint64_t m = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
    snprintf(text, sizeof text, "%s%llu.%02llu", cents < 0 ? "-" : "",
             (unsigned long long)(m / 100), (unsigned long long)(m % 100));
    return json_object_new_double_s((double)cents / 100.0, text);
}

static void civil_date(int64_t secs, char out[11]) {
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    if (!strftime(out, 11, "%Y-%m-%d", &tm)) out[0] = 0;
}

void nhsa_answer_finding(NhsaAnswer *a, const arb_input_finding *in, const char *task_id) {
    const arb_finding *f = in->finding;
    json_object *o = json_object_new_object();
    if (!o) return;
    /* the finding's stable id (arb_finding.finding_id): the encounter, the
     * rule and the flagged order (or line), the same in every answer */
    const char *jr = f->finding_id ? f->finding_id : "";
    put_str(o, "jr_id", jr);
    put_str(o, "rule_id", f->rule_id);
    put_str(o, "rule_name", f->rule_title[0] ? f->rule_title : f->category_title);
    put_str(o, "vola_cont", f->message);
    put_str(o, "patn_id", in->person_id);
    put_str(o, "mdtrt_id", f->claim_id);
    json_object *details = json_object_new_array();
    if (f->line_no >= 0 && details) {
        json_object *d = json_object_new_object();
        char jrd[48];
        snprintf(jrd, sizeof jrd, "%s-1", jr);
        put_str(d, "jrd_id", jrd);
        put_str(d, "patn_id", in->person_id);
        put_str(d, "mdtrt_id", f->claim_id);
        put_str(d, "rx_id", in->order_no);
        put_str(d, "vola_item_type", "1");
        json_object_object_add(d, "vola_amt", money(f->amount_cents));
        json_object_array_add(details, d);
    }
    json_object_object_add(o, "judge_result_detail_dtos", details);
    json_object_object_add(o, "vola_amt", money(f->amount_cents));
    put_str(o, "vola_amt_stas", "1");
    put_str(o, "sev_deg", nhsa_sev_deg(f));
    /* the basis: the category (national name and code) and the earlier
     * encounters a history rule read */
    char evid[1024];
    int k = snprintf(
        evid, sizeof evid, "%s%s%s%s", f->category_title[0] ? f->category_title : f->category,
        f->category_code[0] ? "（" : "", f->category_code, f->category_code[0] ? "）" : "");
    for (size_t i = 0; i < f->nevidence && k > 0 && (size_t)k < sizeof evid - 64; i++) {
        char d[11];
        civil_date(f->evidence[i].settle_time, d);
        k += snprintf(evid + k, sizeof evid - (size_t)k, "%s%.40s（%s）",
                      i == 0 ? "；相关就诊：" : "、", f->evidence[i].claim_id, d);
    }
    put_str(o, "vola_evid", evid);
    put_str(o, "vola_bhvr_type", f->line_no >= 0 ? "2" : "1");
    put_str(o, "task_id", task_id);
    json_object_array_add(a->result, o);
}

void nhsa_answer_fail(NhsaAnswer *a, const char *err_msg) {
    json_object_object_add(a->root, "infcode", json_object_new_int(-1));
    put_str(a->root, "err_msg", err_msg);
    json_object_array_del_idx(a->result, 0, json_object_array_length(a->result));
}

const char *nhsa_answer_text(NhsaAnswer *a, size_t *len) {
    const char *s = json_object_to_json_string_length(
        a->root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);
    return s;
}

void nhsa_answer_free(NhsaAnswer *a) {
    json_object_put(a->root);
    json_object_put(a->result);
    a->root = a->result = NULL;
}

/* warns[i] checked (record == NULL) or turned into the record to store. */
static int one_warn(json_object *w, size_t i, const NhsaRequest *r, const char *warn_type,
                    const char *received, json_object **record, char *err, size_t errcap) {
    char b1[32], b2[32];
    const char *id = text_of(w, "warn_rslt_id", b1, sizeof b1);
    if (!json_object_is_type(w, json_type_object)) {
        snprintf(err, errcap, "input.data.warns[%zu]: not an object", i);
        return -1;
    }
    if (!id || !*id) {
        snprintf(err, errcap,
                 "input.data.warns[%zu].warn_rslt_id: missing (the jr_id of a finding)", i);
        return -1;
    }
    const char *way = text_of(w, "dspo_way", b2, sizeof b2);
    if (!way || (strcmp(way, "1") != 0 && strcmp(way, "2") != 0)) {
        snprintf(err, errcap,
                 "input.data.warns[%zu].dspo_way: %s%s%s is not 1 (继续执行医嘱) or 2 "
                 "(返回修改医嘱)",
                 i, way ? "'" : "", way ? way : "missing", way ? "'" : "");
        return -1;
    }
    if (!record) return 0;
    char b3[32];
    const char *why = text_of(w, "dspo_way_rea", b3, sizeof b3);
    json_object *o = json_object_new_object();
    put_str(o, "jr_id", id);
    put_str(o, "dspo_way", way);
    put_str(o, "dspo_way_rea", why);
    put_str(o, "warn_type", warn_type);
    put_str(o, "msgid", r->msgid);
    char b4[32], b5[32];
    put_str(o, "fixmedins_code", text_of(r->root, "fixmedins_code", b4, sizeof b4));
    put_str(o, "opter", text_of(r->root, "opter", b5, sizeof b5));
    put_str(o, "received", received);
    *record = o;
    return 0;
}

int nhsa_feedback_each(const NhsaRequest *r, const char *received,
                       int (*fn)(void *ud, const char *json, size_t len, char *err, size_t errcap),
                       void *ud, char *err, size_t errcap) {
    json_object *data = member(member(r->root, "input"), "data");
    if (!data || !json_object_is_type(data, json_type_object)) {
        snprintf(err, errcap, "input.data: missing (a 3103 request carries warn_type and warns)");
        return -1;
    }
    char tb[32];
    const char *warn_type = text_of(data, "warn_type", tb, sizeof tb);
    json_object *warns = member(data, "warns");
    size_t n = !warns                                        ? 0
               : json_object_is_type(warns, json_type_array) ? json_object_array_length(warns)
                                                             : 1;
    if (n == 0) {
        snprintf(err, errcap, "input.data.warns: missing or empty (one element per finding)");
        return -1;
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            json_object *w = json_object_is_type(warns, json_type_array)
                                 ? json_object_array_get_idx(warns, i)
                                 : warns;
            json_object *rec = NULL;
            if (one_warn(w, i, r, warn_type, received, pass ? &rec : NULL, err, errcap)) return -1;
            if (!pass) continue;
            size_t len;
            const char *text = json_object_to_json_string_length(
                rec, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
            int rc = fn(ud, text, len, err, errcap);
            json_object_put(rec);
            if (rc) return -1;
        }
    return (int)n;
}
