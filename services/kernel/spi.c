#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <string.h>

#include "parse.h"
#include "spi.h"

struct nlmsghdr *spi_build(void *buf, const struct spi_request *req)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct xfrm_userspi_info *spi;

	nlh->nlmsg_type = XFRM_MSG_ALLOCSPI;
	spi = mnl_nlmsg_put_extra_header(nlh, sizeof(*spi));
	spi->info.family = req->src.family;
	memcpy(&spi->info.saddr, req->src.ip, sizeof(req->src.ip));
	memcpy(&spi->info.id.daddr, req->dst.ip, sizeof(req->dst.ip));
	spi->info.id.proto = req->proto;
	spi->info.mode = XFRM_MODE_TUNNEL;
	/* the reqid tags the larval SA as ours for adoption */
	spi->info.reqid = req->reqid;
	spi->min = req->min;
	spi->max = req->max;
	if (req->mark.mask) {
		struct xfrm_mark m = { .v = req->mark.value, .m = req->mark.mask };
		mnl_attr_put(nlh, XFRMA_MARK, sizeof(m), &m);
	}
	return nlh;
}

int spi_alloc(struct nl_sock *nl, const struct spi_request *req,
	      uint32_t *spi, struct nl_error *err)
{
	uint8_t buf[1024];
	struct knl_sa_info info;

	if (nl_get(nl, spi_build(buf, req), XFRM_MSG_NEWSA, parse_sa_reply,
		   &info, EBADMSG, err) < 0)
		return -1;
	*spi = info.sa.spi;
	return 0;
}
