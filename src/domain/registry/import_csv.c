/* import_csv.c — the registry import's header vocabulary: which column feeds which
 * field (the readers themselves are in src/core/table_read.h). See import_table.h. */
#include "import_table.h"
#include <string.h>
#include <strings.h>
#include <ctype.h>

/* ---------------------------------------------------------------- header vocabulary */

static const char *const field_names[IF_COUNT] = {
    "block", "zone", "room", "household_status", "household_phone", "name", "gender", "birth",
    "phone", "id_kind", "id_number", "party_member", "floating", "owner",
};

const char *import_field_name(int f) { return f >= 0 && f < IF_COUNT ? field_names[f] : ""; }

int import_field_by_name(const char *name)
{
    for (int i = 0; i < IF_COUNT; i++)
        if (!strcmp(field_names[i], name)) return i;
    return -1;
}

/* Header words, compared after normalisation (lower case; spaces, _ - * : and their
 * full-width forms removed; a bracketed note such as （必填） dropped). */
static const struct { const char *word; int field; } vocabulary[] = {
    {"楼组", IF_BLOCK}, {"楼号", IF_BLOCK}, {"楼栋", IF_BLOCK}, {"楼组名称", IF_BLOCK}, {"楼栋单元", IF_BLOCK},
    {"单元", IF_BLOCK}, {"院落", IF_BLOCK}, {"block", IF_BLOCK}, {"building", IF_BLOCK},
    {"片区", IF_ZONE}, {"zone", IF_ZONE},
    {"房号", IF_ROOM}, {"门牌", IF_ROOM}, {"门牌号", IF_ROOM}, {"室号", IF_ROOM}, {"房间号", IF_ROOM},
    {"地址", IF_ROOM}, {"住址", IF_ROOM}, {"room", IF_ROOM}, {"address", IF_ROOM},
    {"户状态", IF_STATUS}, {"居住状态", IF_STATUS}, {"住户状态", IF_STATUS}, {"status", IF_STATUS},
    {"householdstatus", IF_STATUS},
    {"户电话", IF_HH_PHONE}, {"家庭电话", IF_HH_PHONE}, {"户联系电话", IF_HH_PHONE}, {"住宅电话", IF_HH_PHONE},
    {"householdphone", IF_HH_PHONE},
    {"姓名", IF_NAME}, {"name", IF_NAME},
    {"性别", IF_GENDER}, {"gender", IF_GENDER}, {"sex", IF_GENDER},
    {"出生年份", IF_BIRTH}, {"出生日期", IF_BIRTH}, {"出生年月", IF_BIRTH}, {"出生", IF_BIRTH},
    {"birth", IF_BIRTH}, {"birthyear", IF_BIRTH}, {"birthdate", IF_BIRTH}, {"dateofbirth", IF_BIRTH},
    {"手机", IF_PHONE}, {"手机号", IF_PHONE}, {"手机号码", IF_PHONE}, {"电话", IF_PHONE}, {"联系电话", IF_PHONE},
    {"联系方式", IF_PHONE}, {"phone", IF_PHONE}, {"mobile", IF_PHONE},
    {"证件类型", IF_ID_KIND}, {"idkind", IF_ID_KIND}, {"idtype", IF_ID_KIND},
    {"身份证号", IF_ID_NUMBER}, {"身份证号码", IF_ID_NUMBER}, {"证件号码", IF_ID_NUMBER}, {"证件号", IF_ID_NUMBER},
    {"身份证", IF_ID_NUMBER}, {"idnumber", IF_ID_NUMBER}, {"idno", IF_ID_NUMBER},
    {"党员", IF_PARTY}, {"是否党员", IF_PARTY}, {"政治面貌", IF_PARTY}, {"partymember", IF_PARTY},
    {"流动人口", IF_FLOATING}, {"是否流动人口", IF_FLOATING}, {"floating", IF_FLOATING},
    {"floatingpopulation", IF_FLOATING},
    {"业主/租户", IF_OWNER}, {"业主租户", IF_OWNER}, {"业主", IF_OWNER}, {"是否业主", IF_OWNER},
    {"owner", IF_OWNER}, {"owner/tenant", IF_OWNER}, {"ownertenant", IF_OWNER},
    {"与户主关系", IMPORT_IGNORED}, {"关系", IMPORT_IGNORED}, {"relation", IMPORT_IGNORED},
    {"relationship", IMPORT_IGNORED}, {"备注", IMPORT_IGNORED}, {"序号", IMPORT_IGNORED}, {"notes", IMPORT_IGNORED},
};

static void normalise_header(const char *h, char *out, size_t cap)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)h;
    while (*p && o + 4 < cap) {
        if (strchr(" \t_-*:\r\n", *p)) { p++; continue; }
        if (!strncmp((const char *)p, "\u3000", 3) || !strncmp((const char *)p, "\uff1a", 3) ||
            !strncmp((const char *)p, "\uff0a", 3)) { p += 3; continue; }
        /* a note in brackets ends the name: 姓名（必填）, 电话(手机) */
        if (*p == '(' || !strncmp((const char *)p, "\uff08", 3)) break;
        out[o++] = (char)tolower(*p);
        p++;
    }
    out[o] = 0;
}

int import_auto_field(const char *header)
{
    char n[256], w[64];
    normalise_header(header, n, sizeof n);
    if (!*n) return -1;
    for (size_t i = 0; i < sizeof vocabulary / sizeof vocabulary[0]; i++) {
        normalise_header(vocabulary[i].word, w, sizeof w);
        if (!strcmp(n, w)) return vocabulary[i].field;
    }
    return -1;
}
