//! xxHash from Rust through bindgen-style wrappers (bindings.rs, extern.c), as a hash table or a
//! content-addressed store uses it: each 16-byte key is hashed one-shot with XXH3 and XXH64, and
//! fed to a streaming XXH3 state whose digest ends the run. ideal.c is the same loop in C.
#![no_std]

#[allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code)]
mod bindings;

use bindings::*;
use core::ffi::c_void;

/// XXH_INLINE_ALL renames the state type by token pasting (xxhash 0.8.1): this is XXH3_state_t.
static mut STATE: XXH_NAMESPACEXXH3_state_t = unsafe { core::mem::zeroed() };

/// Rust code that calls no helper: local-lto must leave it as rustc made it.
#[inline(never)]
fn finish(acc: u64, digest: u64) -> u64 {
    let mut x = acc ^ digest.rotate_left(17);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^ (x >> 29)
}

#[no_mangle]
pub unsafe extern "C" fn corpus_run(iterations: u64) -> u64 {
    let state = &raw mut STATE;
    XXH_INLINE_XXH3_64bits_reset(state);
    let mut acc: u64 = 0;
    let mut key = [0u8; 16];
    let mut i: u64 = 0;
    while i < iterations {
        key[..8].copy_from_slice(&i.to_le_bytes());
        key[8..].copy_from_slice(&acc.to_le_bytes());
        let input = key.as_ptr().cast::<c_void>();
        acc = acc.wrapping_add(XXH_INLINE_XXH3_64bits(input, key.len()));
        acc ^= XXH_INLINE_XXH64(input, key.len(), i);
        XXH_INLINE_XXH3_64bits_update(state, input, key.len());
        i += 1;
    }
    finish(acc, XXH_INLINE_XXH3_64bits_digest(state))
}
