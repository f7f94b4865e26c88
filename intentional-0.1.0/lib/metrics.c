#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "log.h"
#include "metrics.h"

#define METRICS_MAGIC 0x494e544dU	/* "INTM" */
#define METRICS_VERSION 1

static const int status_codes[] = {
	200, 201, 204, 302, 304, 307, 400, 401, 403, 404, 405, 409, 413,
	415, 422, 429, 500, 502, 503, 507, 0 /* any other */
};
#define NSTATUS (sizeof(status_codes) / sizeof(status_codes[0]))

static const double buckets[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5
};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct route_counters {
	uint64_t by_status[NSTATUS];
	uint64_t le[NBUCKETS];		/* cumulative at render time */
	uint64_t count;
	uint64_t sum_us;
};

struct shared {
	uint32_t magic, version, nroutes, nstatus, nbuckets, pad;
	uint64_t db_errors;
	struct route_counters routes[];
};

static struct shared *shm;
static size_t shm_size;
static const char *const *route_labels;
static int nlabels;

static size_t size_for(int nroutes)
{
	return sizeof(struct shared) +
	       (size_t)(nroutes + 1) * sizeof(struct route_counters);
}

static int layout_matches(const struct shared *s, int nroutes)
{
	return s->magic == METRICS_MAGIC && s->version == METRICS_VERSION &&
	       s->nroutes == (uint32_t)nroutes && s->nstatus == NSTATUS &&
	       s->nbuckets == NBUCKETS;
}

/*
 * Every responder maps the same file.  The first one finds zeroes and writes
 * the header; the others find the same header.  A file left by a build with
 * another route table is not misread: that process counts privately.
 */
static struct shared *map_file(const char *path, size_t size, int nroutes)
{
	struct stat st;
	struct shared *s;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || ((size_t)st.st_size < size &&
				    ftruncate(fd, (off_t)size) < 0)) {
		close(fd);
		return NULL;
	}
	s = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (s == MAP_FAILED)
		return NULL;
	if (s->magic == 0) {
		s->version = METRICS_VERSION;
		s->nroutes = (uint32_t)nroutes;
		s->nstatus = NSTATUS;
		s->nbuckets = NBUCKETS;
		__atomic_store_n(&s->magic, METRICS_MAGIC, __ATOMIC_RELEASE);
	}
	if (!layout_matches(s, nroutes)) {
		munmap(s, size);
		return NULL;
	}
	return s;
}

int metrics_open(const char *path, const char *const *labels, int nroutes)
{
	route_labels = labels;
	nlabels = nroutes;
	shm_size = size_for(nroutes);
	if (path != NULL && *path != '\0') {
		shm = map_file(path, shm_size, nroutes);
		if (shm != NULL)
			return 0;
		log_error("could not map metrics file %s; counting per process",
			  path);
	}
	shm = mmap(NULL, shm_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED) {
		shm = NULL;
		return -1;
	}
	shm->magic = METRICS_MAGIC;
	return 0;
}

void metrics_close(void)
{
	if (shm != NULL)
		munmap(shm, shm_size);
	shm = NULL;
}

static void add(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static uint64_t get(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

static size_t status_slot(int status)
{
	size_t i;

	for (i = 0; i + 1 < NSTATUS; i++)
		if (status_codes[i] == status)
			return i;
	return NSTATUS - 1;
}

void metrics_observe(int route, int status, double seconds)
{
	struct route_counters *c;
	size_t b;

	if (shm == NULL)
		return;
	if (route < 0 || route > nlabels)
		route = nlabels;
	c = &shm->routes[route];
	add(&c->by_status[status_slot(status)], 1);
	for (b = 0; b < NBUCKETS && seconds > buckets[b]; b++)
		;
	if (b < NBUCKETS)
		add(&c->le[b], 1);
	add(&c->count, 1);
	add(&c->sum_us, (uint64_t)(seconds * 1e6));
}

void metrics_db_errors(unsigned long delta)
{
	if (shm != NULL && delta > 0)
		add(&shm->db_errors, delta);
}

/* Splits "GET /feed" into the method and handler labels. */
static void label_parts(int route, char *method, size_t msize,
			const char **handler)
{
	const char *label = route < nlabels ? route_labels[route] : "ANY unmatched";
	const char *sp = strchr(label, ' ');
	size_t n = sp ? (size_t)(sp - label) : 0;

	if (n >= msize)
		n = msize - 1;
	memcpy(method, label, n);
	method[n] = '\0';
	*handler = sp ? sp + 1 : label;
}

static void render_counts(FILE *f, int route)
{
	const struct route_counters *c = &shm->routes[route];
	char method[16];
	const char *handler;
	size_t i;

	label_parts(route, method, sizeof(method), &handler);
	for (i = 0; i < NSTATUS; i++)
		if (get(&c->by_status[i]) > 0)
			fprintf(f, "http_requests_total{handler=\"%s\",method=\"%s\","
				"status=\"%d\"} %llu\n", handler, method,
				status_codes[i],
				(unsigned long long)get(&c->by_status[i]));
}

static void render_histogram(FILE *f, int route)
{
	const struct route_counters *c = &shm->routes[route];
	char method[16];
	const char *handler;
	uint64_t cumulative = 0, count = get(&c->count);
	size_t i;

	if (count == 0)
		return;
	label_parts(route, method, sizeof(method), &handler);
	for (i = 0; i < NBUCKETS; i++) {
		cumulative += get(&c->le[i]);
		fprintf(f, "http_request_duration_seconds_bucket{handler=\"%s\","
			"method=\"%s\",le=\"%g\"} %llu\n", handler, method,
			buckets[i], (unsigned long long)cumulative);
	}
	fprintf(f, "http_request_duration_seconds_bucket{handler=\"%s\","
		"method=\"%s\",le=\"+Inf\"} %llu\n", handler, method,
		(unsigned long long)count);
	fprintf(f, "http_request_duration_seconds_sum{handler=\"%s\",method=\"%s\"}"
		" %.6f\n", handler, method, (double)get(&c->sum_us) / 1e6);
	fprintf(f, "http_request_duration_seconds_count{handler=\"%s\","
		"method=\"%s\"} %llu\n", handler, method,
		(unsigned long long)count);
}

const char *metrics_render(struct arena *a)
{
	char *text = NULL;
	size_t len = 0;
	const char *out;
	FILE *f = open_memstream(&text, &len);
	int r;

	if (f == NULL || shm == NULL) {
		if (f != NULL)
			fclose(f);
		free(text);
		return "";
	}
	fputs("# HELP http_requests_total Requests by route, method and status.\n"
	      "# TYPE http_requests_total counter\n", f);
	for (r = 0; r <= nlabels; r++)
		render_counts(f, r);
	fputs("# HELP http_request_duration_seconds Time to answer, by route.\n"
	      "# TYPE http_request_duration_seconds histogram\n", f);
	for (r = 0; r <= nlabels; r++)
		render_histogram(f, r);
	fprintf(f, "# HELP db_errors_total Failed database statements and "
		"connections.\n# TYPE db_errors_total counter\ndb_errors_total %llu\n",
		(unsigned long long)get(&shm->db_errors));
	fclose(f);
	out = arena_strndup(a, text, len);
	free(text);
	return out;
}
