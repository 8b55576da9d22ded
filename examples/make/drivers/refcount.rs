//! A Rust object using the kernel-style reference count through its helpers.
#![no_std]

#[repr(C)]
pub struct Refcount {
    counter: i32,
}

extern "C" {
    fn rust_helper_refcount_inc(r: *mut Refcount);
    fn rust_helper_refcount_dec_and_test(r: *mut Refcount) -> bool;
}

/// Takes `n` references and drops them again with the final put: returns how many drops reached zero.
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
