//! Concurrency Kit from Rust through bindgen-style wrappers (bindings.rs, extern.c): a producer
//! takes a spinlock, pushes a value into an SPSC ring, and once the ring holds 16 values pops the
//! oldest and toggles its bit in a bitmap. ideal.c is the same loop in C.
#![no_std]

#[allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code)]
mod bindings;

use bindings::*;
use core::ffi::c_void;

const RING_SLOTS: u32 = 1024;
const BITS: u32 = 4096;
const BACKLOG: u32 = 16;

/// ck_bitmap ends in a flexible array: the bitmap's words follow its header.
#[repr(C)]
struct Bitmap {
    head: ck_bitmap,
    words: [u32; (BITS / 32) as usize],
}

static mut LOCK: ck_spinlock_fas = unsafe { core::mem::zeroed() };
static mut RING: ck_ring = unsafe { core::mem::zeroed() };
static mut SLOTS: [ck_ring_buffer; RING_SLOTS as usize] = unsafe { core::mem::zeroed() };
static mut SEEN: Bitmap = unsafe { core::mem::zeroed() };

#[no_mangle]
pub unsafe extern "C" fn corpus_run(iterations: u64) -> u64 {
    let lock = &raw mut LOCK;
    let ring = &raw mut RING;
    let slots = (&raw mut SLOTS).cast::<ck_ring_buffer>();
    let seen = (&raw mut SEEN).cast::<ck_bitmap>();
    ck_spinlock_fas_init(lock);
    ck_ring_init(ring, RING_SLOTS);
    ck_bitmap_init(seen, BITS, false);

    let mut sum: u64 = 0;
    let mut i: u64 = 0;
    while i < iterations {
        ck_spinlock_fas_lock(lock);
        ck_ring_enqueue_spsc(ring, slots, (i + 1) as usize as *const c_void);
        if ck_ring_size(ring) > BACKLOG {
            let mut value: *mut c_void = core::ptr::null_mut();
            if ck_ring_dequeue_spsc(ring, slots, (&raw mut value).cast()) {
                let v = value as usize as u64;
                sum = sum.wrapping_mul(31).wrapping_add(v);
                let bit = (v % BITS as u64) as u32;
                if ck_bitmap_test(seen, bit) {
                    ck_bitmap_reset(seen, bit);
                } else {
                    ck_bitmap_set(seen, bit);
                }
            }
        }
        ck_spinlock_fas_unlock(lock);
        i += 1;
    }
    sum ^ ((ck_bitmap_count(seen, BITS) as u64) << 48) ^ ((ck_ring_size(ring) as u64) << 32)
}
