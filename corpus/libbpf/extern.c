#include "wrapper.h"

// Static wrappers

__u16 btf_kind__extern(const struct btf_type *t) { return btf_kind(t); }
__u16 btf_vlen__extern(const struct btf_type *t) { return btf_vlen(t); }
bool btf_kflag__extern(const struct btf_type *t) { return btf_kflag(t); }
bool btf_is_void__extern(const struct btf_type *t) { return btf_is_void(t); }
bool btf_is_int__extern(const struct btf_type *t) { return btf_is_int(t); }
bool btf_is_ptr__extern(const struct btf_type *t) { return btf_is_ptr(t); }
bool btf_is_array__extern(const struct btf_type *t) { return btf_is_array(t); }
bool btf_is_struct__extern(const struct btf_type *t) { return btf_is_struct(t); }
bool btf_is_union__extern(const struct btf_type *t) { return btf_is_union(t); }
bool btf_is_composite__extern(const struct btf_type *t) { return btf_is_composite(t); }
bool btf_is_enum__extern(const struct btf_type *t) { return btf_is_enum(t); }
bool btf_is_enum64__extern(const struct btf_type *t) { return btf_is_enum64(t); }
bool btf_is_fwd__extern(const struct btf_type *t) { return btf_is_fwd(t); }
bool btf_is_typedef__extern(const struct btf_type *t) { return btf_is_typedef(t); }
bool btf_is_volatile__extern(const struct btf_type *t) { return btf_is_volatile(t); }
bool btf_is_const__extern(const struct btf_type *t) { return btf_is_const(t); }
bool btf_is_restrict__extern(const struct btf_type *t) { return btf_is_restrict(t); }
bool btf_is_mod__extern(const struct btf_type *t) { return btf_is_mod(t); }
bool btf_is_func__extern(const struct btf_type *t) { return btf_is_func(t); }
bool btf_is_func_proto__extern(const struct btf_type *t) { return btf_is_func_proto(t); }
bool btf_is_var__extern(const struct btf_type *t) { return btf_is_var(t); }
bool btf_is_datasec__extern(const struct btf_type *t) { return btf_is_datasec(t); }
bool btf_is_float__extern(const struct btf_type *t) { return btf_is_float(t); }
bool btf_is_decl_tag__extern(const struct btf_type *t) { return btf_is_decl_tag(t); }
bool btf_is_type_tag__extern(const struct btf_type *t) { return btf_is_type_tag(t); }
bool btf_is_any_enum__extern(const struct btf_type *t) { return btf_is_any_enum(t); }
bool btf_kind_core_compat__extern(const struct btf_type *t1, const struct btf_type *t2) { return btf_kind_core_compat(t1, t2); }
__u8 btf_int_encoding__extern(const struct btf_type *t) { return btf_int_encoding(t); }
__u8 btf_int_offset__extern(const struct btf_type *t) { return btf_int_offset(t); }
__u8 btf_int_bits__extern(const struct btf_type *t) { return btf_int_bits(t); }
struct btf_array *btf_array__extern(const struct btf_type *t) { return btf_array(t); }
struct btf_enum *btf_enum__extern(const struct btf_type *t) { return btf_enum(t); }
struct btf_enum64 *btf_enum64__extern(const struct btf_type *t) { return btf_enum64(t); }
__u64 btf_enum64_value__extern(const struct btf_enum64 *e) { return btf_enum64_value(e); }
struct btf_member *btf_members__extern(const struct btf_type *t) { return btf_members(t); }
__u32 btf_member_bit_offset__extern(const struct btf_type *t, __u32 member_idx) { return btf_member_bit_offset(t, member_idx); }
__u32 btf_member_bitfield_size__extern(const struct btf_type *t, __u32 member_idx) { return btf_member_bitfield_size(t, member_idx); }
struct btf_param *btf_params__extern(const struct btf_type *t) { return btf_params(t); }
struct btf_var *btf_var__extern(const struct btf_type *t) { return btf_var(t); }
struct btf_var_secinfo *btf_var_secinfos__extern(const struct btf_type *t) { return btf_var_secinfos(t); }
