/*
 * scheduler.c: the background thread of `jifen serve` (see scheduler.h). It
 * sleeps on a condition variable against the monotonic clock, so a stop wakes
 * it at once and a change of the wall clock does not.
 */
#include "core/scheduler.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "core/notices.h"
#include "util/log.h"
#include "util/timeutil.h"

struct scheduler {
	store *st;
	int interval_s;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping; /* guarded by lock */
};

void scheduler_run_once(store *st)
{
	core_err err;
	int confirmed = 0;
	if (notices_confirm_due(st, time_now(), &confirmed, &err) != CORE_OK)
		log_warn("confirming notices: %s", err.en);
	if (confirmed)
		log_info("confirmed %d monthly notice%s whose window had closed", confirmed,
		         confirmed == 1 ? "" : "s");
}

static void *run(void *arg)
{
	scheduler *s = arg;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += s->interval_s;
		while (!s->stopping) {
			if (pthread_cond_timedwait(&s->wake, &s->lock, &until) != 0)
				break; /* timed out: time for a pass */
		}
		if (s->stopping)
			break;
		pthread_mutex_unlock(&s->lock);
		scheduler_run_once(s->st);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	store_thread_done(s->st);
	return NULL;
}

scheduler *scheduler_start(store *st, int interval_s)
{
	scheduler_run_once(st);
	scheduler *s = calloc(1, sizeof(*s));
	if (!s) {
		log_error("scheduler: out of memory");
		return NULL;
	}
	s->st = st;
	s->interval_s = interval_s < 1 ? 1 : interval_s;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&s->thread, NULL, run, s) != 0) {
		log_error("scheduler: cannot start its thread");
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	return s;
}

void scheduler_stop(scheduler *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
