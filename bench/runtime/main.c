/*
 * Driver for the runtime benchmark, linked unchanged with each build's bench_* functions.
 *   prog check              run every kind once and print its results (compared across builds)
 *   prog callgrind N1 N2    under callgrind: per kind, dump the instruction count of N1 and of
 *                           N2 iterations (the bench's per-iteration figure is the difference)
 *   prog time KIND N        wall time of N iterations of one kind, in ns per iteration
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <valgrind/callgrind.h>
#include "kinds.h"

uint64_t bench_refcount(refcount_t *r, uint64_t iterations);
uint64_t bench_is_err(const void *const *ptrs, size_t len, uint64_t passes);
uint64_t bench_list(const struct list_head *head, uint64_t passes);
uint64_t bench_test_bit(const unsigned long *bitmap, size_t bits, uint64_t passes);
uint64_t bench_lock(spinlock_t *lock, uint64_t *counter, uint64_t iterations);

/* The slow paths: never taken here, so reaching one is a bug in the benchmark. */
void refcount_warn_saturate(refcount_t *r, int how) {
	fprintf(stderr, "refcount_warn_saturate(%d, %d)\n", r->refs, how);
	abort();
}
void spin_lock_slowpath(spinlock_t *lock, unsigned int val) {
	fprintf(stderr, "spin_lock_slowpath(%u, %u)\n", lock->val, val);
	abort();
}

static refcount_t refcount = { 1 };
static int objects[BENCH_ARRAY_LEN];
static const void *pointers[BENCH_ARRAY_LEN];
static struct list_head head, nodes[BENCH_ARRAY_LEN];
static unsigned long bitmap[BENCH_ARRAY_LEN / BITS_PER_LONG];
static spinlock_t lock;
static uint64_t counter;

static void set_up(void) {
	for (size_t i = 0; i < BENCH_ARRAY_LEN; i++)
		pointers[i] = i % 16 == 5 ? (const void *)(intptr_t)-(long)(1 + i % MAX_ERRNO) : &objects[i];
	head.next = head.prev = &head;
	for (size_t i = 0; i < BENCH_ARRAY_LEN; i++) {
		nodes[i].prev = head.prev;
		nodes[i].next = &head;
		head.prev->next = &nodes[i];
		head.prev = &nodes[i];
	}
	uint64_t x = 0x9e3779b97f4a7c15u;
	for (size_t i = 0; i < BENCH_ARRAY_LEN / BITS_PER_LONG; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		bitmap[i] = (unsigned long)(x >> 7);
	}
}

static const char *const kinds[] = { "refcount", "is_err", "list", "test_bit", "lock" };
#define KIND_COUNT (sizeof kinds / sizeof kinds[0])

/* Iterations are helper uses; the array kinds walk BENCH_ARRAY_LEN elements per pass. */
static uint64_t run_kind(size_t kind, uint64_t iterations) {
	uint64_t passes = iterations / BENCH_ARRAY_LEN;
	switch (kind) {
	case 0: return bench_refcount(&refcount, iterations);
	case 1: return bench_is_err(pointers, BENCH_ARRAY_LEN, passes);
	case 2: return bench_list(&head, passes);
	case 3: return bench_test_bit(bitmap, BENCH_ARRAY_LEN, passes);
	default: return bench_lock(&lock, &counter, iterations);
	}
}

static size_t kind_index(const char *name) {
	for (size_t k = 0; k < KIND_COUNT; k++)
		if (!strcmp(kinds[k], name))
			return k;
	fprintf(stderr, "unknown kind %s\n", name);
	exit(2);
}

int main(int argc, char **argv) {
	set_up();
	if (argc == 2 && !strcmp(argv[1], "check")) {
		for (size_t k = 0; k < KIND_COUNT; k++)
			printf("%s %llu\n", kinds[k], (unsigned long long)run_kind(k, 10 * BENCH_ARRAY_LEN));
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "callgrind")) {
		uint64_t n1 = strtoull(argv[2], NULL, 10), n2 = strtoull(argv[3], NULL, 10);
		for (size_t k = 0; k < KIND_COUNT; k++) {
			char label[64];
			CALLGRIND_ZERO_STATS;
			uint64_t r1 = run_kind(k, n1);
			snprintf(label, sizeof label, "%s-n1", kinds[k]);
			CALLGRIND_DUMP_STATS_AT(label);
			uint64_t r2 = run_kind(k, n2);
			snprintf(label, sizeof label, "%s-n2", kinds[k]);
			CALLGRIND_DUMP_STATS_AT(label);
			printf("%s %llu %llu\n", kinds[k], (unsigned long long)r1, (unsigned long long)r2);
		}
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "time")) {
		size_t k = kind_index(argv[2]);
		uint64_t n = strtoull(argv[3], NULL, 10);
		run_kind(k, n / 16); /* warm caches and branch predictors */
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		uint64_t result = run_kind(k, n);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
		printf("%.4f %llu\n", ns / (double)n, (unsigned long long)result);
		return 0;
	}
	fprintf(stderr, "usage: %s check | callgrind N1 N2 | time KIND N\n", argv[0]);
	return 2;
}
