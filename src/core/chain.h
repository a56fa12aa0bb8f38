/*
 * chain.h: the per-village hash chain of ledger entries. Each entry stores the
 * SHA-256 of a canonical encoding of its own fields and of the previous entry's
 * hash, so any later change to history is detectable (jifen verify).
 */
#ifndef JF_CHAIN_H
#define JF_CHAIN_H
#include "store/store.h"

/* Writes the hex SHA-256 of e's canonical encoding (which includes e->prev_hash)
 * into out (STORE_HASH_HEX + 1 bytes). Returns false if out of memory. */
bool chain_hash(const st_entry *e, char *out);

#endif
