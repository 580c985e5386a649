/* record.h: the fields of a decision record (see ARCHITECTURE.md). */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "guard/policy.h"

struct manager;
struct peer;

#define RECORD_ID_LEN 32 /* hex characters */
#define RECORD_TS_LEN 27 /* 2026-11-25T08:46:03.123456Z */

/* A fresh unguessable id: later calls (approvals) refer to decisions by it. */
int record_new_id(char ret[RECORD_ID_LEN + 1]);

/* Now as RFC 3339 UTC with microseconds. */
void record_timestamp(char ret[RECORD_TS_LEN + 1]);

struct record_request {
	json_t *argv; /* borrowed */
	const char *program;
	const char *cwd;
	const char *tty;
	bool check;
};

/* The decision record as a new JSON object, or NULL when out of memory. */
json_t *record_decision(const struct manager *m, const struct peer *peer, const char *id,
			const struct record_request *req, const struct policy_decision *d);
