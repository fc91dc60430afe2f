/* i18n.h — message catalogue: every user-facing server string in zh-CN and English.
 *
 * Each module contributes a table of {key, zh, en} rows ended by {NULL}; the table list
 * lives in i18n.c (core) and is extended with i18n_register at start. A unit test
 * checks that every row has both languages. */
#ifndef SW_I18N_H
#define SW_I18N_H

typedef enum { LANG_ZH = 0, LANG_EN = 1 } lang_id;

typedef struct i18n_entry {
    const char *key;
    const char *zh;
    const char *en;
} i18n_entry;

void i18n_register(const i18n_entry *table);
/* The message for key in lang; the key itself when unknown (never NULL). */
const char *i18n_text(lang_id lang, const char *key);
/* The same, or NULL when no catalogue has the key. */
const char *i18n_find(lang_id lang, const char *key);
/* Picks zh or en from an Accept-Language header value; zh when absent. */
lang_id i18n_from_accept_language(const char *header);
/* Walks every registered row; returns the number of rows missing a language. */
int i18n_check_complete(void (*report)(const char *key));
#endif
