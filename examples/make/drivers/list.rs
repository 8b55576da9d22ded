//! A Rust object, built as part of a module (`--cfg MODULE`, as Kbuild builds module objects),
//! using the intrusive list through its helpers.
#![no_std]

#[repr(C)]
pub struct ListHead {
    next: *mut ListHead,
    prev: *mut ListHead,
}

extern "C" {
    fn rust_helper_INIT_LIST_HEAD(list: *mut ListHead);
    fn rust_helper_list_add_tail(entry: *mut ListHead, head: *mut ListHead);
    fn rust_helper_list_del(entry: *mut ListHead);
    fn rust_helper_list_empty(head: *const ListHead) -> bool;
}

/// Links `count` nodes into a fresh list, unlinks every other one, and counts what remains.
#[no_mangle]
pub unsafe extern "C" fn rust_list_exercise(head: *mut ListHead, nodes: *mut ListHead, count: usize) -> usize {
    rust_helper_INIT_LIST_HEAD(head);
    let mut i = 0;
    while i < count {
        rust_helper_list_add_tail(nodes.add(i), head);
        i += 1;
    }
    i = 0;
    while i < count {
        rust_helper_list_del(nodes.add(i));
        i += 2;
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
