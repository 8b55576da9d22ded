#include "wrapper.h"

// Static wrappers

unsigned int ck_bitmap_base__extern(unsigned int n_bits) { return ck_bitmap_base(n_bits); }
unsigned int ck_bitmap_size__extern(unsigned int n_bits) { return ck_bitmap_size(n_bits); }
unsigned int ck_bitmap_bits__extern(const struct ck_bitmap *bitmap) { return ck_bitmap_bits(bitmap); }
void *ck_bitmap_buffer__extern(struct ck_bitmap *bitmap) { return ck_bitmap_buffer(bitmap); }
void ck_bitmap_set__extern(struct ck_bitmap *bitmap, unsigned int n) { ck_bitmap_set(bitmap, n); }
bool ck_bitmap_bts__extern(struct ck_bitmap *bitmap, unsigned int n) { return ck_bitmap_bts(bitmap, n); }
void ck_bitmap_reset__extern(struct ck_bitmap *bitmap, unsigned int n) { ck_bitmap_reset(bitmap, n); }
bool ck_bitmap_test__extern(const struct ck_bitmap *bitmap, unsigned int n) { return ck_bitmap_test(bitmap, n); }
void ck_bitmap_union__extern(struct ck_bitmap *dst, const struct ck_bitmap *src) { ck_bitmap_union(dst, src); }
void ck_bitmap_intersection__extern(struct ck_bitmap *dst, const struct ck_bitmap *src) { ck_bitmap_intersection(dst, src); }
void ck_bitmap_intersection_negate__extern(struct ck_bitmap *dst, const struct ck_bitmap *src) { ck_bitmap_intersection_negate(dst, src); }
void ck_bitmap_clear__extern(struct ck_bitmap *bitmap) { ck_bitmap_clear(bitmap); }
bool ck_bitmap_empty__extern(const ck_bitmap_t *bitmap, unsigned int limit) { return ck_bitmap_empty(bitmap, limit); }
bool ck_bitmap_full__extern(const ck_bitmap_t *bitmap, unsigned int limit) { return ck_bitmap_full(bitmap, limit); }
unsigned int ck_bitmap_count__extern(const ck_bitmap_t *bitmap, unsigned int limit) { return ck_bitmap_count(bitmap, limit); }
unsigned int ck_bitmap_count_intersect__extern(const ck_bitmap_t *x, const ck_bitmap_t *y, unsigned int limit) { return ck_bitmap_count_intersect(x, y, limit); }
void ck_bitmap_init__extern(struct ck_bitmap *bitmap, unsigned int n_bits, bool set) { ck_bitmap_init(bitmap, n_bits, set); }
void ck_bitmap_iterator_init__extern(struct ck_bitmap_iterator *i, const struct ck_bitmap *bitmap) { ck_bitmap_iterator_init(i, bitmap); }
bool ck_bitmap_next__extern(const struct ck_bitmap *bitmap, struct ck_bitmap_iterator *i, unsigned int *bit) { return ck_bitmap_next(bitmap, i, bit); }
unsigned int ck_ring_size__extern(const struct ck_ring *ring) { return ck_ring_size(ring); }
unsigned int ck_ring_capacity__extern(const struct ck_ring *ring) { return ck_ring_capacity(ring); }
bool ck_ring_repair__extern(struct ck_ring *ring) { return ck_ring_repair(ring); }
bool ck_ring_valid__extern(const struct ck_ring *ring) { return ck_ring_valid(ring); }
void ck_ring_init__extern(struct ck_ring *ring, unsigned int size) { ck_ring_init(ring, size); }
bool ck_ring_enqueue_spsc_size__extern(struct ck_ring *ring, struct ck_ring_buffer *buffer, const void *entry, unsigned int *size) { return ck_ring_enqueue_spsc_size(ring, buffer, entry, size); }
bool ck_ring_enqueue_spsc__extern(struct ck_ring *ring, struct ck_ring_buffer *buffer, const void *entry) { return ck_ring_enqueue_spsc(ring, buffer, entry); }
void *ck_ring_enqueue_reserve_spsc_size__extern(struct ck_ring *ring, struct ck_ring_buffer *buffer, unsigned int *size) { return ck_ring_enqueue_reserve_spsc_size(ring, buffer, size); }
void *ck_ring_enqueue_reserve_spsc__extern(struct ck_ring *ring, struct ck_ring_buffer *buffer) { return ck_ring_enqueue_reserve_spsc(ring, buffer); }
void ck_ring_enqueue_commit_spsc__extern(struct ck_ring *ring) { ck_ring_enqueue_commit_spsc(ring); }
bool ck_ring_dequeue_spsc__extern(struct ck_ring *ring, const struct ck_ring_buffer *buffer, void *data) { return ck_ring_dequeue_spsc(ring, buffer, data); }
bool ck_ring_enqueue_mpmc__extern(struct ck_ring *ring, struct ck_ring_buffer *buffer, const void *entry) { return ck_ring_enqueue_mpmc(ring, buffer, entry); }
bool ck_ring_enqueue_mpmc_size__extern(struct ck_ring *ring, struct ck_ring_buffer *buffer, const void *entry, unsigned int *size) { return ck_ring_enqueue_mpmc_size(ring, buffer, entry, size); }
void *ck_ring_enqueue_reserve_mpmc__extern(struct ck_ring *ring, struct ck_ring_buffer *buffer, unsigned int *ticket) { return ck_ring_enqueue_reserve_mpmc(ring, buffer, ticket); }
void *ck_ring_enqueue_reserve_mpmc_size__extern(struct ck_ring *ring, struct ck_ring_buffer *buffer, unsigned int *ticket, unsigned int *size) { return ck_ring_enqueue_reserve_mpmc_size(ring, buffer, ticket, size); }
void ck_ring_enqueue_commit_mpmc__extern(struct ck_ring *ring, unsigned int ticket) { ck_ring_enqueue_commit_mpmc(ring, ticket); }
bool ck_ring_trydequeue_mpmc__extern(struct ck_ring *ring, const struct ck_ring_buffer *buffer, void *data) { return ck_ring_trydequeue_mpmc(ring, buffer, data); }
bool ck_ring_dequeue_mpmc__extern(struct ck_ring *ring, const struct ck_ring_buffer *buffer, void *data) { return ck_ring_dequeue_mpmc(ring, buffer, data); }
void *ck_ring_enqueue_reserve_spmc_size__extern(struct ck_ring *ring, struct ck_ring_buffer *buffer, unsigned int *size) { return ck_ring_enqueue_reserve_spmc_size(ring, buffer, size); }
void *ck_ring_enqueue_reserve_spmc__extern(struct ck_ring *ring, struct ck_ring_buffer *buffer) { return ck_ring_enqueue_reserve_spmc(ring, buffer); }
void ck_ring_enqueue_commit_spmc__extern(struct ck_ring *ring) { ck_ring_enqueue_commit_spmc(ring); }
bool ck_ring_enqueue_spmc_size__extern(struct ck_ring *ring, struct ck_ring_buffer *buffer, const void *entry, unsigned int *size) { return ck_ring_enqueue_spmc_size(ring, buffer, entry, size); }
bool ck_ring_enqueue_spmc__extern(struct ck_ring *ring, struct ck_ring_buffer *buffer, const void *entry) { return ck_ring_enqueue_spmc(ring, buffer, entry); }
bool ck_ring_trydequeue_spmc__extern(struct ck_ring *ring, const struct ck_ring_buffer *buffer, void *data) { return ck_ring_trydequeue_spmc(ring, buffer, data); }
bool ck_ring_dequeue_spmc__extern(struct ck_ring *ring, const struct ck_ring_buffer *buffer, void *data) { return ck_ring_dequeue_spmc(ring, buffer, data); }
void *ck_ring_enqueue_reserve_mpsc__extern(struct ck_ring *ring, struct ck_ring_buffer *buffer, unsigned int *ticket) { return ck_ring_enqueue_reserve_mpsc(ring, buffer, ticket); }
void *ck_ring_enqueue_reserve_mpsc_size__extern(struct ck_ring *ring, struct ck_ring_buffer *buffer, unsigned int *ticket, unsigned int *size) { return ck_ring_enqueue_reserve_mpsc_size(ring, buffer, ticket, size); }
void ck_ring_enqueue_commit_mpsc__extern(struct ck_ring *ring, unsigned int ticket) { ck_ring_enqueue_commit_mpsc(ring, ticket); }
bool ck_ring_enqueue_mpsc__extern(struct ck_ring *ring, struct ck_ring_buffer *buffer, const void *entry) { return ck_ring_enqueue_mpsc(ring, buffer, entry); }
bool ck_ring_enqueue_mpsc_size__extern(struct ck_ring *ring, struct ck_ring_buffer *buffer, const void *entry, unsigned int *size) { return ck_ring_enqueue_mpsc_size(ring, buffer, entry, size); }
bool ck_ring_dequeue_mpsc__extern(struct ck_ring *ring, const struct ck_ring_buffer *buffer, void *data) { return ck_ring_dequeue_mpsc(ring, buffer, data); }
void ck_spinlock_fas_init__extern(struct ck_spinlock_fas *lock) { ck_spinlock_fas_init(lock); }
bool ck_spinlock_fas_trylock__extern(struct ck_spinlock_fas *lock) { return ck_spinlock_fas_trylock(lock); }
bool ck_spinlock_fas_locked__extern(struct ck_spinlock_fas *lock) { return ck_spinlock_fas_locked(lock); }
void ck_spinlock_fas_lock__extern(struct ck_spinlock_fas *lock) { ck_spinlock_fas_lock(lock); }
void ck_spinlock_fas_lock_eb__extern(struct ck_spinlock_fas *lock) { ck_spinlock_fas_lock_eb(lock); }
void ck_spinlock_fas_unlock__extern(struct ck_spinlock_fas *lock) { ck_spinlock_fas_unlock(lock); }
