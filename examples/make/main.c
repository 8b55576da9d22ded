/* Drives the Rust object and prints results: the same output is expected from the
 * out-of-line build (Rust object + helper object) and from the local-lto object. */
#include <stdio.h>
#include <kernel_style.h>

unsigned rust_refcount_cycle(refcount_t *r, unsigned n);
size_t rust_count_errors(const void *const *ptrs, size_t len, long *sum);
void *rust_make_error(long errno_value);
size_t rust_list_exercise(struct list_head *head, struct list_head *nodes, size_t count);

int main(void) {
	refcount_t ref = { 1 };
	unsigned zeros = rust_refcount_cycle(&ref, 1000);
	printf("refcount: %u zero crossing(s), final count %d\n", zeros, ref.counter);

	int objects[4];
	const void *ptrs[8] = { &objects[0], rust_make_error(12), &objects[1], rust_make_error(2),
				&objects[2], ERR_PTR(-22), &objects[3], NULL };
	long sum = 0;
	size_t errors = rust_count_errors(ptrs, 8, &sum);
	printf("errors: %zu error pointer(s), errno sum %ld\n", errors, sum);

	struct list_head head, nodes[11];
	size_t remaining = rust_list_exercise(&head, nodes, 11);
	printf("list: %zu node(s) left of 11\n", remaining);
	return 0;
}
