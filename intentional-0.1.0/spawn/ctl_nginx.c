/*
 * intentionalctl nginx: renders the production nginx configuration
 * (nginx/intentional.conf.in) for this host's names, certificates and
 * responders, with the CORS allow-lists and MEDIA_DIR of the env file, so
 * that nginx and the responders never disagree about them (and about
 * MEDIA_ACCEL_PREFIX, the internal location of the media).
 *
 * Every value that lands in the configuration is checked against a strict
 * character set first: a name or path with ';', '{' or a space would
 * otherwise add directives of its own.
 */
#define _GNU_SOURCE		/* open_memstream */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "ctl.h"

#define MAX_ADDRS 16

struct nginx_opts {
	const char *server_name, *mod_server_name;
	const char *cert_dir, *mod_cert_dir;
	const char *upstream[MAX_ADDRS], *mod_upstream[MAX_ADDRS];
	int nupstream, nmod_upstream;
	const char *metrics_allow[MAX_ADDRS];
	int nmetrics_allow;
	const char *listen;
	long http_port, https_port, metrics_port;
	const char *acme_root, *template, *snippets, *out;
};

static void usage(FILE *f)
{
	fputs("usage: intentionalctl nginx --server-name NAME [OPTIONS]\n"
	      "  Prints (or writes with --out) the nginx configuration of this\n"
	      "  host: TLS with certbot's certificates, HTTP/2, gzip, security\n"
	      "  headers, CORS pre-flights for CORS_ORIGINS and\n"
	      "  OBSERVABILITY_CORS_ORIGINS, rate limits on the auth routes, body\n"
	      "  limits, MEDIA_DIR, and /metrics for loopback on --metrics-port.\n"
	      "  Put it in /etc/nginx/conf.d/, then: nginx -t && systemctl reload nginx\n"
	      "  --server-name NAME             the API's host name (required)\n"
	      "  --moderation-server-name NAME  default moderation.NAME\n"
	      "  --cert-dir DIR                 default /etc/letsencrypt/live/NAME\n"
	      "  --moderation-cert-dir DIR      likewise for the moderation name\n"
	      "  --upstream ADDR                a main-service responder address,\n"
	      "                                 host:port or unix:PATH (repeatable;\n"
	      "                                 default unix:/run/intentional/main.sock)\n"
	      "  --moderation-upstream ADDR     likewise (default\n"
	      "                                 unix:/run/intentional/moderation.sock)\n"
	      "  --metrics-allow CIDR           may also read /metrics (repeatable)\n"
	      "  --metrics-port N               loopback metrics port of the main\n"
	      "                                 service, the next one moderation's\n"
	      "                                 (default 9180)\n"
	      "  --listen ADDR                  listen on ADDR only (default: all,\n"
	      "                                 IPv4 and IPv6)\n"
	      "  --http-port N, --https-port N  default 80 and 443\n"
	      "  --acme-root DIR                certbot --webroot dir (/var/www/html)\n"
	      "  --template FILE, --snippets DIR  default " PKGDATADIR "/nginx/\n"
	      "  --out FILE                     write FILE instead of stdout\n", f);
}

/* Host names, paths, addresses: letters, digits and . - _ / : [ ] only. */
static int safe_word(const char *what, const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			  "0123456789.-_/:[]");

	if (*s != '\0' && s[n] == '\0')
		return 0;
	ctl_error("nginx", "%s '%s' may hold only letters, digits and . - _ / : [ ]",
		  what, s);
	return -1;
}

static int add_addr(const char **list, int *n, const char *what, const char *v)
{
	if (*n == MAX_ADDRS) {
		ctl_error("nginx", "at most %d of %s", MAX_ADDRS, what);
		return -1;
	}
	if (safe_word(what, v) < 0)
		return -1;
	list[(*n)++] = v;
	return 0;
}

static int port_arg(const char *what, const char *v, long *out)
{
	char *end;
	long p = strtol(v, &end, 10);

	if (*v == '\0' || *end != '\0' || p < 1 || p > 65534) {
		ctl_error("nginx", "%s wants a port number, got '%s'", what, v);
		return -1;
	}
	*out = p;
	return 0;
}

