/* The inline API of Concurrency Kit the corpus program uses: spinlock, SPSC ring, bitmap. */
#include <ck_bitmap.h>
#include <ck_ring.h>
#include <ck_spinlock.h>
