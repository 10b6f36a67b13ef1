/* RPC messages (kernel.proto) <-> the service's XFRM structs.  The
 * to-kernel direction validates everything the kernel would otherwise
 * reject with a bare EINVAL, and says what is wrong in why. */
#ifndef CYGNET_KERNEL_CONVERT_H
#define CYGNET_KERNEL_CONVERT_H

#include "adopt.h"
#include "kernel.pb-c.h"
#include "knl.h"
#include "parse.h"
#include "policy.h"
#include "spi.h"

#define CONVERT_TS_MAX 32	/* per side of a CHILD_SA */
#define CONVERT_REPLAY_MAX 4096	/* the kernel's ESN bitmap limit */

int convert_addr(const Cygnet__Address *in, struct knl_addr *out,
		 const char *what, char *why, size_t len);
int convert_ts(const Cygnet__TrafficSelector *in, struct knl_ts *out,
	       char *why, size_t len);
int convert_sa_id(const Cygnet__SaId *in, struct knl_sa_id *out, char *why,
		  size_t len);
int convert_spi_request(const Cygnet__AllocSpiRequest *in,
			const struct owner *o, struct spi_request *out,
			char *why, size_t len);
/* Copies keys into out; the caller wipes out with knl_sa_wipe. */
int convert_sa(const Cygnet__SaConfig *in, const struct owner *o,
	       struct knl_sa *out, char *why, size_t len);

/* A policy set with its own TS storage. */
struct convert_policy_set {
	struct policy_set set;
	struct knl_ts local_ts[CONVERT_TS_MAX];
	struct knl_ts remote_ts[CONVERT_TS_MAX];
};
int convert_policy(const Cygnet__PolicyConfig *in, const struct owner *o,
		   struct convert_policy_set *out, char *why, size_t len);

/* Kernel -> RPC.  The messages point into the knl structs and into
 * storage, which must outlive them. */
void convert_addr_out(const struct knl_addr *in, Cygnet__Address *out);
void convert_ts_out(const struct knl_ts *in, Cygnet__TrafficSelector *out);
void convert_usage_out(const struct knl_usage *in, Cygnet__SaUsage *out);

struct convert_sa_out {
	Cygnet__SaEntry entry;
	Cygnet__SaConfig config;
	Cygnet__SaUsage usage;
	Cygnet__Address src;
	Cygnet__Address dst;
	Cygnet__Lifetime lifetime;
	Cygnet__Mark mark;
	Cygnet__TrafficSelector src_ts;
	Cygnet__TrafficSelector dst_ts;
};
void convert_sa_out(const struct knl_sa_info *in, struct convert_sa_out *out);

struct convert_policy_out {
	Cygnet__PolicyEntry entry;
	Cygnet__TrafficSelector src_ts;
	Cygnet__TrafficSelector dst_ts;
	Cygnet__Mark mark;
	struct knl_ts src;
	struct knl_ts dst;
};
void convert_policy_out(const struct knl_policy *in,
			struct convert_policy_out *out);

#endif
