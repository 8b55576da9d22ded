/* The loop of main.rs written in plain C against the same headers: the "ideal C" baseline. */
#include <stdint.h>
#include "wrapper.h"

#define RING_SLOTS 1024u
#define BITS 4096u
#define BACKLOG 16u

static ck_spinlock_fas_t lock;
static struct ck_ring ring;
static struct ck_ring_buffer slots[RING_SLOTS];
static CK_BITMAP_INSTANCE(BITS) seen_storage;

uint64_t corpus_run(uint64_t iterations)
{
	struct ck_bitmap *seen = &seen_storage.bitmap;
	ck_spinlock_fas_init(&lock);
	ck_ring_init(&ring, RING_SLOTS);
	ck_bitmap_init(seen, BITS, false);

	uint64_t sum = 0;
	for (uint64_t i = 0; i < iterations; i++) {
		ck_spinlock_fas_lock(&lock);
		ck_ring_enqueue_spsc(&ring, slots, (void *)(uintptr_t)(i + 1));
		if (ck_ring_size(&ring) > BACKLOG) {
			void *value = NULL;
			if (ck_ring_dequeue_spsc(&ring, slots, &value)) {
				uint64_t v = (uintptr_t)value;
				sum = sum * 31 + v;
				unsigned int bit = (unsigned int)(v % BITS);
				if (ck_bitmap_test(seen, bit))
					ck_bitmap_reset(seen, bit);
				else
					ck_bitmap_set(seen, bit);
			}
		}
		ck_spinlock_fas_unlock(&lock);
	}
	return sum ^ ((uint64_t)ck_bitmap_count(seen, BITS) << 48) ^ ((uint64_t)ck_ring_size(&ring) << 32);
}
