/*
 * scheduler.h: the background work of `jifen serve` that no request triggers.
 * Today that is one job: confirming the monthly notices whose window has closed
 * (notices_confirm_due). It runs once when the server starts — the catch-up
 * after downtime, before the first request is served — and then every
 * interval seconds on a thread of its own, until the server stops.
 *
 * Several `jifen serve` nodes on one database may each run it: a confirmation
 * re-reads the notice inside its transaction, so it happens once.
 */
#ifndef JF_SCHEDULER_H
#define JF_SCHEDULER_H
#include "core/core.h"

typedef struct scheduler scheduler;

/* Runs the jobs once on the calling thread, then starts the thread that runs
 * them every interval_s seconds (at least 1). Returns NULL (logged) if the
 * thread cannot start; the first pass has run all the same. */
scheduler *scheduler_start(store *st, int interval_s);
/* Stops the thread — a pass in progress finishes first — and frees s. The
 * store stays open. NULL does nothing. */
void scheduler_stop(scheduler *s);
/* One pass of every job now (the start-up catch-up; tests). */
void scheduler_run_once(store *st);

#endif
