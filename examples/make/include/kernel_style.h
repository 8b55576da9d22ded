/*
 * Static inline functions of the kinds kernels and -sys crates wrap for Rust:
 * an atomic reference count, error pointers (IS_ERR), and an intrusive doubly linked list.
 * Rust cannot call these directly, so helpers.c exports a wrapper for each.
 */
#ifndef KERNEL_STYLE_H
#define KERNEL_STYLE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct { int counter; } refcount_t;

static inline void refcount_inc(refcount_t *r) {
	__atomic_fetch_add(&r->counter, 1, __ATOMIC_RELAXED);
}

/* Returns true when the count dropped to zero, like the kernel's refcount_dec_and_test(). */
static inline bool refcount_dec_and_test(refcount_t *r) {
	return __atomic_sub_fetch(&r->counter, 1, __ATOMIC_ACQ_REL) == 0;
}

#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) ((uintptr_t)(void *)(x) >= (uintptr_t)-MAX_ERRNO)

static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE(ptr); }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline void *ERR_PTR(long error) { return (void *)error; }

struct list_head { struct list_head *next, *prev; };

static inline void INIT_LIST_HEAD(struct list_head *list) {
	list->next = list;
	list->prev = list;
}

static inline void __list_add(struct list_head *entry, struct list_head *prev, struct list_head *next) {
	next->prev = entry;
	entry->next = next;
	entry->prev = prev;
	prev->next = entry;
}

static inline void list_add_tail(struct list_head *entry, struct list_head *head) {
	__list_add(entry, head->prev, head);
}

static inline void list_del(struct list_head *entry) {
	entry->next->prev = entry->prev;
	entry->prev->next = entry->next;
	entry->next = entry;
	entry->prev = entry;
}

static inline bool list_empty(const struct list_head *head) { return head->next == head; }

#endif
