/* The IKE_SA table: every IKE_SA this daemon holds, looked up by unique
 * id or by SPIs; shared between the packet path and RPC handlers, so
 * every access takes the table lock. */
#ifndef CYGNET_IKE_SA_TABLE_H
#define CYGNET_IKE_SA_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "ike.pb-c.h"

#define IKE_SA_MAX_VIPS 4

enum ike_sa_state {
	IKE_SA_CREATED,
	IKE_SA_CONNECTING,
	IKE_SA_ESTABLISHED,
	IKE_SA_DELETING,
};

struct ike_sa_vip {
	char pool[64];
	uint8_t addr[16];
	uint8_t addr_len;	/* 4 or 16 */
	char identity[256];
};

struct ike_sa {
	uint64_t unique_id;
	uint64_t spi_i;		/* as on the wire (network order) */
	uint64_t spi_r;
	char conn[64];
	enum ike_sa_state state;
	size_t n_vips;
	struct ike_sa_vip vips[IKE_SA_MAX_VIPS];
	struct ike_sa *next;
};

struct sa_table;

struct sa_table *sa_table_create(void);
void sa_table_destroy(struct sa_table *table);

/* Adds an SA in state CREATED and returns its unique id (from 1), or 0
 * when out of memory. */
uint64_t sa_table_add(struct sa_table *table, uint64_t spi_i, uint64_t spi_r);
int sa_table_remove(struct sa_table *table, uint64_t unique_id);
size_t sa_table_count(const struct sa_table *table);

int sa_table_set_state(struct sa_table *table, uint64_t unique_id,
		       enum ike_sa_state state, const char *conn);
/* Records a virtual IP assigned to the SA's peer; -1 if no such SA or
 * no room. */
int sa_table_add_vip(struct sa_table *table, uint64_t unique_id,
		     const struct ike_sa_vip *vip);

/* Fills list with the virtual IPs of all SAs that are not being
 * deleted (allocated; free with sa_table_vips_free). */
int sa_table_list_vips(struct sa_table *table, Cygnet__VirtualIpList *list);
void sa_table_vips_free(Cygnet__VirtualIpList *list);

#endif
