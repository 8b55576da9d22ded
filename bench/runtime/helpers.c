/* Exported wrappers, one per static inline function: what Rust calls in builds (a) and (b). */
#include "kinds.h"

void rust_helper_refcount_inc(refcount_t *r) { refcount_inc(r); }
bool rust_helper_IS_ERR(const void *ptr) { return IS_ERR(ptr); }
bool rust_helper_list_is_head(const struct list_head *list, const struct list_head *head) { return list_is_head(list, head); }
bool rust_helper_test_bit(unsigned long nr, const unsigned long *addr) { return test_bit(nr, addr); }
void rust_helper_spin_lock(spinlock_t *lock) { spin_lock(lock); }
void rust_helper_spin_unlock(spinlock_t *lock) { spin_unlock(lock); }