enum { O_MOD_NAME = 256, O_CERT, O_MOD_CERT, O_UP, O_MOD_UP, O_ALLOW,
       O_MPORT, O_LISTEN, O_HTTP, O_HTTPS, O_ACME, O_TEMPLATE, O_SNIPPETS,
       O_OUT };

static int parse(int argc, char **argv, struct nginx_opts *o)
{
	static const struct option longopts[] = {
		{ "server-name", required_argument, NULL, 'n' },
		{ "moderation-server-name", required_argument, NULL, O_MOD_NAME },
		{ "cert-dir", required_argument, NULL, O_CERT },
		{ "moderation-cert-dir", required_argument, NULL, O_MOD_CERT },
		{ "upstream", required_argument, NULL, O_UP },
		{ "moderation-upstream", required_argument, NULL, O_MOD_UP },
		{ "metrics-allow", required_argument, NULL, O_ALLOW },
		{ "metrics-port", required_argument, NULL, O_MPORT },
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "http-port", required_argument, NULL, O_HTTP },
		{ "https-port", required_argument, NULL, O_HTTPS },
		{ "acme-root", required_argument, NULL, O_ACME },
		{ "template", required_argument, NULL, O_TEMPLATE },
		{ "snippets", required_argument, NULL, O_SNIPPETS },
		{ "out", required_argument, NULL, O_OUT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, r = 0;

	while (r == 0 && (c = getopt_long(argc, argv, "n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': o->server_name = optarg; break;
		case O_MOD_NAME: o->mod_server_name = optarg; break;
		case O_CERT: o->cert_dir = optarg; break;
		case O_MOD_CERT: o->mod_cert_dir = optarg; break;
		case O_UP:
			r = add_addr(o->upstream, &o->nupstream, "--upstream", optarg);
			break;
		case O_MOD_UP:
			r = add_addr(o->mod_upstream, &o->nmod_upstream,
				     "--moderation-upstream", optarg);
			break;
		case O_ALLOW:
			r = add_addr(o->metrics_allow, &o->nmetrics_allow,
				     "--metrics-allow", optarg);
			break;
		case O_MPORT: r = port_arg("--metrics-port", optarg, &o->metrics_port); break;
		case O_LISTEN: o->listen = optarg; break;
		case O_HTTP: r = port_arg("--http-port", optarg, &o->http_port); break;
		case O_HTTPS: r = port_arg("--https-port", optarg, &o->https_port); break;
		case O_ACME: o->acme_root = optarg; break;
		case O_TEMPLATE: o->template = optarg; break;
		case O_SNIPPETS: o->snippets = optarg; break;
		case O_OUT: o->out = optarg; break;
		case 'h': usage(stdout); exit(CTL_OK);
		default: usage(stderr); return -1;
		}
	}
	if (r < 0 || optind != argc || o->server_name == NULL) {
		if (r == 0)
			usage(stderr);
		return -1;
	}
	return 0;
}

/* ---- the values of the placeholders ---- */

struct subst {
	const char *name;
	const char *value;
};

/* The text of a memory stream, moved into the arena (fclose() sets
 * *text and *len). */
static char *close_stream(struct arena *a, FILE *f, char **text, size_t *len)
{
	char *out;

	fclose(f);
	out = arena_strndup(a, *text, *len);
	free(*text);
	return out;
}

static FILE *open_stream(char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);

	if (f == NULL)
		abort();
	return f;
}

/* Each item between prefix and suffix, one per line. */
static char *each_line(struct arena *a, const char *prefix,
		       const char *const *items, int n, const char *suffix)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_stream(&text, &len);
	int i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s%s%s\n", prefix, items[i], suffix);
	return close_stream(a, f, &text, &len);
}

/* The lines of an upstream block: the addresses given, else the default. */
static char *upstream_lines(struct arena *a, const char *const *addrs, int n,
			    const char *def)
{
	return n > 0 ? each_line(a, "    server ", addrs, n, ";")
		     : each_line(a, "    server ", &def, 1, ";");
}

/*
 * Map entries for the origins of a CORS_ORIGINS-style list.  An origin is
 * scheme://host[:port] exactly as browsers send it; other entries (the
 * original's default list has one with a trailing slash) can never match
 * and are skipped with a note.
 */
