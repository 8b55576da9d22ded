/*
 * Userspace RCU's default (memb) flavour with _LGPL_SOURCE (from the manifest's defines): the
 * read side, the RCU list and the atomics are static inline; the lock-free hash table's lookup is
 * a library call whose node accessors are inline.
 */
#include <urcu.h>
#include <urcu/rculfhash.h>
#include <urcu/rculist.h>
#include <urcu/uatomic.h>
