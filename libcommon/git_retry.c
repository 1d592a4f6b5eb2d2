/* git_retry.c: the retry loop of a push: attempts, deadline, backoff, log lines. */
#include "clock.h"
#include "git.h"
#include "log.h"

int
lc_git_retry(struct lc_git_retry *r, lc_git_attempt_fn attempt, void *arg)
{
	long long left, pause;
	int rc;

	for (r->attempt = 0;; r->attempt++) {
		if (r->attempt > 0) {
			left = r->deadline_ms ? r->start_ms + r->deadline_ms -
			    lc_clock_ms() : 1;
			if (left <= 0 || (r->max_attempts &&
			    r->attempt >= r->max_attempts))
				return 1;
			pause = lc_clock_backoff_ms(r->attempt - 1, r->base_ms,
			    r->cap_ms, 4);
			if (r->deadline_ms && pause > left)
				pause = left;
			lc_log_info("attempt %d: %s; %s in %lld ms", r->attempt,
			    lc_git_outcome_name(r->oc), r->again, pause);
			lc_clock_sleep_ms(pause);
		}
		if ((rc = attempt(arg, r->attempt, &r->oc)) <= 0)
			return rc;
		if (!lc_git_retryable(r->oc))
			return 1;
	}
}