static char *origin_lines(struct arena *a, const char *list)
{
	char *text = NULL, *copy = arena_strdup(a, list), *save = NULL, *item;
	size_t len = 0;
	FILE *f = open_stream(&text, &len);

	for (item = strtok_r(copy, ",", &save); item != NULL;
	     item = strtok_r(NULL, ",", &save)) {
		const char *host;

		item += strspn(item, " \t");
		item[strcspn(item, " \t")] = '\0';
		host = strncmp(item, "https://", 8) == 0 ? item + 8
		     : strncmp(item, "http://", 7) == 0 ? item + 7 : NULL;
		if (host != NULL && *host != '\0' &&
		    host[strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"0123456789.-:")] == '\0')
			fprintf(f, "    \"%s\" 1;\n", item);
		else if (*item != '\0')
			fprintf(stderr, "intentionalctl: nginx: note: CORS origin '%s' "
				"can never match a browser's Origin; left out\n", item);
	}
	return close_stream(a, f, &text, &len);
}

static char *listen_v6(struct arena *a, const struct nginx_opts *o, long port,
		       const char *extra)
{
	return o->listen != NULL ? ""
		: arena_printf(a, "    listen [::]:%ld%s;\n", port, extra);
}

enum { S_TEMPLATE, S_SNIPPETS, S_SERVER_NAME, S_MOD_SERVER_NAME, S_CERT_DIR,
       S_MOD_CERT_DIR, S_UPSTREAM_MAIN, S_UPSTREAM_MOD, S_CORS_MAIN, S_CORS_MOD,
       S_METRICS_ALLOW, S_METRICS_PORT, S_MOD_METRICS_PORT, S_LISTEN,
       S_LISTEN_V6_HTTP, S_LISTEN_V6_HTTPS, S_HTTP_PORT, S_HTTPS_PORT,
       S_ACME_ROOT, S_MEDIA_DIR, S_MEDIA_ACCEL_PREFIX, NSUBST };

static void fill(struct arena *a, struct subst *s, const struct nginx_opts *o)
{
	static const char *const names[NSUBST] = {
		"TEMPLATE", "SNIPPETS", "SERVER_NAME", "MODERATION_SERVER_NAME",
		"CERT_DIR", "MODERATION_CERT_DIR", "UPSTREAM_MAIN",
		"UPSTREAM_MODERATION", "CORS_MAIN", "CORS_MODERATION",
		"METRICS_ALLOW", "METRICS_PORT", "MODERATION_METRICS_PORT",
		"LISTEN", "LISTEN_V6_HTTP", "LISTEN_V6_HTTPS", "HTTP_PORT",
		"HTTPS_PORT", "ACME_ROOT", "MEDIA_DIR", "MEDIA_ACCEL_PREFIX",
	};
	int i;

	for (i = 0; i < NSUBST; i++)
		s[i].name = names[i];
	s[S_TEMPLATE].value = o->template;
	s[S_SNIPPETS].value = o->snippets;
	s[S_SERVER_NAME].value = o->server_name;
	s[S_MOD_SERVER_NAME].value = o->mod_server_name;
	s[S_CERT_DIR].value = o->cert_dir;
	s[S_MOD_CERT_DIR].value = o->mod_cert_dir;
	s[S_UPSTREAM_MAIN].value = upstream_lines(a, o->upstream, o->nupstream,
		"unix:/run/intentional/main.sock");
	s[S_UPSTREAM_MOD].value = upstream_lines(a, o->mod_upstream,
		o->nmod_upstream, "unix:/run/intentional/moderation.sock");
	s[S_CORS_MAIN].value = origin_lines(a, cfg.cors_origins);
	s[S_CORS_MOD].value = origin_lines(a, cfg.moderation_cors_origins);
	s[S_METRICS_ALLOW].value = each_line(a, "        allow ", o->metrics_allow,
					      o->nmetrics_allow, ";");
	s[S_METRICS_PORT].value = arena_printf(a, "%ld", o->metrics_port);
	s[S_MOD_METRICS_PORT].value = arena_printf(a, "%ld", o->metrics_port + 1);
	s[S_LISTEN].value = o->listen != NULL ? arena_printf(a, "%s:", o->listen) : "";
	s[S_LISTEN_V6_HTTP].value = listen_v6(a, o, o->http_port, "");
	s[S_LISTEN_V6_HTTPS].value = listen_v6(a, o, o->https_port, " ssl http2");
	s[S_HTTP_PORT].value = arena_printf(a, "%ld", o->http_port);
	s[S_HTTPS_PORT].value = arena_printf(a, "%ld", o->https_port);
	s[S_ACME_ROOT].value = o->acme_root;
	s[S_MEDIA_DIR].value = cfg.media_dir;
	s[S_MEDIA_ACCEL_PREFIX].value = cfg.media_accel_prefix;
}

