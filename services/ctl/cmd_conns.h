/* cygnetctl --list-conns: the printer, separate so tests can feed it. */
#ifndef CYGNET_CTL_CMD_CONNS_H
#define CYGNET_CTL_CMD_CONNS_H

#include <stdio.h>

#include "ike.pb-c.h"

/* Prints the connections exactly as swanctl --list-conns does. */
void ctl_print_conns(FILE *out, const Cygnet__ConnList *list);

#endif
