/* The crypto pool: one queue, a fixed number of threads taking from it.
 * Jobs own their state; the pool only orders and runs them. */
#include <stdlib.h>
#include <unistd.h>

#include "ike/crypto_pool.h"
#include "log.h"

struct crypto_job {
	void (*fn)(void *);
	void *arg;
	struct crypto_job *next;
};

/* The next job, NULL once stopping with an empty queue (queued jobs
 * still run: each holds a busy SA that only it releases). */
static struct crypto_job *take(struct crypto_pool *pool)
{
	struct crypto_job *job;

	pthread_mutex_lock(&pool->lock);
	while (!pool->head && !pool->stopping)
		pthread_cond_wait(&pool->wake, &pool->lock);
	job = pool->head;
	if (job) {
		pool->head = job->next;
		if (!pool->head)
			pool->tail = &pool->head;
	}
	pthread_mutex_unlock(&pool->lock);
	return job;
}

static void done(struct crypto_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	if (--pool->busy == 0)
		pthread_cond_broadcast(&pool->idle);
	pthread_mutex_unlock(&pool->lock);
}

static void *run(void *arg)
{
	struct crypto_pool *pool = arg;
	struct crypto_job *job;

	while ((job = take(pool))) {
		job->fn(job->arg);
		free(job);
		done(pool);
	}
	return NULL;
}

static size_t online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (size_t)n : 1;
}

int crypto_pool_start(struct crypto_pool *pool, size_t n)
{
	size_t want = n ? n : online_cpus();

	*pool = (struct crypto_pool){ .tail = &pool->head };
	pool->threads = calloc(want, sizeof(pthread_t));
	if (!pool->threads)
		return -1;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->wake, NULL);
	pthread_cond_init(&pool->idle, NULL);
	while (pool->n_threads < want &&
	       pthread_create(&pool->threads[pool->n_threads], NULL, run,
			      pool) == 0)
		pool->n_threads++;
	if (pool->n_threads > 0)
		return 0;
	DBG1(LOG_JOB, "no threads for the crypto pool");
	crypto_pool_stop(pool);
	return -1;
}

int crypto_pool_submit(struct crypto_pool *pool, void (*fn)(void *), void *arg)
{
	struct crypto_job *job;

	if (pool->n_threads == 0)
		return -1;
	job = malloc(sizeof(*job));
	if (!job)
		return -1;
	*job = (struct crypto_job){ .fn = fn, .arg = arg };
	pthread_mutex_lock(&pool->lock);
	*pool->tail = job;
	pool->tail = &job->next;
	pool->busy++;
	pthread_cond_signal(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

void crypto_pool_wait_idle(struct crypto_pool *pool)
{
	if (!pool->threads)
		return;
	pthread_mutex_lock(&pool->lock);
	while (pool->busy)
		pthread_cond_wait(&pool->idle, &pool->lock);
	pthread_mutex_unlock(&pool->lock);
}

void crypto_pool_stop(struct crypto_pool *pool)
{
	if (!pool->threads)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
	for (size_t i = 0; i < pool->n_threads; i++)
		pthread_join(pool->threads[i], NULL);
	free(pool->threads);
	pthread_mutex_destroy(&pool->lock);
	pthread_cond_destroy(&pool->wake);
	pthread_cond_destroy(&pool->idle);
	*pool = (struct crypto_pool){ .tail = &pool->head };
}
