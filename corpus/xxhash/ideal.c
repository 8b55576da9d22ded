/* The loop of main.rs written in plain C against the same header: the "ideal C" baseline. */
#include <stdint.h>
#include <string.h>
#include "wrapper.h"

static XXH3_state_t state;

__attribute__((noinline)) static uint64_t finish(uint64_t acc, uint64_t digest)
{
	uint64_t x = acc ^ ((digest << 17) | (digest >> 47));
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	return x ^ (x >> 29);
}

uint64_t corpus_run(uint64_t iterations)
{
	XXH3_64bits_reset(&state);
	uint64_t acc = 0;
	unsigned char key[16];
	for (uint64_t i = 0; i < iterations; i++) {
		memcpy(key, &i, 8);
		memcpy(key + 8, &acc, 8);
		acc += XXH3_64bits(key, sizeof key);
		acc ^= XXH64(key, sizeof key, i);
		XXH3_64bits_update(&state, key, sizeof key);
	}
	return finish(acc, XXH3_64bits_digest(&state));
}