/*
 * Copies the template to out with each @NAME@ of the table replaced; an
 * '@' that starts no known name (nginx's named locations) stays as it is.
 */
static void render(FILE *in, FILE *out, const struct subst *s)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, in) >= 0) {
		const char *p = line, *at, *end;
		int i;

		while ((at = strchr(p, '@')) != NULL) {
			fwrite(p, 1, (size_t)(at - p), out);
			end = strchr(at + 1, '@');
			for (i = 0; end != NULL && i < NSUBST; i++)
				if ((size_t)(end - at - 1) == strlen(s[i].name) &&
				    strncmp(at + 1, s[i].name, strlen(s[i].name)) == 0)
					break;
			if (end == NULL || i == NSUBST) {
				fputc('@', out);
				p = at + 1;
				continue;
			}
			fputs(s[i].value, out);
			p = end + 1;
		}
		fputs(p, out);
	}
	free(line);
}

/* Defaults that depend on other options, then the checks of every value
 * that goes into the configuration unquoted. */
static int complete(struct arena *a, struct nginx_opts *o)
{
	if (o->mod_server_name == NULL)
		o->mod_server_name = arena_printf(a, "moderation.%s", o->server_name);
	if (o->cert_dir == NULL)
		o->cert_dir = arena_printf(a, "/etc/letsencrypt/live/%s", o->server_name);
	if (o->mod_cert_dir == NULL)
		o->mod_cert_dir = arena_printf(a, "/etc/letsencrypt/live/%s",
					       o->mod_server_name);
	return safe_word("--server-name", o->server_name) < 0 ||
	       safe_word("--moderation-server-name", o->mod_server_name) < 0 ||
	       safe_word("--cert-dir", o->cert_dir) < 0 ||
	       safe_word("--moderation-cert-dir", o->mod_cert_dir) < 0 ||
	       (o->listen != NULL && safe_word("--listen", o->listen) < 0) ||
	       safe_word("--acme-root", o->acme_root) < 0 ||
	       safe_word("--snippets", o->snippets) < 0 ||
	       safe_word("MEDIA_DIR", cfg.media_dir) < 0 ||
	       safe_word("MEDIA_ACCEL_PREFIX", cfg.media_accel_prefix) < 0 ? -1 : 0;
}

static int write_config(struct arena *a, const struct nginx_opts *o)
{
	struct subst s[NSUBST];
	FILE *in = fopen(o->template, "r"), *out;
	int status = CTL_OK;

	if (in == NULL) {
		ctl_error("nginx", "cannot read the template %s", o->template);
		return CTL_FAIL;
	}
	out = o->out != NULL ? fopen(o->out, "w") : stdout;
	if (out == NULL) {
		ctl_error("nginx", "cannot write %s", o->out);
		fclose(in);
		return CTL_FAIL;
	}
	fill(a, s, o);
	render(in, out, s);
	if (ferror(out) || (out != stdout && fclose(out) != 0)) {
		ctl_error("nginx", "could not write %s", o->out ? o->out : "stdout");
		status = CTL_FAIL;
	}
	fclose(in);
	return status;
}

int ctl_nginx(int argc, char **argv)
{
	struct nginx_opts o = {
		.http_port = 80, .https_port = 443, .metrics_port = 9180,
		.acme_root = "/var/www/html",
		.template = PKGDATADIR "/nginx/intentional.conf.in",
		.snippets = PKGDATADIR "/nginx",
	};
	struct arena *a;
	int status = CTL_USAGE;

	if (parse(argc, argv, &o) < 0)
		return CTL_USAGE;
	if (ctl_config() < 0)
		return CTL_FAIL;
	a = arena_new();
	if (complete(a, &o) == 0)
		status = write_config(a, &o);
	arena_free(a);
	return status;
}
