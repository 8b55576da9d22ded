/* libbpf's BTF API: building BTF is library code, reading a type's kind and members is inline. */
#include <bpf/btf.h>
