//! Userspace RCU from Rust through bindgen-style wrappers (bindings.rs, extern.c): each iteration
//! looks a key up in a lock-free hash table inside an RCU read-side critical section, counts the
//! hit with an atomic add, then moves the item to the tail of an RCU list. The lookup itself is
//! liburcu-cds code (a library call in every build); the read-side lock, list updates, atomics and
//! node accessors are the inline API. ideal.c is the same loop in C.
#![no_std]

#[allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code)]
mod bindings;

use bindings::*;
use core::ffi::{c_int, c_ulong, c_void};

// Exported library functions (not inline), declared as bindgen would declare them.
extern "C" {
    fn urcu_memb_register_thread();
    fn cds_lfht_add(ht: *mut cds_lfht, hash: c_ulong, node: *mut cds_lfht_node);
    fn cds_lfht_lookup(
        ht: *mut cds_lfht,
        hash: c_ulong,
        match_: Option<unsafe extern "C" fn(*mut cds_lfht_node, *const c_void) -> c_int>,
        key: *const c_void,
        iter: *mut cds_lfht_iter,
    );
}

const ITEMS: usize = 256;

/// An item in both structures: the hash node first, so a node pointer is an item pointer.
#[repr(C)]
struct Item {
    node: cds_lfht_node,
    list: cds_list_head,
    key: u64,
    value: u64,
}

static mut TABLE: [Item; ITEMS] = unsafe { core::mem::zeroed() };
static mut HEAD: cds_list_head = cds_list_head { next: core::ptr::null_mut(), prev: core::ptr::null_mut() };
static mut HITS: u64 = 0;

fn hash_of(key: u64) -> c_ulong {
    (key.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 7) as c_ulong
}

unsafe extern "C" fn match_key(node: *mut cds_lfht_node, key: *const c_void) -> c_int {
    ((*node.cast::<Item>()).key == *key.cast::<u64>()) as c_int
}

/// Rust code that calls no helper: local-lto must leave it as rustc made it.
#[inline(never)]
unsafe fn list_order(head: *mut cds_list_head) -> u64 {
    let offset = core::mem::offset_of!(Item, list);
    let mut order: u64 = 0;
    let mut pos = (*head).next;
    while pos != head {
        let item = pos.cast::<u8>().sub(offset).cast::<Item>();
        order = order.wrapping_mul(257).wrapping_add((*item).key);
        pos = (*pos).next;
    }
    order
}

/// A read-side lookup as a -sys crate's safe layer would write it: lock, look up, read, unlock.
#[inline]
unsafe fn lookup_value(ht: *mut cds_lfht, key: u64, iter: *mut cds_lfht_iter, hits: *mut u64) -> u64 {
    let mut value = 0;
    _urcu_memb_read_lock();
    cds_lfht_lookup(ht, hash_of(key), Some(match_key), (&raw const key).cast(), iter);
    let node = cds_lfht_iter_get_node(iter);
    if !node.is_null() {
        value = (*node.cast::<Item>()).value;
        __uatomic_add(hits.cast(), 1, 8);
    }
    _urcu_memb_read_unlock();
    value
}

#[no_mangle]
pub unsafe extern "C" fn corpus_run(iterations: u64) -> u64 {
    let head = &raw mut HEAD;
    let table = (&raw mut TABLE).cast::<Item>();
    let hits = &raw mut HITS;
    urcu_memb_register_thread();
    let ht = cds_lfht_new(ITEMS as c_ulong, ITEMS as c_ulong, 0, 0, core::ptr::null_mut());
    (*head).next = head;
    (*head).prev = head;
    let mut k = 0;
    while k < ITEMS {
        let item = table.add(k);
        (*item).key = k as u64;
        (*item).value = (k as u64).wrapping_mul(k as u64) ^ 0x5a5a;
        cds_lfht_node_init(&raw mut (*item).node);
        cds_lfht_add(ht, hash_of(k as u64), &raw mut (*item).node);
        cds_list_add_tail_rcu(&raw mut (*item).list, head);
        k += 1;
    }

    let mut sum: u64 = 0;
    let mut iter: cds_lfht_iter = core::mem::zeroed();
    let mut i: u64 = 0;
    while i < iterations {
        let key = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56;
        // Two readers: the key, and (a miss half of the time) a key the table may not hold.
        sum = sum.wrapping_add(lookup_value(ht, key, &raw mut iter, hits));
        sum = sum.wrapping_add(lookup_value(ht, (key << 1) | (i & 1), &raw mut iter, hits).rotate_left(3));
        let item = table.add(key as usize);
        cds_list_del_rcu(&raw mut (*item).list);
        cds_list_add_tail_rcu(&raw mut (*item).list, head);
        i += 1;
    }
    sum ^ (*hits << 40) ^ list_order(head)
}
