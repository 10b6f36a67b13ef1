/* SPI allocation: XFRM_MSG_ALLOCSPI creates a larval SA holding a unique
 * SPI until UPDSA fills it in (or the kernel expires it). */
#ifndef CYGNET_KERNEL_SPI_H
#define CYGNET_KERNEL_SPI_H

#include "knl.h"
#include "netlink.h"

/* charon's default range */
#define SPI_MIN_DEFAULT 0xc0000000u
#define SPI_MAX_DEFAULT 0xcfffffffu

struct spi_request {
	struct knl_addr src;	/* peer */
	struct knl_addr dst;	/* us */
	uint8_t proto;
	uint32_t reqid;
	uint32_t min;
	uint32_t max;
	struct knl_mark mark;
};

struct nlmsghdr *spi_build(void *buf, const struct spi_request *req);
/* Returns 0 with *spi (host order) set, or -1. */
int spi_alloc(struct nl_sock *nl, const struct spi_request *req,
	      uint32_t *spi, struct nl_error *err);

#endif
