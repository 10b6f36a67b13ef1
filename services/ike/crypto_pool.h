/* A fixed set of threads for CPU-bound work (the DH and key derivation
 * of IKE_SA_INIT), so it spreads over the CPUs instead of queueing on
 * the packet thread. */
#ifndef CYGNET_IKE_CRYPTO_POOL_H
#define CYGNET_IKE_CRYPTO_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct crypto_job;

struct crypto_pool {
	pthread_mutex_t lock;
	pthread_cond_t wake;		/* a job queued, or stopping */
	pthread_cond_t idle;		/* no job queued or running */
	struct crypto_job *head;
	struct crypto_job **tail;
	size_t busy;			/* jobs queued or running */
	size_t n_threads;
	pthread_t *threads;
	bool stopping;
};

/* n threads, 0 for the number of online CPUs.  Returns 0 or -1. */
int crypto_pool_start(struct crypto_pool *pool, size_t n);
/* Queues fn(arg) for a pool thread; -1 when the pool is not started
 * (the caller then runs it itself) or out of memory. */
int crypto_pool_submit(struct crypto_pool *pool, void (*fn)(void *), void *arg);
/* Returns once every job submitted so far has finished. */
void crypto_pool_wait_idle(struct crypto_pool *pool);
/* Finishes the queued jobs and joins the threads. */
void crypto_pool_stop(struct crypto_pool *pool);

#endif
