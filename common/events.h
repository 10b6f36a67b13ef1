/* Events between services over nng PUB/SUB.  An event on the wire is
 * "<topic>\0<packed protobuf>"; subscribers filter by topic prefix. */
#ifndef CYGNET_EVENTS_H
#define CYGNET_EVENTS_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "settings.h"

struct events_pub;
struct events_sub;

struct events_pub *events_pub_open(const char *url, const struct rpc_tls *tls,
				   char *err, size_t errlen);
void events_pub_close(struct events_pub *pub);
/* Returns 0, or -1 when the message could not be sent (logged). */
int events_publish(struct events_pub *pub, const char *topic,
		   const ProtobufCMessage *msg);

/* Callback on an nng thread for each event whose topic starts with the
 * subscribed prefix; body is only valid during the call. */
typedef void (*events_fn)(void *arg, const char *topic, const uint8_t *body,
			  size_t len);

/* Dials with back-off reconnects; topic "" subscribes to everything. */
struct events_sub *events_sub_open(const char *url, const struct rpc_tls *tls,
				   const char *topic, events_fn fn, void *arg,
				   char *err, size_t errlen);
void events_sub_close(struct events_sub *sub);

#endif
