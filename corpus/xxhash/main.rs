//! xxHash from Rust through bindgen-style wrappers (bindings.rs, extern.c), as a key-value store
//! uses it: each record's 16-byte key and 40-byte value are hashed one-shot (XXH3 for the index,
//! XXH64 for a checksum) and fed to a streaming XXH3 state (a digest of the log) through a small
//! Rust type, so each function is called from more than one place. ideal.c is the same loop in C.
#![no_std]

#[allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code)]
mod bindings;

use bindings::*;
use core::ffi::c_void;

/// XXH_INLINE_ALL renames the state type by token pasting (xxhash 0.8.1): this is XXH3_state_t.
static mut LOG: XXH_NAMESPACEXXH3_state_t = unsafe { core::mem::zeroed() };

struct Log(*mut XXH_NAMESPACEXXH3_state_t);

impl Log {
    #[inline]
    unsafe fn append(&self, bytes: &[u8]) {
        XXH_INLINE_XXH3_64bits_update(self.0, bytes.as_ptr().cast::<c_void>(), bytes.len());
    }
}

#[inline]
fn xxh3(bytes: &[u8]) -> u64 {
    unsafe { XXH_INLINE_XXH3_64bits(bytes.as_ptr().cast::<c_void>(), bytes.len()) }
}

#[inline]
fn xxh64(bytes: &[u8], seed: u64) -> u64 {
    unsafe { XXH_INLINE_XXH64(bytes.as_ptr().cast::<c_void>(), bytes.len(), seed) }
}

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
    let log = Log(&raw mut LOG);
    XXH_INLINE_XXH3_64bits_reset(log.0);
    let mut acc: u64 = 0;
    let mut key = [0u8; 16];
    let mut value = [0u8; 40];
    let mut i: u64 = 0;
    while i < iterations {
        key[..8].copy_from_slice(&i.to_le_bytes());
        key[8..].copy_from_slice(&acc.to_le_bytes());
        value[..8].copy_from_slice(&acc.rotate_left(7).to_le_bytes());
        value[32..].copy_from_slice(&i.wrapping_mul(3).to_le_bytes());
        acc = acc.wrapping_add(xxh3(&key));
        acc ^= xxh64(&key, i);
        acc = acc.wrapping_add(xxh3(&value));
        acc ^= xxh64(&value, acc);
        log.append(&key);
        log.append(&value);
        i += 1;
    }
    finish(acc, XXH_INLINE_XXH3_64bits_digest(log.0))
}
