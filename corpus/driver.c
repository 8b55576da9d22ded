/*
 * The one main() of every corpus program: it calls corpus_run(iterations), defined by the Rust
 * crate (main.rs, built out of line, with local-lto, or with full -O2 over merged bitcode) or by
 * the plain C baseline (ideal.c), and prints the checksum. Callgrind counts the whole process at
 * two iteration counts; the difference divided by the extra iterations is the cost of one.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

uint64_t corpus_run(uint64_t iterations);

int main(int argc, char **argv)
{
	uint64_t iterations = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000;
	printf("%" PRIu64 " iterations: %016" PRIx64 "\n", iterations, corpus_run(iterations));
	return 0;
}
