/* GET /status and GET /metrics on nng's HTTP server.  Every request
 * builds a fresh Status, so the pages are never stale. */
#include "status.h"

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct status_http {
	nng_http_server *server;
	char *service;
	status_fill_fn fill;
	void *ctx;
};

typedef char *(*status_render_fn)(const Cygnet__Status *status);

static nng_http_res *render_response(struct status_http *http,
				     status_render_fn render,
				     const char *content_type)
{
	Cygnet__Status *status = status_build(http->service, http->fill,
					      http->ctx);
	nng_http_res *res = NULL;
	char *body = status ? render(status) : NULL;

	status_free(status);
	if (!body) {
		if (nng_http_res_alloc_error(&res,
					     NNG_HTTP_STATUS_INTERNAL_SERVER_ERROR) != 0)
			return NULL;
		return res;
	}
	if (nng_http_res_alloc(&res) != 0 ||
	    nng_http_res_set_header(res, "Content-Type", content_type) != 0 ||
	    nng_http_res_set_header(res, "Cache-Control", "no-store") != 0 ||
	    nng_http_res_copy_data(res, body, strlen(body)) != 0) {
		if (res)
			nng_http_res_free(res);
		res = NULL;
	}
	free(body);
	return res;
}

static void serve(nng_aio *aio, status_render_fn render,
		  const char *content_type)
{
	nng_http_handler *handler = nng_aio_get_input(aio, 1);
	struct status_http *http = nng_http_handler_get_data(handler);
	nng_http_res *res = render_response(http, render, content_type);

	if (!res) {
		nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	nng_aio_set_output(aio, 0, res);
	nng_aio_finish(aio, 0);
}

static void serve_status(nng_aio *aio)
{
	serve(aio, status_to_json, "application/json");
}

static void serve_metrics(nng_aio *aio)
{
	serve(aio, status_to_prometheus, STATUS_PROMETHEUS_CONTENT_TYPE);
}

static int add_handler(struct status_http *http, const char *path,
		       void (*fn)(nng_aio *))
{
	nng_http_handler *handler;
	int rv = nng_http_handler_alloc(&handler, path, fn);

	if (rv != 0)
		return rv;
	rv = nng_http_handler_set_data(handler, http, NULL);
	if (rv == 0)
		rv = nng_http_server_add_handler(http->server, handler);
	if (rv != 0)
		nng_http_handler_free(handler);
	return rv;
}

static int server_open(struct status_http *http, const char *addr,
		       char *err, size_t errlen)
{
	char text[96];
	nng_url *url;
	int rv;

	snprintf(text, sizeof(text), "http://%s", addr);
	rv = nng_url_parse(&url, text);
	if (rv != 0) {
		snprintf(err, errlen, "invalid status address '%s': %s", addr,
			 nng_strerror(rv));
		return -1;
	}
	rv = nng_http_server_hold(&http->server, url);
	nng_url_free(url);
	if (rv != 0) {
		snprintf(err, errlen, "status server on %s: %s", addr,
			 nng_strerror(rv));
		return -1;
	}
	if ((rv = add_handler(http, "/status", serve_status)) != 0 ||
	    (rv = add_handler(http, "/metrics", serve_metrics)) != 0 ||
	    (rv = nng_http_server_start(http->server)) != 0) {
		snprintf(err, errlen, "status server on %s: %s", addr,
			 nng_strerror(rv));
		nng_http_server_release(http->server);
		return -1;
	}
	return 0;
}

struct status_http *status_http_start(const char *addr, const char *service,
				      status_fill_fn fill, void *ctx,
				      char *err, size_t errlen)
{
	struct status_http *http = calloc(1, sizeof(*http));

	if (!http || !(http->service = strdup(service))) {
		snprintf(err, errlen, "out of memory");
		free(http);
		return NULL;
	}
	http->fill = fill;
	http->ctx = ctx;
	if (server_open(http, addr, err, errlen) != 0) {
		free(http->service);
		free(http);
		return NULL;
	}
	return http;
}

void status_http_stop(struct status_http *http)
{
	if (!http)
		return;
	nng_http_server_stop(http->server);
	nng_http_server_release(http->server);
	free(http->service);
	free(http);
}
