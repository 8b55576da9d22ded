/* xxHash with XXH_INLINE_ALL (from the manifest's defines): every XXH function is static inline. */
#include <xxhash.h>
