/* The loaded connections as the IKE_LIST_CONNS reply. */
#ifndef CYGNET_IKE_CONN_EXPORT_H
#define CYGNET_IKE_CONN_EXPORT_H

#include "ike.pb-c.h"
#include "ike/config.h"

/* Returns a ConnList built with malloc (free it with
 * protobuf_c_message_free_unpacked(&list->base, NULL)), NULL when out
 * of memory. */
Cygnet__ConnList *conn_export(const struct ike_config *config);

#endif
