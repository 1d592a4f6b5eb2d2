/* clock.h: the monotonic clock, sleeping, and the backoff between retries. */
#ifndef LC_CLOCK_H
#define LC_CLOCK_H

/* Milliseconds on the monotonic clock (for deadlines, not dates). */
long long lc_clock_ms(void);
/* Sleep ms milliseconds (all of them, through signals); <= 0: none. */
void lc_clock_sleep_ms(long long ms);

/*
 * Full-jitter backoff after the k-th failure (k from 0): milliseconds
 * uniform in [0, min(cap, base * factor^k)), from getrandom(), not from
 * the clock or pid (CI jobs start together).
 */
long long lc_clock_backoff_ms(int k, long long base, long long cap,
    int factor);

#endif
