/* cygnetctl --list-sas: the printer (print_sas.c), apart from the command
 * (cmd_sas.c) so tests can feed it. */
#ifndef CYGNET_CTL_PRINT_SAS_H
#define CYGNET_CTL_PRINT_SAS_H

#include <stdio.h>

#include "ike.pb-c.h"

/* Prints the IKE_SAs and their CHILD_SAs as swanctl --list-sas does. */
void ctl_print_sas(FILE *out, const Cygnet__IkeSaList *list);

#endif
