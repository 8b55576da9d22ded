/* Exported wrappers, one per static inline function, as in the Linux kernel's rust/helpers/. */
#include <kernel_style.h>

void rust_helper_refcount_inc(refcount_t *r) { refcount_inc(r); }
bool rust_helper_refcount_dec_and_test(refcount_t *r) { return refcount_dec_and_test(r); }
bool rust_helper_IS_ERR(const void *ptr) { return IS_ERR(ptr); }
long rust_helper_PTR_ERR(const void *ptr) { return PTR_ERR(ptr); }
void *rust_helper_ERR_PTR(long error) { return ERR_PTR(error); }
void rust_helper_INIT_LIST_HEAD(struct list_head *list) { INIT_LIST_HEAD(list); }
void rust_helper_list_add_tail(struct list_head *entry, struct list_head *head) { list_add_tail(entry, head); }
void rust_helper_list_del(struct list_head *entry) { list_del(entry); }
bool rust_helper_list_empty(const struct list_head *head) { return list_empty(head); }
