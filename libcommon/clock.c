/* clock.c: the monotonic clock, sleeping, and the backoff between retries. */
#include <errno.h>
#include <time.h>

#include "clock.h"
#include "random.h"

long long
lc_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
lc_clock_sleep_ms(long long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

long long
lc_clock_backoff_ms(int k, long long base, long long cap, int factor)
{
	unsigned long long r = 0;
	long long ceil = base;

	while (k-- > 0 && ceil < cap)
		ceil *= factor;
	if (ceil > cap)
		ceil = cap;
	if (ceil <= 0)
		return 0;
	lc_random(&r, sizeof(r));
	return (long long)(r % (unsigned long long)ceil);
}
