/* gen.h — the synthetic claim generator behind `arbiter gen claims`.
 *
 * Writes deterministic, realistic, entirely synthetic medical-insurance
 * claims in the canonical schema (stdlib-rules/schema.rules) as JSON Lines or
 * as four CSV files, with natural anomalies injected at known low rates so
 * that audit rules have something to find.  The same options give the same
 * bytes on every machine: the generator has its own PRNG and uses no clock,
 * locale or floating point.  Memory stays flat in the number of claims.
 *
 * The item catalog, the diagnosis list and the anomaly kinds are exposed so
 * that tests, examples and rule tables can be written from the real codes and
 * restriction parameters the generator uses.  See docs/claims-generator.md.
 *
 * Not part of libarbiter's API: the CLI links it (arbiter_synth, with the
 * reference library, library.h); cli/main.c parses `gen claims`' arguments. */
#ifndef ARB_GEN_H
#define ARB_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The anomaly kinds injected into otherwise clean claims.  Each is injected
 * into an eligible claim with probability permille/1000, at most once per
 * claim; an injection breaks that one restriction and no other. */
typedef enum GenAnomalyKind {
    GEN_AN_SEX_DRUG,           /* a drug limited to one sex given to the other */
    GEN_AN_SEX_SERVICE,        /* a service limited to one sex billed for the other */
    GEN_AN_CHILD_DRUG,         /* a children's drug (age_under) given to an adult */
    GEN_AN_CHILD_SERVICE,      /* a children's service (age_under) billed for an adult */
    GEN_AN_MIN_AGE,            /* an item with a minimum age given to a younger child */
    GEN_AN_INSURANCE,          /* a work-injury- or maternity-only item under another insurance */
    GEN_AN_FACILITY_LEVEL,     /* an item needing facility level >= 2/3 billed at a lower level */
    GEN_AN_CARE_TYPE,          /* an inpatient-only item on a non-inpatient claim */
    GEN_AN_DEPT,               /* an item restricted to one department billed by another */
    GEN_AN_PER_DAY,            /* more units of an item on one day than max_per_day */
    GEN_AN_PRICE_CEILING,      /* a service line priced above its price ceiling */
    GEN_AN_PAIR_SAME_DAY,      /* two services that exclude each other billed the same day */
    GEN_AN_SERVICE_CONSUMABLE, /* a consumable billed with the service that includes it */
    GEN_AN_DAYS_SUPPLY,        /* a drug line with days_supply above max_days_supply */
    GEN_AN_OUTSIDE_STAY,       /* an inpatient line dated outside the admit-discharge window */
    GEN_AN_DIAG_SEX,           /* a diagnosis inconsistent with the patient's sex */
    GEN_AN_DIAG_AGE,           /* a diagnosis inconsistent with the patient's age */
    GEN_AN_READMISSION,        /* the same person re-admitted 1-15 days after a discharge */
    GEN_AN__COUNT
} GenAnomalyKind;

typedef struct GenAnomaly {
    const char *name;     /* e.g. "sex_drug" */
    const char *what;     /* one line of description */
    const char *eligible; /* which claims can receive it */
    unsigned permille;    /* injection probability per eligible claim, in 1/1000 */
} GenAnomaly;

/* Optional counters, filled when GenOptions.stats is not NULL. */
typedef struct GenStats {
    uint64_t claims, lines, persons;
    uint64_t by_care[5]; /* outpatient, chronic_outpatient, inpatient, pharmacy, internet */
    uint64_t eligible[GEN_AN__COUNT]; /* claims that could have received each anomaly */
    uint64_t injected[GEN_AN__COUNT]; /* claims that received it */
} GenStats;

typedef struct GenOptions {
    uint64_t n; /* number of claims */
    uint64_t seed;
    uint64_t first_id; /* claim ids start here (0 means the default, 1) */
    GenStats *stats;   /* optional: counters (zeroed and filled), or NULL */
} GenOptions;

/* Writes n claims as JSON Lines (one claim object per line) to out.
 * Returns 0, or -1 on a write or allocation error (errno set). */
int gen_claims_jsonl(FILE *out, const GenOptions *o);

/* Writes claims.csv, lines.csv, diagnoses.csv, procedures.csv into dir (which
 * exists).  Child files have a claim_id column first.  Returns 0 or -1
 * (errno set). */
int gen_claims_csv(const char *dir, const GenOptions *o);

/* One item of the catalog the generator draws from.  Restriction fields are 0
 * or NULL when the item has no such restriction; every line the generator
 * writes respects them except where an anomaly was injected on purpose. */
typedef struct GenItem {
    const char *code; /* national code: drugs X... (23) / Z... (20), herbs T... (10),
                         services 15 digits (bed fees start 001109), consumables C... (20) */
    const char *name;
    const char *kind;    /* "drug" "herb" "service" "consumable" */
    int64_t price_cents; /* unit price (services: the level-3 price; level 2 bills 92%,
                            level 1 85%, rounded down to 10 cents) */
    const char *unit;    /* 盒 支 次 日 小时 g ... */

    /* restrictions */
    char sex_only;               /* 'M' or 'F': only for patients of that sex */
    uint8_t min_age;             /* only for patients aged >= min_age (years) */
    uint8_t age_under;           /* only for patients aged < age_under (years) */
    const char *only_insurance;  /* "work_injury" or "maternity" */
    const char *only_care;       /* "inpatient": only on inpatient claims */
    uint8_t min_facility_level;  /* 2 or 3: only at facilities of at least that level */
    const char *dept_only;       /* only billed by this department */
    uint8_t max_per_day;         /* at most this many units per claim and day */
    int64_t price_ceiling_cents; /* unit price must not exceed this (services) */
    uint16_t max_days_supply;    /* days_supply of one line must not exceed this */
    const char *pair_code;       /* not billable with the item of this code on the same
                                    day (each pair is listed once, on one side) */

    /* generator defaults (drugs and herbs) */
    const char *dose, *frequency, *route;
    uint16_t pack_days;  /* days one unit lasts (a box of 28 tablets qd: 28) */
    uint8_t daily_units; /* units used per day when pack_days is 1 */
    uint8_t cls;         /* internal: the therapeutic / service class */
} GenItem;

/* The item catalog (about 340 items) in a fixed order. */
const GenItem *gen_catalog(size_t *count);
/* The catalog item with this code, or NULL. */
const GenItem *gen_item_by_code(const char *code);

/* One diagnosis of the generator's list (national clinical ICD-10 style).
 * The hard limits are the ones the diagnosis anomalies break. */
typedef struct GenDiag {
    const char *code; /* e.g. "I10.x00" */
    const char *name;
    const char *dept;  /* the department that usually treats it */
    char sex_only;     /* 'M' or 'F', or 0 */
    uint8_t min_age;   /* patient age must be >= min_age, 0 = none */
    uint8_t age_under; /* patient age must be < age_under, 0 = none */
} GenDiag;

const GenDiag *gen_diagnoses(size_t *count);

/* The anomaly kinds, indexed by GenAnomalyKind. */
const GenAnomaly *gen_anomalies(size_t *count);

#endif
