//! A Rust object using error pointers (IS_ERR, PTR_ERR, ERR_PTR) through their helpers.
#![no_std]

use core::ffi::{c_long, c_void};

extern "C" {
    fn rust_helper_IS_ERR(ptr: *const c_void) -> bool;
    fn rust_helper_PTR_ERR(ptr: *const c_void) -> c_long;
    fn rust_helper_ERR_PTR(error: c_long) -> *mut c_void;
}

/// Counts the error pointers in `ptrs[0..len]` and sums their (negative) error codes.
#[no_mangle]
pub unsafe extern "C" fn rust_count_errors(ptrs: *const *const c_void, len: usize, sum: *mut c_long) -> usize {
    let mut errors = 0;
    let mut total: c_long = 0;
    let mut i = 0;
    while i < len {
        let p = *ptrs.add(i);
        if rust_helper_IS_ERR(p) {
            errors += 1;
            total = total.wrapping_add(rust_helper_PTR_ERR(p));
        }
        i += 1;
    }
    *sum = total;
    errors
}

/// Returns ERR_PTR(-errno): how Rust code hands an error back to C in this style.
#[no_mangle]
pub extern "C" fn rust_make_error(errno: c_long) -> *mut c_void {
    unsafe { rust_helper_ERR_PTR(errno.wrapping_neg()) }
}
