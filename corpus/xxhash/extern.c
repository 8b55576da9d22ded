#include "wrapper.h"

// Static wrappers

XXH32_hash_t XXH_INLINE_XXH32__extern(const void *input, size_t len, XXH32_hash_t seed) { return XXH_INLINE_XXH32(input, len, seed); }
XXH_NAMESPACEXXH32_state_t *XXH_INLINE_XXH32_createState__extern(void) { return XXH_INLINE_XXH32_createState(); }
XXH_NAMESPACEXXH_errorcode XXH_INLINE_XXH32_freeState__extern(XXH_NAMESPACEXXH32_state_t *statePtr) { return XXH_INLINE_XXH32_freeState(statePtr); }
void XXH_INLINE_XXH32_copyState__extern(XXH_NAMESPACEXXH32_state_t *dstState, const XXH_NAMESPACEXXH32_state_t *srcState) { XXH_INLINE_XXH32_copyState(dstState, srcState); }
XXH_NAMESPACEXXH_errorcode XXH_INLINE_XXH32_reset__extern(XXH_NAMESPACEXXH32_state_t *statePtr, XXH32_hash_t seed) { return XXH_INLINE_XXH32_reset(statePtr, seed); }
XXH_NAMESPACEXXH_errorcode XXH_INLINE_XXH32_update__extern(XXH_NAMESPACEXXH32_state_t *state, const void *input, size_t len) { return XXH_INLINE_XXH32_update(state, input, len); }
XXH32_hash_t XXH_INLINE_XXH32_digest__extern(const XXH_NAMESPACEXXH32_state_t *state) { return XXH_INLINE_XXH32_digest(state); }
void XXH_INLINE_XXH32_canonicalFromHash__extern(XXH_NAMESPACEXXH32_canonical_t *dst, XXH32_hash_t hash) { XXH_INLINE_XXH32_canonicalFromHash(dst, hash); }
XXH32_hash_t XXH_INLINE_XXH32_hashFromCanonical__extern(const XXH_NAMESPACEXXH32_canonical_t *src) { return XXH_INLINE_XXH32_hashFromCanonical(src); }
XXH64_hash_t XXH_INLINE_XXH64__extern(const void *input, size_t len, XXH64_hash_t seed) { return XXH_INLINE_XXH64(input, len, seed); }
XXH_NAMESPACEXXH64_state_t *XXH_INLINE_XXH64_createState__extern(void) { return XXH_INLINE_XXH64_createState(); }
XXH_NAMESPACEXXH_errorcode XXH_INLINE_XXH64_freeState__extern(XXH_NAMESPACEXXH64_state_t *statePtr) { return XXH_INLINE_XXH64_freeState(statePtr); }
void XXH_INLINE_XXH64_copyState__extern(XXH_NAMESPACEXXH64_state_t *dstState, const XXH_NAMESPACEXXH64_state_t *srcState) { XXH_INLINE_XXH64_copyState(dstState, srcState); }
XXH_NAMESPACEXXH_errorcode XXH_INLINE_XXH64_reset__extern(XXH_NAMESPACEXXH64_state_t *statePtr, XXH64_hash_t seed) { return XXH_INLINE_XXH64_reset(statePtr, seed); }
XXH_NAMESPACEXXH_errorcode XXH_INLINE_XXH64_update__extern(XXH_NAMESPACEXXH64_state_t *state, const void *input, size_t len) { return XXH_INLINE_XXH64_update(state, input, len); }
XXH64_hash_t XXH_INLINE_XXH64_digest__extern(const XXH_NAMESPACEXXH64_state_t *state) { return XXH_INLINE_XXH64_digest(state); }
void XXH_INLINE_XXH64_canonicalFromHash__extern(XXH_NAMESPACEXXH64_canonical_t *dst, XXH64_hash_t hash) { XXH_INLINE_XXH64_canonicalFromHash(dst, hash); }
XXH64_hash_t XXH_INLINE_XXH64_hashFromCanonical__extern(const XXH_NAMESPACEXXH64_canonical_t *src) { return XXH_INLINE_XXH64_hashFromCanonical(src); }
XXH64_hash_t XXH_INLINE_XXH3_64bits__extern(const void *input, size_t len) { return XXH_INLINE_XXH3_64bits(input, len); }
XXH64_hash_t XXH_INLINE_XXH3_64bits_withSecret__extern(const void *input, size_t len, const void *secret, size_t secretSize) { return XXH_INLINE_XXH3_64bits_withSecret(input, len, secret, secretSize); }
XXH64_hash_t XXH_INLINE_XXH3_64bits_withSeed__extern(const void *input, size_t len, XXH64_hash_t seed) { return XXH_INLINE_XXH3_64bits_withSeed(input, len, seed); }
XXH64_hash_t XXH_INLINE_XXH3_64bits_withSecretandSeed__extern(const void *input, size_t len, const void *secret, size_t secretSize, XXH64_hash_t seed) { return XXH_INLINE_XXH3_64bits_withSecretandSeed(input, len, secret, secretSize, seed); }
XXH_NAMESPACEXXH_errorcode XXH_INLINE_XXH3_64bits_reset__extern(XXH_NAMESPACEXXH3_state_t *statePtr) { return XXH_INLINE_XXH3_64bits_reset(statePtr); }
XXH_NAMESPACEXXH_errorcode XXH_INLINE_XXH3_64bits_reset_withSecret__extern(XXH_NAMESPACEXXH3_state_t *statePtr, const void *secret, size_t secretSize) { return XXH_INLINE_XXH3_64bits_reset_withSecret(statePtr, secret, secretSize); }
XXH_NAMESPACEXXH_errorcode XXH_INLINE_XXH3_64bits_reset_withSeed__extern(XXH_NAMESPACEXXH3_state_t *statePtr, XXH64_hash_t seed) { return XXH_INLINE_XXH3_64bits_reset_withSeed(statePtr, seed); }
XXH_NAMESPACEXXH_errorcode XXH_INLINE_XXH3_64bits_reset_withSecretandSeed__extern(XXH_NAMESPACEXXH3_state_t *statePtr, const void *secret, size_t secretSize, XXH64_hash_t seed64) { return XXH_INLINE_XXH3_64bits_reset_withSecretandSeed(statePtr, secret, secretSize, seed64); }
XXH_NAMESPACEXXH_errorcode XXH_INLINE_XXH3_64bits_update__extern(XXH_NAMESPACEXXH3_state_t *state, const void *input, size_t len) { return XXH_INLINE_XXH3_64bits_update(state, input, len); }
XXH64_hash_t XXH_INLINE_XXH3_64bits_digest__extern(const XXH_NAMESPACEXXH3_state_t *state) { return XXH_INLINE_XXH3_64bits_digest(state); }
XXH_NAMESPACEXXH128_hash_t XXH_INLINE_XXH3_128bits__extern(const void *input, size_t len) { return XXH_INLINE_XXH3_128bits(input, len); }
XXH_NAMESPACEXXH128_hash_t XXH_INLINE_XXH3_128bits_withSecret__extern(const void *input, size_t len, const void *secret, size_t secretSize) { return XXH_INLINE_XXH3_128bits_withSecret(input, len, secret, secretSize); }
XXH_NAMESPACEXXH128_hash_t XXH_INLINE_XXH3_128bits_withSeed__extern(const void *input, size_t len, XXH64_hash_t seed) { return XXH_INLINE_XXH3_128bits_withSeed(input, len, seed); }
XXH_NAMESPACEXXH128_hash_t XXH_INLINE_XXH3_128bits_withSecretandSeed__extern(const void *input, size_t len, const void *secret, size_t secretSize, XXH64_hash_t seed) { return XXH_INLINE_XXH3_128bits_withSecretandSeed(input, len, secret, secretSize, seed); }
XXH_NAMESPACEXXH_errorcode XXH_INLINE_XXH3_128bits_reset__extern(XXH_NAMESPACEXXH3_state_t *statePtr) { return XXH_INLINE_XXH3_128bits_reset(statePtr); }
XXH_NAMESPACEXXH_errorcode XXH_INLINE_XXH3_128bits_reset_withSecret__extern(XXH_NAMESPACEXXH3_state_t *statePtr, const void *secret, size_t secretSize) { return XXH_INLINE_XXH3_128bits_reset_withSecret(statePtr, secret, secretSize); }
XXH_NAMESPACEXXH_errorcode XXH_INLINE_XXH3_128bits_reset_withSeed__extern(XXH_NAMESPACEXXH3_state_t *statePtr, XXH64_hash_t seed) { return XXH_INLINE_XXH3_128bits_reset_withSeed(statePtr, seed); }
XXH_NAMESPACEXXH_errorcode XXH_INLINE_XXH3_128bits_reset_withSecretandSeed__extern(XXH_NAMESPACEXXH3_state_t *statePtr, const void *secret, size_t secretSize, XXH64_hash_t seed) { return XXH_INLINE_XXH3_128bits_reset_withSecretandSeed(statePtr, secret, secretSize, seed); }
XXH_NAMESPACEXXH_errorcode XXH_INLINE_XXH3_128bits_update__extern(XXH_NAMESPACEXXH3_state_t *state, const void *input, size_t len) { return XXH_INLINE_XXH3_128bits_update(state, input, len); }
XXH_NAMESPACEXXH128_hash_t XXH_INLINE_XXH3_128bits_digest__extern(const XXH_NAMESPACEXXH3_state_t *state) { return XXH_INLINE_XXH3_128bits_digest(state); }
