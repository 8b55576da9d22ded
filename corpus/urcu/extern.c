#include "wrapper.h"

// Static wrappers

unsigned long __uatomic_cmpxchg__extern(void *addr, unsigned long old, unsigned long _new, int len) { return __uatomic_cmpxchg(addr, old, _new, len); }
unsigned long __uatomic_exchange__extern(void *addr, unsigned long val, int len) { return __uatomic_exchange(addr, val, len); }
unsigned long __uatomic_add_return__extern(void *addr, unsigned long val, int len) { return __uatomic_add_return(addr, val, len); }
void __uatomic_and__extern(void *addr, unsigned long val, int len) { __uatomic_and(addr, val, len); }
void __uatomic_or__extern(void *addr, unsigned long val, int len) { __uatomic_or(addr, val, len); }
void __uatomic_add__extern(void *addr, unsigned long val, int len) { __uatomic_add(addr, val, len); }
void __uatomic_inc__extern(void *addr, int len) { __uatomic_inc(addr, len); }
void __uatomic_dec__extern(void *addr, int len) { __uatomic_dec(addr, len); }
void cds_list_add__extern(struct cds_list_head *newp, struct cds_list_head *head) { cds_list_add(newp, head); }
void cds_list_add_tail__extern(struct cds_list_head *newp, struct cds_list_head *head) { cds_list_add_tail(newp, head); }
void cds_list_del__extern(struct cds_list_head *elem) { cds_list_del(elem); }
void cds_list_del_init__extern(struct cds_list_head *elem) { cds_list_del_init(elem); }
void cds_list_move__extern(struct cds_list_head *elem, struct cds_list_head *head) { cds_list_move(elem, head); }
void cds_list_replace__extern(struct cds_list_head *old, struct cds_list_head *_new) { cds_list_replace(old, _new); }
void cds_list_splice__extern(struct cds_list_head *add, struct cds_list_head *head) { cds_list_splice(add, head); }
int cds_list_empty__extern(struct cds_list_head *head) { return cds_list_empty(head); }
void cds_list_replace_init__extern(struct cds_list_head *old, struct cds_list_head *_new) { cds_list_replace_init(old, _new); }
void urcu_memb_smp_mb_slave__extern(void) { urcu_memb_smp_mb_slave(); }
void _urcu_memb_read_lock_update__extern(unsigned long tmp) { _urcu_memb_read_lock_update(tmp); }
void _urcu_memb_read_lock__extern(void) { _urcu_memb_read_lock(); }
void _urcu_memb_read_unlock_update_and_wakeup__extern(unsigned long tmp) { _urcu_memb_read_unlock_update_and_wakeup(tmp); }
void _urcu_memb_read_unlock__extern(void) { _urcu_memb_read_unlock(); }
int _urcu_memb_read_ongoing__extern(void) { return _urcu_memb_read_ongoing(); }
void urcu_memb_quiescent_state__extern(void) { urcu_memb_quiescent_state(); }
void urcu_memb_thread_offline__extern(void) { urcu_memb_thread_offline(); }
void urcu_memb_thread_online__extern(void) { urcu_memb_thread_online(); }
struct cds_lfht_node *cds_lfht_iter_get_node__extern(struct cds_lfht_iter *iter) { return cds_lfht_iter_get_node(iter); }
void cds_lfht_node_init__extern(struct cds_lfht_node *node) { cds_lfht_node_init(node); }
struct cds_lfht *cds_lfht_new_flavor__extern(unsigned long init_size, unsigned long min_nr_alloc_buckets, unsigned long max_nr_buckets, int flags, const struct rcu_flavor_struct *flavor, pthread_attr_t *attr) { return cds_lfht_new_flavor(init_size, min_nr_alloc_buckets, max_nr_buckets, flags, flavor, attr); }
struct cds_lfht *cds_lfht_new__extern(unsigned long init_size, unsigned long min_nr_alloc_buckets, unsigned long max_nr_buckets, int flags, pthread_attr_t *attr) { return cds_lfht_new(init_size, min_nr_alloc_buckets, max_nr_buckets, flags, attr); }
void cds_list_add_rcu__extern(struct cds_list_head *newp, struct cds_list_head *head) { cds_list_add_rcu(newp, head); }
void cds_list_add_tail_rcu__extern(struct cds_list_head *newp, struct cds_list_head *head) { cds_list_add_tail_rcu(newp, head); }
void cds_list_replace_rcu__extern(struct cds_list_head *old, struct cds_list_head *_new) { cds_list_replace_rcu(old, _new); }
void cds_list_del_rcu__extern(struct cds_list_head *elem) { cds_list_del_rcu(elem); }
