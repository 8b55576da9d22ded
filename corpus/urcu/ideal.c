/* The loop of main.rs written in plain C against the same headers: the "ideal C" baseline. */
#include <stddef.h>
#include <stdint.h>
#include "wrapper.h"

#define ITEMS 256

struct item {
	struct cds_lfht_node node;
	struct cds_list_head list;
	uint64_t key;
	uint64_t value;
};

static struct item table[ITEMS];
static CDS_LIST_HEAD(head);
static uint64_t hits;

static unsigned long hash_of(uint64_t key)
{
	return (unsigned long)(((key + 1) * 0x9e3779b97f4a7c15ULL) >> 7);
}

static int match_key(struct cds_lfht_node *node, const void *key)
{
	return caa_container_of(node, struct item, node)->key == *(const uint64_t *)key;
}

__attribute__((noinline)) static uint64_t list_order(struct cds_list_head *list)
{
	uint64_t order = 0;
	struct item *item;
	cds_list_for_each_entry(item, list, list)
		order = order * 257 + item->key;
	return order;
}

/* always_inline: rustc inlines the Rust version (#[inline], opt-level 3); clang -O2 would not. */
static inline __attribute__((always_inline)) uint64_t lookup_value(struct cds_lfht *ht, uint64_t key, struct cds_lfht_iter *iter)
{
	uint64_t value = 0;
	rcu_read_lock();
	cds_lfht_lookup(ht, hash_of(key), match_key, &key, iter);
	struct cds_lfht_node *node = cds_lfht_iter_get_node(iter);
	if (node) {
		value = caa_container_of(node, struct item, node)->value;
		uatomic_add(&hits, 1);
	}
	rcu_read_unlock();
	return value;
}

uint64_t corpus_run(uint64_t iterations)
{
	rcu_register_thread();
	struct cds_lfht *ht = cds_lfht_new(ITEMS, ITEMS, 0, 0, NULL);
	for (int k = 0; k < ITEMS; k++) {
		struct item *item = &table[k];
		item->key = k;
		item->value = ((uint64_t)k * k) ^ 0x5a5a;
		cds_lfht_node_init(&item->node);
		cds_lfht_add(ht, hash_of(k), &item->node);
		cds_list_add_tail_rcu(&item->list, &head);
	}

	uint64_t sum = 0;
	struct cds_lfht_iter iter;
	for (uint64_t i = 0; i < iterations; i++) {
		uint64_t key = (i * 0x9e3779b97f4a7c15ULL) >> 56;
		uint64_t other;
		sum += lookup_value(ht, key, &iter);
		other = lookup_value(ht, (key << 1) | (i & 1), &iter);
		sum += (other << 3) | (other >> 61);
		struct item *item = &table[key];
		cds_list_del_rcu(&item->list);
		cds_list_add_tail_rcu(&item->list, &head);
	}
	return sum ^ (hits << 40) ^ list_order(&head);
}
