/* The loop of main.rs written in plain C against the same header: the "ideal C" baseline. */
#include <stdint.h>
#include <string.h>
#include "wrapper.h"

static XXH3_state_t log_state;

__attribute__((noinline)) static uint64_t finish(uint64_t acc, uint64_t digest)
{
	uint64_t x = acc ^ ((digest << 17) | (digest >> 47));
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	return x ^ (x >> 29);
}

uint64_t corpus_run(uint64_t iterations)
{
	XXH3_64bits_reset(&log_state);
	uint64_t acc = 0;
	unsigned char key[16];
	unsigned char value[40] = { 0 };
	for (uint64_t i = 0; i < iterations; i++) {
		uint64_t rotated = (acc << 7) | (acc >> 57), scaled = i * 3;
		memcpy(key, &i, 8);
		memcpy(key + 8, &acc, 8);
		memcpy(value, &rotated, 8);
		memcpy(value + 32, &scaled, 8);
		acc += XXH3_64bits(key, sizeof key);
		acc ^= XXH64(key, sizeof key, i);
		acc += XXH3_64bits(value, sizeof value);
		acc ^= XXH64(value, sizeof value, acc);
		XXH3_64bits_update(&log_state, key, sizeof key);
		XXH3_64bits_update(&log_state, value, sizeof value);
	}
	return finish(acc, XXH3_64bits_digest(&log_state));
}
