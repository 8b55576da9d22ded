//! Builds (a) and (b): the benchmark loops in Rust, calling the C helpers through their exported
//! `rust_helper_*` wrappers (helpers.c). (a) links the wrappers out of line; (b) is the same
//! source built with `local-lto build`. The loops match bench.c line for line; raw pointers keep
//! them free of bounds checks (and of calls into `core`), like the C.
#![no_std]

use core::ffi::c_void;

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
    fn rust_helper_refcount_inc(r: *mut Refcount);
    fn rust_helper_IS_ERR(ptr: *const c_void) -> bool;
    fn rust_helper_list_is_head(list: *const ListHead, head: *const ListHead) -> bool;
    fn rust_helper_test_bit(nr: usize, addr: *const usize) -> bool;
    fn rust_helper_spin_lock(lock: *mut SpinLock);
    fn rust_helper_spin_unlock(lock: *mut SpinLock);
}

#[no_mangle]
pub unsafe extern "C" fn bench_refcount(r: *mut Refcount, iterations: u64) -> u64 {
    let mut i = 0;
    while i < iterations {
        rust_helper_refcount_inc(r);
        i += 1;
    }
    (*r).refs as u64
}

#[no_mangle]
pub unsafe extern "C" fn bench_is_err(ptrs: *const *const c_void, len: usize, passes: u64) -> u64 {
    let mut errors = 0;
    for _ in 0..passes {
        for i in 0..len {
            if rust_helper_IS_ERR(*ptrs.add(i)) {
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
        while !rust_helper_list_is_head(pos, head) {
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
            if rust_helper_test_bit(nr, bitmap) {
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
        rust_helper_spin_lock(lock);
        *counter += 1;
        rust_helper_spin_unlock(lock);
        i += 1;
    }
    *counter
}
