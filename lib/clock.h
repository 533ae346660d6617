/*
 * clock: the two clocks chiso uses.  Timers (resends, group-commit delays,
 * watchdog) use the monotonic clock, which never jumps when an office PC's
 * time is corrected; timestamps stored or shown use real time.
 */
#ifndef CHISO_CLOCK_H
#define CHISO_CLOCK_H

#include <stdint.h>

/* Milliseconds of the monotonic clock (for intervals only). */
int64_t clock_mono_ms(void);
/* Microseconds since 1970-01-01 UTC. */
int64_t clock_real_us(void);

#endif
