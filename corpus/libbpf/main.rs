//! libbpf from Rust through bindgen-style wrappers (bindings.rs, extern.c): builds a small BTF
//! with the library, then walks its types as BTF dumpers and loaders do, reading kinds, members,
//! bitfield offsets and enum values through btf.h's inline accessors. `btf__type_by_id` is a
//! library call in every build. ideal.c is the same walk in C.
#![no_std]

#[allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code)]
mod bindings;

use bindings::*;
use core::ffi::{c_char, c_int, c_uint};

#[repr(C)]
struct btf {
    _unused: [u8; 0],
}

// Exported library functions (not inline), declared as bindgen would declare them.
extern "C" {
    fn btf__new_empty() -> *mut btf;
    fn btf__free(btf: *mut btf);
    fn btf__type_cnt(btf: *const btf) -> c_uint;
    fn btf__type_by_id(btf: *const btf, id: c_uint) -> *const btf_type;
    fn btf__add_int(btf: *mut btf, name: *const c_char, byte_sz: usize, encoding: c_int) -> c_int;
    fn btf__add_struct(btf: *mut btf, name: *const c_char, sz: c_uint) -> c_int;
    fn btf__add_field(btf: *mut btf, name: *const c_char, type_id: c_int, bit_offset: c_uint, bit_size: c_uint) -> c_int;
    fn btf__add_ptr(btf: *mut btf, ref_type_id: c_int) -> c_int;
    fn btf__add_enum(btf: *mut btf, name: *const c_char, bytes_sz: c_uint) -> c_int;
    fn btf__add_enum_value(btf: *mut btf, name: *const c_char, value: i64) -> c_int;
}

fn name(text: &'static [u8]) -> *const c_char {
    text.as_ptr().cast()
}

/// Rust code that calls no helper: local-lto must leave it as rustc made it.
#[inline(never)]
unsafe fn build_types(btf: *mut btf) {
    let int_id = btf__add_int(btf, name(b"int\0"), 4, 1);
    let mut k: i64 = 0;
    while k < 16 {
        let s = btf__add_struct(btf, name(b"s\0"), 16);
        btf__add_field(btf, name(b"a\0"), int_id, 0, 0);
        btf__add_field(btf, name(b"b\0"), int_id, 32, 3);
        btf__add_field(btf, name(b"c\0"), int_id, 35, 5);
        btf__add_field(btf, name(b"d\0"), int_id, 64, 0);
        btf__add_ptr(btf, s);
        btf__add_enum(btf, name(b"e\0"), 4);
        btf__add_enum_value(btf, name(b"x\0"), k);
        btf__add_enum_value(btf, name(b"y\0"), k * 3);
        btf__add_enum_value(btf, name(b"z\0"), -k);
        k += 1;
    }
}

#[no_mangle]
pub unsafe extern "C" fn corpus_run(iterations: u64) -> u64 {
    let btf = btf__new_empty();
    build_types(btf);
    let last = btf__type_cnt(btf) - 1;
    let mut id: c_uint = 0;
    let mut sum: u64 = 0;
    let mut i: u64 = 0;
    while i < iterations {
        id = if id == last { 1 } else { id + 1 };
        let t = btf__type_by_id(btf, id);
        if btf_is_composite(t) {
            let members = btf_members(t);
            let vlen = btf_vlen(t) as u32;
            let mut j = 0;
            while j < vlen {
                sum = sum
                    .wrapping_add(btf_member_bit_offset(t, j) as u64)
                    .wrapping_add(btf_member_bitfield_size(t, j) as u64 * 7)
                    .wrapping_add((*members.add(j as usize)).type_ as u64);
                j += 1;
            }
        } else if btf_is_enum(t) {
            let values = btf_enum(t);
            let vlen = btf_vlen(t) as usize;
            let mut j = 0;
            while j < vlen {
                sum = sum.wrapping_add((*values.add(j)).val as i64 as u64);
                j += 1;
            }
        } else if btf_is_int(t) {
            sum = sum.wrapping_add(btf_int_bits(t) as u64 + btf_int_encoding(t) as u64);
        } else if btf_is_ptr(t) {
            sum = sum.wrapping_add(1);
        }
        sum = sum.rotate_left(5);
        i += 1;
    }
    btf__free(btf);
    sum
}
