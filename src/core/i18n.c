/* i18n.c — the message catalogue registry. Tables are registered at start (before any
 * thread serves requests) and only read afterwards, so lookups need no lock. */
#include "i18n.h"
#include <string.h>
#include <strings.h>
#include <ctype.h>

#define I18N_MAX_TABLES 64

static const i18n_entry *tables[I18N_MAX_TABLES];
static int n_tables;

void i18n_register(const i18n_entry *table)
{
    for (int i = 0; i < n_tables; i++)
        if (tables[i] == table) return;
    if (n_tables < I18N_MAX_TABLES) tables[n_tables++] = table;
}

const char *i18n_find(lang_id lang, const char *key)
{
    if (!key) return NULL;
    for (int t = 0; t < n_tables; t++)
        for (const i18n_entry *e = tables[t]; e->key; e++)
            if (!strcmp(e->key, key)) return lang == LANG_EN ? e->en : e->zh;
    return NULL;
}

const char *i18n_text(lang_id lang, const char *key)
{
    if (!key) return "";
    const char *text = i18n_find(lang, key);
    return text ? text : key;
}

/* Takes the first language range that is zh* or en*, honouring order; q-values are
 * rarely used by browsers to reorder, so order is what we follow. */
lang_id i18n_from_accept_language(const char *h)
{
    if (!h) return LANG_ZH;
    const char *p = h;
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        if (!strncasecmp(p, "zh", 2)) return LANG_ZH;
        if (!strncasecmp(p, "en", 2)) return LANG_EN;
        while (*p && *p != ',') p++;
    }
    return LANG_ZH;
}

int i18n_check_complete(void (*report)(const char *key))
{
    int missing = 0;
    for (int t = 0; t < n_tables; t++)
        for (const i18n_entry *e = tables[t]; e->key; e++)
            if (!e->zh || !*e->zh || !e->en || !*e->en) {
                missing++;
                if (report) report(e->key);
            }
    return missing;
}
