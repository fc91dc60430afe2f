/* search_terms.h — the search index of residents (008_search.sql).
 *
 * A resident search for "q" matches a name, room or phone containing q. Scanning
 * 40,000 residents for that takes hundreds of milliseconds; instead every resident
 * carries short terms, and a search looks up the one term that every match must have
 * (search_terms_key), then checks its full condition on those candidates only.
 * Every write that changes a resident's name, phone or ID, or a household's room or
 * members, calls search_terms_resident / search_terms_household in its transaction. */
#ifndef SW_SEARCH_TERMS_H
#define SW_SEARCH_TERMS_H
#include <stdint.h>
#include "../../core/arena.h"
#include "../../store/store.h"

/* Raised when the rules for terms change: communities built by older rules are
 * rebuilt at the next start. */
#define SEARCH_TERMS_VERSION 2

/* Rebuilds the terms of one resident, of every resident of one household, or of a
 * whole community (which also records the version). STORE_OK or an error. */
int search_terms_resident(store_conn *c, int64_t community_id, int64_t resident_id);
int search_terms_household(store_conn *c, int64_t community_id, int64_t household_id);
int search_terms_community(store_conn *c, int64_t community_id);

/* Many residents in one go (an import): begin, add each (replace: it had terms
 * already), end. A failure sticks; end reports it and frees the writer. */
typedef struct search_terms_writer search_terms_writer;
search_terms_writer *search_terms_begin(store_conn *c, int64_t community_id);
int search_terms_add(search_terms_writer *w, int64_t resident_id, bool replace);
/* Adds every resident of the community created at that instant (the clock_now_us of
 * an import, shared by all its rows) that has no terms yet. */
int search_terms_created(search_terms_writer *w, int64_t created_at);
int search_terms_end(search_terms_writer *w);

/* Rebuilds every community whose terms are missing or older than the rules; run once
 * after the migrations. Returns the number of communities rebuilt, -1 on error. */
int search_terms_backfill(store *s);

/* The terms every resident matching the search must carry, from the query text q
 * and the ID tail: up to SEARCH_KEYS, the most telling first (the first drives the
 * lookup, the others narrow it before the full condition is checked). Returns how
 * many; 0 when there is none (an empty query, or a number of one or two digits):
 * such a query matches many residents, and walking them in order fills a page fast. */
#define SEARCH_KEYS 3
int search_terms_keys(arena *a, const char *q, const char *id_tail, const char *keys[SEARCH_KEYS]);

/* Puts the key with the fewest residents first, to drive the lookup. */
void search_terms_order(store_conn *c, int64_t community_id, const char *keys[SEARCH_KEYS], int n);

/* True when q reads as a phone number: digits with spaces, dashes, '+' or brackets. */
bool search_terms_phone_like(const char *q);
#endif
