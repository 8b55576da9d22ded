//! A Rust "driver" that uses kernel-style C APIs only through exported helper functions.
//! `main.c` calls the `extern "C"` functions at the bottom and prints their results.
#![no_std]

use core::ffi::{c_long, c_void};

#[repr(C)]
pub struct Refcount {
    counter: i32,
}

#[repr(C)]
pub struct ListHead {
    next: *mut ListHead,
    prev: *mut ListHead,
}

extern "C" {
    fn rust_helper_refcount_inc(r: *mut Refcount);
    fn rust_helper_refcount_dec_and_test(r: *mut Refcount) -> bool;
    fn rust_helper_IS_ERR(ptr: *const c_void) -> bool;
    fn rust_helper_PTR_ERR(ptr: *const c_void) -> c_long;
    fn rust_helper_ERR_PTR(error: c_long) -> *mut c_void;
    fn rust_helper_INIT_LIST_HEAD(list: *mut ListHead);
    fn rust_helper_list_add_tail(entry: *mut ListHead, head: *mut ListHead);
    fn rust_helper_list_del(entry: *mut ListHead);
    fn rust_helper_list_empty(head: *const ListHead) -> bool;
}

/// Takes `n` references and drops them again; returns how many drops reached zero
/// (exactly one when the count started at 1 and the final put is included).
#[no_mangle]
pub extern "C" fn rust_refcount_cycle(r: *mut Refcount, n: u32) -> u32 {
    let mut zeros = 0;
    unsafe {
        for _ in 0..n {
            rust_helper_refcount_inc(r);
        }
        for _ in 0..=n {
            if rust_helper_refcount_dec_and_test(r) {
                zeros += 1;
            }
        }
    }
    zeros
}

/// Counts the error pointers in `ptrs[0..len]` and sums their (negative) error codes.
#[no_mangle]
pub extern "C" fn rust_count_errors(ptrs: *const *const c_void, len: usize, sum: *mut c_long) -> usize {
    let mut errors = 0;
    let mut total: c_long = 0;
    let slice = unsafe { core::slice::from_raw_parts(ptrs, len) };
    for &p in slice {
        if unsafe { rust_helper_IS_ERR(p) } {
            errors += 1;
            total = total.wrapping_add(unsafe { rust_helper_PTR_ERR(p) });
        }
    }
    unsafe { *sum = total };
    errors
}

/// Returns ERR_PTR(-errno): how Rust code hands an error back to C in this style.
#[no_mangle]
pub extern "C" fn rust_make_error(errno: c_long) -> *mut c_void {
    unsafe { rust_helper_ERR_PTR(errno.wrapping_neg()) }
}

/// Links `count` nodes into a fresh list, unlinks every other one, and returns how many
/// remain, walking the list from `head`.
#[no_mangle]
pub extern "C" fn rust_list_exercise(head: *mut ListHead, nodes: *mut ListHead, count: usize) -> usize {
    unsafe {
        rust_helper_INIT_LIST_HEAD(head);
        for i in 0..count {
            let node = nodes.add(i);
            rust_helper_list_add_tail(node, head);
        }
        for i in (0..count).step_by(2) {
            rust_helper_list_del(nodes.add(i));
        }
        let mut remaining = 0;
        if !rust_helper_list_empty(head) {
            let mut at = (*head).next;
            while at != head {
                remaining += 1;
                at = (*at).next;
            }
        }
        remaining
    }
}
