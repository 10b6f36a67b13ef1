/* Events over nng PUB/SUB.  A message is "<topic>\0<packed protobuf>",
 * so nng's byte-prefix subscription filters by topic prefix and the
 * subscriber finds the body after the first NUL. */
#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/pubsub0/sub.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "log.h"
#include "rpc_endpoint.h"

struct events_pub {
	nng_socket sock;
	char url[SETTINGS_URL_MAX];
};

struct events_sub {
	nng_socket sock;
	nng_aio *aio;
	char url[SETTINGS_URL_MAX];
	events_fn fn;
	void *arg;
};

static int copy_url(char *dst, const char *url, char *err, size_t errlen)
{
	if (snprintf(dst, SETTINGS_URL_MAX, "%s", url) < SETTINGS_URL_MAX)
		return 0;
	snprintf(err, errlen, "URL too long: %.64s...", url);
	return -1;
}

struct events_pub *events_pub_open(const char *url, const struct rpc_tls *tls,
				   char *err, size_t errlen)
{
	struct events_pub *pub = calloc(1, sizeof(*pub));
	int rv;

	if (pub == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (copy_url(pub->url, url, err, errlen) != 0)
		goto fail;
	rv = nng_pub0_open(&pub->sock);
	if (rv != 0) {
		snprintf(err, errlen, "events socket: %s", nng_strerror(rv));
		goto fail;
	}
	if (endpoint_listen(pub->sock, url, tls, err, errlen) != 0) {
		nng_close(pub->sock);
		goto fail;
	}
	DBG2(LOG_LIB, "events: publishing on %s", url);
	return pub;
fail:
	free(pub);
	return NULL;
}

void events_pub_close(struct events_pub *pub)
{
	if (pub == NULL)
		return;
	nng_close(pub->sock);
	endpoint_remove(pub->url);
	free(pub);
}

int events_publish(struct events_pub *pub, const char *topic,
		   const ProtobufCMessage *msg)
{
	size_t topic_len = strlen(topic) + 1;	/* with the NUL */
	size_t body_len = protobuf_c_message_get_packed_size(msg);
	nng_msg *out;
	int rv;

	rv = nng_msg_alloc(&out, topic_len + body_len);
	if (rv == 0) {
		memcpy(nng_msg_body(out), topic, topic_len);
		protobuf_c_message_pack(msg, (uint8_t *)nng_msg_body(out) +
						     topic_len);
		rv = nng_sendmsg(pub->sock, out, 0);
		if (rv != 0)
			nng_msg_free(out);
	}
	if (rv != 0) {
		DBG1(LOG_LIB, "events: publishing %s on %s failed: %s", topic,
		     pub->url, nng_strerror(rv));
		return -1;
	}
	return 0;
}

static void deliver(struct events_sub *sub, nng_msg *msg)
{
	const uint8_t *data = nng_msg_body(msg);
	size_t len = nng_msg_len(msg);
	const uint8_t *nul = memchr(data, '\0', len);

	if (nul == NULL) {
		DBG1(LOG_LIB, "events: dropped a %zu byte event without topic from %s",
		     len, sub->url);
		return;
	}
	sub->fn(sub->arg, (const char *)data, nul + 1,
		len - (size_t)(nul + 1 - data));
}

static void sub_cb(void *arg)
{
	struct events_sub *sub = arg;
	int rv = nng_aio_result(sub->aio);
	nng_msg *msg;

	if (rv == NNG_ECLOSED || rv == NNG_ECANCELED)
		return;
	if (rv == 0) {
		msg = nng_aio_get_msg(sub->aio);
		nng_aio_set_msg(sub->aio, NULL);
		deliver(sub, msg);
		nng_msg_free(msg);
	} else {
		DBG1(LOG_LIB, "events: receiving from %s failed: %s", sub->url,
		     nng_strerror(rv));
	}
	nng_recv_aio(sub->sock, sub->aio);
}

static int sub_socket(struct events_sub *sub, const char *topic, char *err,
		      size_t errlen)
{
	int rv = nng_sub0_open(&sub->sock);

	if (rv != 0) {
		snprintf(err, errlen, "events socket: %s", nng_strerror(rv));
		return -1;
	}
	rv = nng_socket_set(sub->sock, NNG_OPT_SUB_SUBSCRIBE, topic,
			    strlen(topic));
	if (rv == 0)
		rv = nng_aio_alloc(&sub->aio, sub_cb, sub);
	if (rv != 0) {
		snprintf(err, errlen, "subscribing to '%s': %s", topic,
			 nng_strerror(rv));
		nng_close(sub->sock);
		return -1;
	}
	return 0;
}

struct events_sub *events_sub_open(const char *url, const struct rpc_tls *tls,
				   const char *topic, events_fn fn, void *arg,
				   char *err, size_t errlen)
{
	struct events_sub *sub = calloc(1, sizeof(*sub));

	if (sub == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	sub->fn = fn;
	sub->arg = arg;
	if (copy_url(sub->url, url, err, errlen) != 0 ||
	    sub_socket(sub, topic, err, errlen) != 0) {
		free(sub);
		return NULL;
	}
	if (endpoint_dial(sub->sock, url, tls, err, errlen) != 0) {
		events_sub_close(sub);
		return NULL;
	}
	nng_recv_aio(sub->sock, sub->aio);
	DBG2(LOG_LIB, "events: subscribed to '%s' at %s", topic, url);
	return sub;
}

void events_sub_close(struct events_sub *sub)
{
	if (sub == NULL)
		return;
	/* the aio first: no receive may race nng_close (libnng 1.5.2) */
	nng_aio_stop(sub->aio);
	nng_close(sub->sock);
	nng_aio_free(sub->aio);
	free(sub);
}
