/*
 * The helper kinds of the runtime benchmark: static inline functions shaped like the kernel's
 * (include/linux/refcount.h, err.h, list.h, asm-generic/bitops, queued spinlock fast path).
 * helpers.c exports one rust_helper_* wrapper per function, as the kernel's rust/helpers/ do;
 * bench.c calls them directly, which is the "ideal" every other build is compared with.
 */
#ifndef BENCH_KINDS_H
#define BENCH_KINDS_H

#include <stdbool.h>
#include <stdint.h>

#define bench_unlikely(x) __builtin_expect(!!(x), 0)
#define bench_likely(x) __builtin_expect(!!(x), 1)

/* Out-of-line slow paths, defined by the driver (main.c) and never taken in the benchmark. */
typedef struct { int refs; } refcount_t;
void refcount_warn_saturate(refcount_t *r, int how);
typedef struct { unsigned int val; } spinlock_t;
void spin_lock_slowpath(spinlock_t *lock, unsigned int val);

/* refcount_inc(): relaxed atomic add, then the saturation checks of __refcount_add(). */
static inline void refcount_inc(refcount_t *r) {
	int old = __atomic_fetch_add(&r->refs, 1, __ATOMIC_RELAXED);
	if (bench_unlikely(!old))
		refcount_warn_saturate(r, 1);
	else if (bench_unlikely(old < 0 || (int)((unsigned int)old + 1u) < 0))
		refcount_warn_saturate(r, 0);
}

/* IS_ERR(): the top 4095 addresses are error codes. */
#define MAX_ERRNO 4095
static inline bool IS_ERR(const void *ptr) {
	return bench_unlikely((uintptr_t)ptr >= (uintptr_t)-MAX_ERRNO);
}

/* list_is_head(): the test list_for_each() runs once per node. */
struct list_head { struct list_head *next, *prev; };
static inline bool list_is_head(const struct list_head *list, const struct list_head *head) {
	return list == head;
}

/* test_bit(): the generic, non-atomic version. */
#define BITS_PER_LONG 64
static inline bool test_bit(unsigned long nr, const unsigned long *addr) {
	return 1UL & (addr[nr / BITS_PER_LONG] >> (nr & (BITS_PER_LONG - 1)));
}

/* spin_lock()/spin_unlock(): a queued spinlock's fast paths (cmpxchg 0 -> 1, release store). */
static inline void spin_lock(spinlock_t *lock) {
	unsigned int val = 0;
	if (bench_likely(__atomic_compare_exchange_n(&lock->val, &val, 1u, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)))
		return;
	spin_lock_slowpath(lock, val);
}
static inline void spin_unlock(spinlock_t *lock) {
	__atomic_store_n(&lock->val, 0u, __ATOMIC_RELEASE);
}

/* Sizes of the data each pass walks (the driver sets it up). */
#define BENCH_ARRAY_LEN 1024

#endif
