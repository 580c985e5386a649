/* reload.h: loading a new policy while the old one keeps answering. The load
 * runs on a thread of its own, started with the daemon (the policy library is
 * pure and shares nothing);
 * the loop swaps the policy in when it is complete and valid, all or nothing. */
#pragma once

struct manager;
struct conn;
struct reload;

int reload_new(struct manager *m, struct reload **ret);

/* Waits for a running load to end. Accepts NULL. */
void reload_free(struct reload *r);

/* Starts a reload, or, while one runs, queues another that starts when it ends
 * (so the files as they are after the request are what gets loaded). waiter,
 * if not NULL, is a connection whose Reload call gets the result as its reply.
 * Returns 0 or negative errno. */
int reload_request(struct reload *r, struct conn *waiter);

/* A waiting connection is going away: it gets no reply. */
void reload_forget(struct reload *r, struct conn *c);
