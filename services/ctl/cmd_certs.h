/* cygnetctl --list-certs: the printers, separate so tests can feed them. */
#ifndef CYGNET_CTL_CMD_CERTS_H
#define CYGNET_CTL_CMD_CERTS_H

#include <stdbool.h>
#include <stdio.h>

#include "authority.pb-c.h"

/* The certificates grouped by kind, exactly as swanctl --list-certs prints
 * them; times in UTC when UTC, else local time. */
void ctl_print_certs(FILE *out, const Cygnet__CertList *list, bool utc);

/* The CRLs, as swanctl --list-certs prints them after the certificates. */
void ctl_print_crls(FILE *out, const Cygnet__CrlList *list, bool utc);

#endif
