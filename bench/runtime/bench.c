/*
 * Build (c), the ideal: the benchmark loops written in C around the static inline functions.
 * Every build exports the same bench_* functions with the same loops; main.c calls them.
 * One "iteration" is one use of the helper (for the lock kind: one lock/unlock pair).
 */
#include <stddef.h>
#include "kinds.h"

uint64_t bench_refcount(refcount_t *r, uint64_t iterations) {
	for (uint64_t i = 0; i < iterations; i++)
		refcount_inc(r);
	return (uint64_t)r->refs;
}

uint64_t bench_is_err(const void *const *ptrs, size_t len, uint64_t passes) {
	uint64_t errors = 0;
	for (uint64_t p = 0; p < passes; p++)
		for (size_t i = 0; i < len; i++)
			if (IS_ERR(ptrs[i]))
				errors++;
	return errors;
}

uint64_t bench_list(const struct list_head *head, uint64_t passes) {
	uint64_t nodes = 0;
	for (uint64_t p = 0; p < passes; p++)
		for (const struct list_head *pos = head->next; !list_is_head(pos, head); pos = pos->next)
			nodes++;
	return nodes;
}

uint64_t bench_test_bit(const unsigned long *bitmap, size_t bits, uint64_t passes) {
	uint64_t set = 0;
	for (uint64_t p = 0; p < passes; p++)
		for (size_t nr = 0; nr < bits; nr++)
			if (test_bit(nr, bitmap))
				set++;
	return set;
}

uint64_t bench_lock(spinlock_t *lock, uint64_t *counter, uint64_t iterations) {
	for (uint64_t i = 0; i < iterations; i++) {
		spin_lock(lock);
		*counter += 1;
		spin_unlock(lock);
	}
	return *counter;
}
