/*
 * Request metrics shared by all responders of one service.  Counters live in
 * a small file mapped by every responder (METRICS_FILE) and are updated with
 * atomic adds, so whichever responder answers a scrape reports the totals
 * of all of them.  Without METRICS_FILE each process counts alone.
 */
#ifndef METRICS_H
#define METRICS_H

struct arena;

/* nroutes labels (e.g. "GET /feed"); index nroutes counts unmatched paths. */
int metrics_open(const char *path, const char *const *labels, int nroutes);
void metrics_close(void);

void metrics_observe(int route, int status, double seconds);
void metrics_db_errors(unsigned long delta);

/* Prometheus text exposition format 0.0.4. */
const char *metrics_render(struct arena *a);

#endif
