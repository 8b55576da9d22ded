/* The loop of main.rs written in plain C against the same headers: the "ideal C" baseline. */
#include <stdint.h>
#include "wrapper.h"

#define RING_SLOTS 1024u
#define BITS 4096u
#define BACKLOG 16u

struct stage {
	ck_spinlock_fas_t lock;
	struct ck_ring ring;
	struct ck_ring_buffer slots[RING_SLOTS];
};

static struct stage first, second;
static CK_BITMAP_INSTANCE(BITS) seen_storage;

static void stage_init(struct stage *stage)
{
	ck_spinlock_fas_init(&stage->lock);
	ck_ring_init(&stage->ring, RING_SLOTS);
}

/* Pushes value; once the ring holds more than BACKLOG values, pops the oldest into *out. */
/* always_inline: rustc inlines the Rust version (#[inline], opt-level 3); clang -O2 would not. */
static inline __attribute__((always_inline)) bool stage_push_pop(struct stage *stage, uint64_t value, uint64_t *out)
{
	bool popped = false;
	ck_spinlock_fas_lock(&stage->lock);
	ck_ring_enqueue_spsc(&stage->ring, stage->slots, (void *)(uintptr_t)value);
	if (ck_ring_size(&stage->ring) > BACKLOG) {
		void *entry = NULL;
		if (ck_ring_dequeue_spsc(&stage->ring, stage->slots, &entry)) {
			*out = (uintptr_t)entry;
			popped = true;
		}
	}
	ck_spinlock_fas_unlock(&stage->lock);
	return popped;
}

__attribute__((noinline)) static uint64_t mix(uint64_t sum, uint64_t v)
{
	uint64_t x = (sum ^ v) * 0x9e3779b97f4a7c15ULL;
	return (x << 29) | (x >> 35);
}

uint64_t corpus_run(uint64_t iterations)
{
	struct ck_bitmap *seen = &seen_storage.bitmap;
	stage_init(&first);
	stage_init(&second);
	ck_bitmap_init(seen, BITS, false);

	uint64_t sum = 0;
	for (uint64_t i = 0; i < iterations; i++) {
		uint64_t v, w;
		if (stage_push_pop(&first, i + 1, &v) && stage_push_pop(&second, v * 3, &w)) {
			sum = sum * 31 + w;
			unsigned int bit = (unsigned int)(w % BITS);
			if (ck_bitmap_test(seen, bit))
				ck_bitmap_reset(seen, bit);
			else
				ck_bitmap_set(seen, bit);
		}
	}
	uint64_t rings = ((uint64_t)ck_ring_size(&first.ring) << 8) | ck_ring_size(&second.ring);
	return mix(sum, ((uint64_t)ck_bitmap_count(seen, BITS) << 48) ^ (rings << 32));
}
