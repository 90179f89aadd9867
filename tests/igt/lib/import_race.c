// SPDX-License-Identifier: MIT
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "igt.h"
#include "import_race.h"
#include "prime.h"

struct importer {
	struct import_race *race;
	pthread_t thread;
	uint32_t handle;
};

struct import_race {
	int fd;
	int dmabuf;		/* this round's; -1 ends the threads */
	pthread_barrier_t start, done;
	struct importer importer[2];
};

static void *importer_loop(void *arg)
{
	struct importer *me = arg;
	struct import_race *race = me->race;

	for (;;) {
		pthread_barrier_wait(&race->start);
		if (race->dmabuf < 0)
			return NULL;
		if (__prime_fd_to_handle(race->fd, race->dmabuf, &me->handle))
			me->handle = 0;
		pthread_barrier_wait(&race->done);
	}
}

struct import_race *import_race_start(int fd)
{
	struct import_race *race = calloc(1, sizeof(*race));
	int i;

	igt_assert(race);
	race->fd = fd;
	/* The two importers and the caller meet at each barrier. */
	pthread_barrier_init(&race->start, NULL, 3);
	pthread_barrier_init(&race->done, NULL, 3);
	for (i = 0; i < 2; i++) {
		race->importer[i].race = race;
		igt_assert_eq(pthread_create(&race->importer[i].thread, NULL, importer_loop,
					     &race->importer[i]), 0);
	}
	return race;
}

void import_race_round(struct import_race *race, int dmabuf, uint32_t out[2])
{
	race->dmabuf = dmabuf;
	pthread_barrier_wait(&race->start);
	pthread_barrier_wait(&race->done);
	out[0] = race->importer[0].handle;
	out[1] = race->importer[1].handle;
}

void import_race_stop(struct import_race *race)
{
	int i;

	race->dmabuf = -1;
	pthread_barrier_wait(&race->start);
	for (i = 0; i < 2; i++)
		pthread_join(race->importer[i].thread, NULL);
	pthread_barrier_destroy(&race->start);
	pthread_barrier_destroy(&race->done);
	free(race);
}
