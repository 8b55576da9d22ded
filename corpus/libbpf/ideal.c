/* The walk of main.rs written in plain C against the same header: the "ideal C" baseline. */
#include <stdint.h>
#include "wrapper.h"

__attribute__((noinline)) static void build_types(struct btf *btf)
{
	int int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	for (int64_t k = 0; k < 16; k++) {
		int s = btf__add_struct(btf, "s", 16);
		btf__add_field(btf, "a", int_id, 0, 0);
		btf__add_field(btf, "b", int_id, 32, 3);
		btf__add_field(btf, "c", int_id, 35, 5);
		btf__add_field(btf, "d", int_id, 64, 0);
		btf__add_ptr(btf, s);
		btf__add_enum(btf, "e", 4);
		btf__add_enum_value(btf, "x", k);
		btf__add_enum_value(btf, "y", k * 3);
		btf__add_enum_value(btf, "z", -k);
	}
}

uint64_t corpus_run(uint64_t iterations)
{
	struct btf *btf = btf__new_empty();
	build_types(btf);
	unsigned int last = btf__type_cnt(btf) - 1, id = 0;
	uint64_t sum = 0;
	for (uint64_t i = 0; i < iterations; i++) {
		id = id == last ? 1 : id + 1;
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (btf_is_composite(t)) {
			const struct btf_member *members = btf_members(t);
			uint32_t vlen = btf_vlen(t);
			for (uint32_t j = 0; j < vlen; j++)
				sum += btf_member_bit_offset(t, j) + (uint64_t)btf_member_bitfield_size(t, j) * 7 + members[j].type;
		} else if (btf_is_enum(t)) {
			const struct btf_enum *values = btf_enum(t);
			uint32_t vlen = btf_vlen(t);
			for (uint32_t j = 0; j < vlen; j++)
				sum += (uint64_t)(int64_t)values[j].val;
		} else if (btf_is_int(t)) {
			sum += (uint64_t)btf_int_bits(t) + btf_int_encoding(t);
		} else if (btf_is_ptr(t)) {
			sum += 1;
		}
		sum = (sum << 5) | (sum >> 59);
	}
	btf__free(btf);
	return sum;
}
