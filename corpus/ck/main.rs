//! Concurrency Kit from Rust through bindgen-style wrappers (bindings.rs, extern.c): a two-stage
//! pipeline. Each stage is a spinlock-protected SPSC ring behind a small Rust type (as a -sys
//! crate's safe layer would have it), so the ring and lock functions are called from two places.
//! Stage one passes each value on once it holds 16; stage two toggles the value's bit in a bitmap.
//! ideal.c is the same loop in C.
#![no_std]

#[allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code)]
mod bindings;

use bindings::*;
use core::ffi::c_void;

const RING_SLOTS: u32 = 1024;
const BITS: u32 = 4096;
const BACKLOG: u32 = 16;

#[repr(C)]
struct Stage {
    lock: ck_spinlock_fas,
    ring: ck_ring,
    slots: [ck_ring_buffer; RING_SLOTS as usize],
}

impl Stage {
    unsafe fn init(this: *mut Stage) {
        ck_spinlock_fas_init(&raw mut (*this).lock);
        ck_ring_init(&raw mut (*this).ring, RING_SLOTS);
    }

    /// Pushes `value`; once the ring holds more than BACKLOG values, pops and returns the oldest.
    #[inline]
    unsafe fn push_pop(this: *mut Stage, value: u64) -> Option<u64> {
        let ring = &raw mut (*this).ring;
        let slots = (&raw mut (*this).slots).cast::<ck_ring_buffer>();
        ck_spinlock_fas_lock(&raw mut (*this).lock);
        ck_ring_enqueue_spsc(ring, slots, value as usize as *const c_void);
        let mut out = None;
        if ck_ring_size(ring) > BACKLOG {
            let mut popped: *mut c_void = core::ptr::null_mut();
            if ck_ring_dequeue_spsc(ring, slots, (&raw mut popped).cast()) {
                out = Some(popped as usize as u64);
            }
        }
        ck_spinlock_fas_unlock(&raw mut (*this).lock);
        out
    }
}

/// ck_bitmap ends in a flexible array: the bitmap's words follow its header.
#[repr(C)]
struct Bitmap {
    head: ck_bitmap,
    words: [u32; (BITS / 32) as usize],
}

static mut FIRST: Stage = unsafe { core::mem::zeroed() };
static mut SECOND: Stage = unsafe { core::mem::zeroed() };
static mut SEEN: Bitmap = unsafe { core::mem::zeroed() };

/// Rust code that calls no helper: local-lto must leave it as rustc made it.
#[inline(never)]
fn mix(sum: u64, v: u64) -> u64 {
    (sum ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29)
}

#[no_mangle]
pub unsafe extern "C" fn corpus_run(iterations: u64) -> u64 {
    let first = &raw mut FIRST;
    let second = &raw mut SECOND;
    let seen = (&raw mut SEEN).cast::<ck_bitmap>();
    Stage::init(first);
    Stage::init(second);
    ck_bitmap_init(seen, BITS, false);

    let mut sum: u64 = 0;
    let mut i: u64 = 0;
    while i < iterations {
        if let Some(v) = Stage::push_pop(first, i + 1) {
            if let Some(w) = Stage::push_pop(second, v.wrapping_mul(3)) {
                sum = sum.wrapping_mul(31).wrapping_add(w);
                let bit = (w % BITS as u64) as u32;
                if ck_bitmap_test(seen, bit) {
                    ck_bitmap_reset(seen, bit);
                } else {
                    ck_bitmap_set(seen, bit);
                }
            }
        }
        i += 1;
    }
    let rings = ((ck_ring_size(&raw const (*first).ring) as u64) << 8) | ck_ring_size(&raw const (*second).ring) as u64;
    mix(sum, ((ck_bitmap_count(seen, BITS) as u64) << 48) ^ (rings << 32))
}
