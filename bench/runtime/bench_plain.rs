//! Build (d): the same loops in plain Rust, with Rust's own versions of the helpers (atomics from
//! `core`, pointer comparisons, shifts) instead of C. Only the slow paths stay in C (main.c),
//! as they would in a kernel. Raw pointers keep the loops the same shape as bench.c.
#![no_std]

use core::ffi::c_void;
use core::sync::atomic::{AtomicI32, AtomicU32, Ordering};

#[repr(C)]
pub struct Refcount {
    refs: i32,
}

#[repr(C)]
pub struct ListHead {
    next: *mut ListHead,
    prev: *mut ListHead,
}

#[repr(C)]
pub struct SpinLock {
    val: u32,
}

extern "C" {
    fn refcount_warn_saturate(r: *mut Refcount, how: i32);
    fn spin_lock_slowpath(lock: *mut SpinLock, val: u32);
}

const MAX_ERRNO: usize = 4095;

#[inline]
unsafe fn refcount_inc(r: *mut Refcount) {
    let old = AtomicI32::from_ptr(&raw mut (*r).refs).fetch_add(1, Ordering::Relaxed);
    if old == 0 {
        refcount_warn_saturate(r, 1);
    } else if old < 0 || old.wrapping_add(1) < 0 {
        refcount_warn_saturate(r, 0);
    }
}

#[inline]
fn is_err(ptr: *const c_void) -> bool {
    ptr as usize >= MAX_ERRNO.wrapping_neg()
}

#[inline]
unsafe fn test_bit(nr: usize, addr: *const usize) -> bool {
    (*addr.add(nr / usize::BITS as usize) >> (nr & (usize::BITS as usize - 1))) & 1 != 0
}

#[inline]
unsafe fn spin_lock(lock: *mut SpinLock) {
    if let Err(val) = AtomicU32::from_ptr(&raw mut (*lock).val).compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed) {
        spin_lock_slowpath(lock, val);
    }
}

#[inline]
unsafe fn spin_unlock(lock: *mut SpinLock) {
    AtomicU32::from_ptr(&raw mut (*lock).val).store(0, Ordering::Release);
}

#[no_mangle]
pub unsafe extern "C" fn bench_refcount(r: *mut Refcount, iterations: u64) -> u64 {
    let mut i = 0;
    while i < iterations {
        refcount_inc(r);
        i += 1;
    }
    (*r).refs as u64
}

#[no_mangle]
pub unsafe extern "C" fn bench_is_err(ptrs: *const *const c_void, len: usize, passes: u64) -> u64 {
    let mut errors = 0;
    for _ in 0..passes {
        for i in 0..len {
            if is_err(*ptrs.add(i)) {
                errors += 1;
            }
        }
    }
    errors
}

#[no_mangle]
pub unsafe extern "C" fn bench_list(head: *const ListHead, passes: u64) -> u64 {
    let mut nodes = 0;
    for _ in 0..passes {
        let mut pos = (*head).next as *const ListHead;
        while pos != head {
            nodes += 1;
            pos = (*pos).next;
        }
    }
    nodes
}

#[no_mangle]
pub unsafe extern "C" fn bench_test_bit(bitmap: *const usize, bits: usize, passes: u64) -> u64 {
    let mut set = 0;
    for _ in 0..passes {
        for nr in 0..bits {
            if test_bit(nr, bitmap) {
                set += 1;
            }
        }
    }
    set
}

#[no_mangle]
pub unsafe extern "C" fn bench_lock(lock: *mut SpinLock, counter: *mut u64, iterations: u64) -> u64 {
    let mut i = 0;
    while i < iterations {
        spin_lock(lock);
        *counter += 1;
        spin_unlock(lock);
        i += 1;
    }
    *counter
}
