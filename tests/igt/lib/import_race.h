/* SPDX-License-Identifier: MIT */
/*
 * Two threads importing the same dma-buf into one file at the same instant,
 * round after round: the per-file cache must hand both the same handle.
 */
#ifndef IMPORT_RACE_H
#define IMPORT_RACE_H

#include <stdint.h>

struct import_race;

/* Starts the two importer threads, importing into DRM file @fd. */
struct import_race *import_race_start(int fd);

/* One round: both threads import @dmabuf; their handles (0 on error) in @out. */
void import_race_round(struct import_race *race, int dmabuf, uint32_t out[2]);

/* Ends the threads and frees the race. */
void import_race_stop(struct import_race *race);

#endif /* IMPORT_RACE_H */
