/* demo_plan.c — the demo communities planned in memory: a deterministic generator of
 * one neighbourhood shaped like 阳光绿园 (Shanghai, 2022; see shared domain notes) and
 * its variants. demo.c writes the plan through the capabilities' steps.
 *
 * Loading has two phases. First the whole community is planned in memory from a fixed
 * seed with our own PRNG (splitmix64, never rand(), so every platform draws the same
 * people): zones, blocks, households, residents with names, birth dates, phones, ID
 * numbers, and vulnerability flags. Encryption, lookup hashes and the one argon2id
 * password hash happen here too, off the writer. Then one write job inserts it all in
 * a single transaction with statements prepared once and reused, so the load is all
 * or nothing and takes well under a second on SQLite.
 *
 * Figures follow the story: 6 zones, 62 block leaders, ~1,000 households, ~3,000
 * residents, about 30% over 60, several hundred party members, a few foreigners, a
 * handful of households in home isolation. To change the shape, edit the tables and
 * rates below; the seed keeps every run identical. */
#include "demo_step.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include "../core/arena.h"
#include "../core/clock.h"
#include "../core/secret.h"

#define DEMO_SEED 0x53484f5557414e47ull   /* "SHOUWANG" */
#define SHANGHAI_OFFSET_S (8 * 3600)       /* Asia/Shanghai has no daylight saving */
#define DAY_US (86400ll * 1000000ll)

/* ---- PRNG: splitmix64 ---- */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) by multiply-shift: no modulo bias worth speaking of at our sizes. */
static uint32_t rng_below(uint64_t *s, uint32_t n)
{
    return (uint32_t)(((rng_next(s) >> 32) * (uint64_t)n) >> 32);
}

static int rng_range(uint64_t *s, int lo, int hi)     /* inclusive */
{
    return lo + (int)rng_below(s, (uint32_t)(hi - lo + 1));
}

static int rng_permille(uint64_t *s, int permille)
{
    return (int)rng_below(s, 1000) < permille;
}

#define PICK(s, arr) ((arr)[rng_below((s), (uint32_t)(sizeof(arr) / sizeof((arr)[0])))])

/* Writes the n lowest decimal digits of v, zero-padded: fixed widths by construction. */
static void put_digits(char *dst, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10) dst[i] = (char)('0' + v % 10);
}

/* ---- GB 11643 citizen ID numbers ---- */

char demo_id_check_char(const char *first17)
{
    static const int weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (first17[i] < '0' || first17[i] > '9') return 0;
        sum += (first17[i] - '0') * weight[i];
    }
    return "10X98765432"[sum % 11];
}

int demo_id_valid(const char *id)
{
    if (!id || strlen(id) != 18) return 0;
    char c = demo_id_check_char(id);
    return c && c == id[17];
}

void demo_id_number(uint64_t *rng_state, const char *region, int year, int month, int day,
                    int male, char out[19])
{
    /* The 17th digit is odd for men and even for women. */
    int seq = (int)rng_below(rng_state, 499) * 2 + (male ? 1 : 2);
    memcpy(out, region, 6);
    put_digits(out + 6, (unsigned)year, 4);
    put_digits(out + 10, (unsigned)month, 2);
    put_digits(out + 12, (unsigned)day, 2);
    put_digits(out + 14, (unsigned)seq, 3);
    out[17] = demo_id_check_char(out);
    out[18] = 0;
}

/* ---- word lists ---- */

/* Common surnames around Shanghai come first: they are drawn more often. */
static const char *const surname_common[] = {
    "张", "王", "陈", "李", "徐", "周", "朱", "沈", "陆", "顾",
    "吴", "杨", "黄", "刘", "孙", "胡", "钱", "金", "许", "蔡",
};
static const char *const surname_other[] = {
    "赵", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "韩", "冯", "邓",
    "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "余", "杜", "叶", "程",
    "苏", "魏", "吕", "丁", "任", "姚", "卢", "姜", "崔", "钟", "谭", "汪", "范", "石",
    "廖", "贾", "夏", "韦", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛",
    "段", "雷", "侯", "龙", "史", "陶", "贺", "毛", "郝", "龚", "邵", "万", "严", "戴",
    "孔", "汤", "倪", "施", "葛", "奚", "瞿", "殷", "凌", "俞", "庄", "华", "马", "包",
};

/* Given-name characters by generation (born before 1955, 1955-79, 1980-99, 2000 on)
 * and gender, so an 80-year-old is 秀英 or 根宝 and a child is 梓涵 or 浩宇. */
static const char *const given_m0[] = {"国", "建", "德", "永", "福", "根", "金", "宝", "荣", "兴",
    "海", "林", "明", "华", "志", "文", "财", "龙", "生", "祥", "昌", "发", "庆", "忠", "富", "良"};
static const char *const given_f0[] = {"秀", "英", "兰", "凤", "芳", "珍", "娣", "梅", "华", "玉",
    "桂", "琴", "萍", "莲", "妹", "美", "菊", "翠", "月", "娟", "素", "云", "彩", "宝"};
static const char *const given_m1[] = {"伟", "军", "勇", "强", "斌", "磊", "杰", "涛", "刚", "峰",
    "波", "辉", "明", "华", "平", "林", "东", "洪", "卫", "新", "建", "国", "忠", "民", "春", "毅"};
static const char *const given_f1[] = {"丽", "娟", "敏", "静", "燕", "艳", "红", "霞", "芳", "玲",
    "萍", "琳", "洁", "慧", "颖", "雯", "佳", "蓉", "英", "莉", "梅", "君", "晓", "平"};
static const char *const given_m2[] = {"磊", "杰", "超", "鹏", "飞", "浩", "俊", "晨", "骏", "毅",
    "斌", "涛", "凯", "昊", "宇", "航", "翔", "亮", "捷", "文", "伟", "剑", "炜", "晔", "奕"};
static const char *const given_f2[] = {"婷", "雯", "倩", "佳", "颖", "琳", "洁", "晶", "怡", "蕾",
    "莹", "菁", "丹", "丽", "敏", "婧", "琼", "燕", "晓", "雪", "露", "薇", "云", "蓓"};
static const char *const given_m3[] = {"浩", "宇", "轩", "睿", "泽", "辰", "子", "博", "文", "昊",
    "然", "逸", "梓", "铭", "嘉", "晨", "宸", "俊", "奕", "皓", "航", "阳", "天", "一"};
static const char *const given_f3[] = {"欣", "怡", "梓", "涵", "诗", "雨", "萱", "可", "馨", "思",
    "佳", "琪", "若", "悦", "一", "语", "芷", "晴", "依", "彤", "妍", "媛", "沐", "安"};

/* Districts of Shanghai residents' ID numbers (310115 Pudong, where the estate is, is
 * drawn half the time) and home regions of people who moved in from other provinces. */
static const char *const region_shanghai[] = {"310101", "310104", "310105", "310106", "310107",
    "310109", "310110", "310112", "310113", "310114", "310117", "310120"};
static const char *const region_elsewhere[] = {"320321", "320681", "340121", "341221", "330683",
    "362330", "411522", "421023", "430524", "511602", "371321", "350583", "610323", "232301"};

static const char *const mobile_prefix[] = {"130", "131", "132", "133", "135", "136", "137",
    "138", "139", "150", "151", "152", "153", "155", "156", "157", "158", "159", "166", "173",
    "176", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "199"};

static const char *const chronic[][2] = {
    {"高血压", "苯磺酸氨氯地平片"}, {"高血压", "缬沙坦胶囊"}, {"高血压", "硝苯地平控释片"},
    {"糖尿病", "盐酸二甲双胍片"}, {"糖尿病", "阿卡波糖片"}, {"糖尿病", "胰岛素注射液"},
    {"冠心病", "阿司匹林肠溶片"}, {"冠心病", "单硝酸异山梨酯缓释片"}, {"慢阻肺", "噻托溴铵吸入粉雾剂"},
    {"帕金森病", "多巴丝肼片"}, {"尿毒症", "每周三次血液透析"}, {"精神疾病", "奥氮平片"},
};
static const char *const disability_kind[] = {"physical", "physical", "visual", "hearing",
    "speech", "intellectual", "mental"};
static const char *const caregiver[] = {"spouse", "child", "child", "carer"};
static const char *const maternity_hospital[] = {"国际和平妇幼保健院", "上海市第一妇婴保健院",
    "复旦大学附属妇产科医院", "浦东新区妇幼保健院"};
static const char *const zone_names[6] = {"一片区", "二片区", "三片区", "四片区", "五片区", "六片区"};

/* Districts of Chengdu (510104 锦江区, where 东环路 is, drawn half the time). */
static const char *const region_chengdu[] = {"510105", "510106", "510107", "510108", "510112", "510113",
    "510114", "510116", "510121", "510124"};

/* ---- the plan ---- */

enum { H_ALONE, H_OLD_COUPLE, H_SINGLE, H_YOUNG_COUPLE, H_FAMILY1, H_FAMILY2, H_THREE_GEN,
       H_ADULT_CHILD, H_TENANTS, H_LEADER, H_FOREIGN };

/* Household shapes of owner-occupied flats, per mille. Elderly couples and three
 * generations under one roof are what puts ~30% of residents over 60. */
typedef struct mix_row { int kind, permille; } mix_row;
static const mix_row shapes[] = {
    {H_ALONE, 65}, {H_OLD_COUPLE, 210}, {H_SINGLE, 35}, {H_YOUNG_COUPLE, 60},
    {H_FAMILY1, 190}, {H_FAMILY2, 90}, {H_THREE_GEN, 215}, {H_ADULT_CHILD, 135},
};
/* An old lane neighbourhood: the young moved out, their parents stayed; many live
 * alone. With the tenants below this puts about 45% of residents over 60. */
static const mix_row shapes_lane[] = {
    {H_ALONE, 177}, {H_OLD_COUPLE, 335}, {H_SINGLE, 25}, {H_YOUNG_COUPLE, 24},
    {H_FAMILY1, 84}, {H_FAMILY2, 18}, {H_THREE_GEN, 170}, {H_ADULT_CHILD, 167},
};

/* What differs between the demo communities; the generator is the same. */
typedef struct shape_spec {
    const char *key, *community, *timezone;
    const char *home_region;                 /* drawn half the time for locals */
    const char *const *districts;            /* the other local districts */
    uint32_t n_districts;
    const mix_row *mix;
    int vacant, away, rented;                /* household status, per mille */
    int iso_current, iso_past;               /* households in home isolation */
    int iso_compounds;                       /* current ones in this many blocks; 0: anywhere */
    int res_target;                          /* exact resident count; 0: as drawn */
    int set_bits;                            /* phone and ID sets: > 2x the numbers drawn */
} shape_spec;

static const shape_spec specs[] = {
    [DEMO_YANGGUANG] = {"yangguang", DEMO_COMMUNITY_NAME, DEMO_TIMEZONE, "310115", region_shanghai,
                        sizeof region_shanghai / sizeof *region_shanghai, shapes, 20, 40, 80, 2, 3, 0, 0, 13},
    /* 2020: 22 households back from Hubei isolated at home in 9 compounds. */
    [DEMO_DONGHUAN] = {"donghuan", DEMO_DONGHUAN_NAME, "Asia/Shanghai", "510104", region_chengdu,
                       sizeof region_chengdu / sizeof *region_chengdu, shapes_lane, 15, 45, 110, 22, 8, 9, 0, 15},
    [DEMO_LARGE] = {"large", DEMO_LARGE_NAME, DEMO_TIMEZONE, "310112", region_shanghai,
                    sizeof region_shanghai / sizeof *region_shanghai, shapes, 20, 40, 80, 25, 40, 0,
                    DEMO_LARGE_RESIDENTS, 18},
};


/* Adds v (non-zero) to an open-addressing set; 0 when it was already there. */
static int set_add(const demo_plan *p, uint64_t *tab, uint64_t v)
{
    uint32_t i = (uint32_t)((v * 0x9e3779b97f4a7c15ull) >> (64 - p->set_bits));
    while (tab[i]) {
        if (tab[i] == v) return 0;
        i = (i + 1) & ((1u << p->set_bits) - 1);
    }
    tab[i] = v;
    return 1;
}

static void draw_phone(demo_plan *p, char out[12])
{
    for (;;) {
        snprintf(out, 12, "%s%08" PRIu32, PICK(&p->rng, mobile_prefix), rng_below(&p->rng, 100000000));
        if (set_add(p, p->phones, strtoull(out, NULL, 10))) return;
    }
}

static const char *draw_surname(demo_plan *p)
{
    if (rng_permille(&p->rng, 650)) {
        /* the smaller of two draws favours the head of the list */
        uint32_t a = rng_below(&p->rng, 20), b = rng_below(&p->rng, 20);
        return surname_common[a < b ? a : b];
    }
    return PICK(&p->rng, surname_other);
}

static void draw_given(demo_plan *p, int male, int birth_year, char *out, size_t n)
{
    const char *const *set;
    uint32_t len;
#define USE(a) do { set = (a); len = (uint32_t)(sizeof(a) / sizeof((a)[0])); } while (0)
    if (birth_year < 1955) { if (male) USE(given_m0); else USE(given_f0); }
    else if (birth_year < 1980) { if (male) USE(given_m1); else USE(given_f1); }
    else if (birth_year < 2000) { if (male) USE(given_m2); else USE(given_f2); }
    else { if (male) USE(given_m3); else USE(given_f3); }
#undef USE
    uint32_t a = rng_below(&p->rng, len);
    if (rng_permille(&p->rng, 300)) { snprintf(out, n, "%s", set[a]); return; }
    uint32_t b = rng_below(&p->rng, len - 1);
    if (b >= a) b++;          /* two different characters */
    snprintf(out, n, "%s%s", set[a], set[b]);
}

static plan_resident *new_resident(demo_plan *p, int hh)
{
    if (p->n_res == p->cap_res) {
        p->cap_res = p->cap_res ? p->cap_res * 2 : 4096;
        p->res = xrealloc(p->res, (size_t)p->cap_res * sizeof *p->res);
    }
    plan_resident *r = &p->res[p->n_res++];
    memset(r, 0, sizeof *r);
    r->household = hh;
    p->hh[hh].count++;
    return r;
}

static void seal_id(demo_plan *p, plan_resident *r, const char *number, int head, int tail)
{
    /* Only the ciphertext, the keyed hash and the mask leave this function. */
    r->id_cipher = secret_encrypt(p->cfg, number);
    secret_lookup_hash(p->cfg, number, r->id_hash);
    r->id_masked = secret_mask(number, head, tail);
}

/* Draws a birth date in the year the person turns `age` this year, never in the
 * future. */
static int64_t draw_birth_day(demo_plan *p, int age)
{
    int year = p->ref_year - age;
    int64_t first = clock_days_from_civil(year, 1, 1);
    int64_t len = clock_days_from_civil(year + 1, 1, 1) - first;
    if (first + len > p->today + 1) len = p->today + 1 - first;
    return first + rng_below(&p->rng, (uint32_t)len);
}

/* Who a person is, before names and numbers are drawn. */
typedef struct person {
    const char *surname;      /* NULL: draw one */
    int male, age;
    int owner, floating;
    const char *region;       /* NULL: Shanghai-born */
} person;

static int add_person(demo_plan *p, int hh, const person *who)
{
    plan_resident *r = new_resident(p, hh);
    int idx = p->n_res - 1;
    int age = who->age < 0 ? 0 : who->age;
    int64_t bday = draw_birth_day(p, age);
    int y, m, d;
    clock_civil_from_days(bday, &y, &m, &d);
    char given[16];
    draw_given(p, who->male, y, given, sizeof given);
    snprintf(r->name, sizeof r->name, "%s%s", who->surname ? who->surname : draw_surname(p), given);
    snprintf(r->gender, sizeof r->gender, "%s", who->male ? "m" : "f");
    r->birth_year = y;
    clock_format_date(bday, r->birth_date);
    if (age >= 12) draw_phone(p, r->phone);
    const char *region = who->region;
    if (!region)
        region = rng_permille(&p->rng, 500) ? p->spec->home_region
                                            : p->spec->districts[rng_below(&p->rng, p->spec->n_districts)];
    char id[19];
    for (;;) {
        demo_id_number(&p->rng, region, y, m, d, who->male, id);
        if (set_add(p, p->ids, strtoull(id, NULL, 10) + 1)) break;
    }
    r->id_kind = "cn_id";
    seal_id(p, r, id, 4, 4);
    r->languages = (y >= 1975 && rng_permille(&p->rng, 120)) ? "zh,en" : "zh";
    r->owner = who->owner;
    r->floating = who->floating;
    int rate = age >= 60 ? 290 : age >= 35 ? 180 : age >= 22 ? 100 : 0;
    r->party = rng_permille(&p->rng, rate);
    return idx;
}

/* Adults who moved to Shanghai keep their home region's ID number. */
static const char *adult_region(demo_plan *p, int age)
{
    if (age >= 25 && age <= 55 && rng_permille(&p->rng, 250)) return PICK(&p->rng, region_elsewhere);
    return NULL;
}

static int add_couple(demo_plan *p, int hh, int age_lo, int age_hi, int owner, const char **surname)
{
    person man = {.male = 1, .age = rng_range(&p->rng, age_lo, age_hi), .owner = owner};
    man.surname = draw_surname(p);
    man.region = adult_region(p, man.age);
    person woman = {.male = 0, .age = man.age - rng_range(&p->rng, 0, 4), .owner = owner};
    if (woman.age < age_lo) woman.age = age_lo;
    woman.region = adult_region(p, woman.age);
    add_person(p, hh, &man);
    add_person(p, hh, &woman);
    *surname = man.surname;
    return woman.age;
}

static void add_children(demo_plan *p, int hh, const char *surname, int mother_age, int n)
{
    for (int i = 0; i < n; i++) {
        int top = mother_age - 23;
        if (top > 24) top = 24;
        if (top < 0) top = 0;
        person kid = {.male = rng_permille(&p->rng, 510), .age = rng_range(&p->rng, 0, top)};
        /* one child in ten carries the mother's surname */
        kid.surname = rng_permille(&p->rng, 100) ? NULL : surname;
        add_person(p, hh, &kid);
    }
}

static void fill_owner_household(demo_plan *p, int hh, int kind)
{
    const char *surname;
    int mother;
    switch (kind) {
    case H_ALONE: {
        person old = {.male = rng_permille(&p->rng, 300), .age = rng_range(&p->rng, 68, 93), .owner = 1};
        add_person(p, hh, &old);
        break;
    }
    case H_OLD_COUPLE:
        add_couple(p, hh, 62, 90, 1, &surname);
        break;
    case H_SINGLE: {
        person one = {.male = rng_permille(&p->rng, 550), .age = rng_range(&p->rng, 24, 42), .owner = 1};
        one.region = adult_region(p, one.age);
        add_person(p, hh, &one);
        break;
    }
    case H_YOUNG_COUPLE:
        add_couple(p, hh, 25, 38, 1, &surname);
        break;
    case H_FAMILY1:
    case H_FAMILY2:
        mother = add_couple(p, hh, 29, 50, 1, &surname);
        add_children(p, hh, surname, mother, kind == H_FAMILY1 ? 1 : 2);
        break;
    case H_THREE_GEN: {
        const char *gs;
        int grandma;
        if (rng_permille(&p->rng, 700)) {
            grandma = add_couple(p, hh, 62, 88, 1, &gs);
        } else {
            person g = {.male = rng_permille(&p->rng, 250), .age = rng_range(&p->rng, 64, 90), .owner = 1};
            add_person(p, hh, &g);
            grandma = g.age;
        }
        int parent_age = grandma - rng_range(&p->rng, 25, 33);
        if (parent_age < 27) parent_age = 27;
        mother = add_couple(p, hh, parent_age, parent_age, 0, &surname);
        add_children(p, hh, surname, mother, rng_permille(&p->rng, 700) ? 1 : 2);
        break;
    }
    case H_ADULT_CHILD:
        mother = add_couple(p, hh, 52, 70, 1, &surname);
        {
            int age = mother - rng_range(&p->rng, 24, 32);
            if (age < 20) age = 20;
            person child = {.surname = surname, .male = rng_permille(&p->rng, 500), .age = age};
            add_person(p, hh, &child);
        }
        break;
    }
    /* A live-in carer (保姆) from another province in some elderly households. */
    if ((kind == H_OLD_COUPLE || kind == H_THREE_GEN) && rng_permille(&p->rng, 60)) {
        person carer = {.male = 0, .age = rng_range(&p->rng, 45, 60), .floating = 1};
        carer.region = PICK(&p->rng, region_elsewhere);
        add_person(p, hh, &carer);
    }
}

static void fill_tenants(demo_plan *p, int hh)
{
    /* A couple, a small family, or a flat shared by young workers. */
    int shape = (int)rng_below(&p->rng, 10);
    int n = shape < 3 ? 2 : shape < 5 ? 3 : shape < 8 ? rng_range(&p->rng, 3, 4) : 1;
    if (shape >= 3 && shape < 5) {
        person man = {.male = 1, .age = rng_range(&p->rng, 28, 42), .floating = 1};
        man.surname = draw_surname(p);
        man.region = PICK(&p->rng, region_elsewhere);
        person woman = {.male = 0, .age = man.age - rng_range(&p->rng, 0, 3), .floating = 1};
        woman.region = rng_permille(&p->rng, 700) ? man.region : PICK(&p->rng, region_elsewhere);
        add_person(p, hh, &man);
        add_person(p, hh, &woman);
        add_children(p, hh, man.surname, woman.age, 1);
        return;
    }
    for (int i = 0; i < n; i++) {
        int local = rng_permille(&p->rng, 150);
        person t = {.male = rng_permille(&p->rng, 520), .age = rng_range(&p->rng, 21, 40),
                    .floating = !local};
        if (!local) t.region = PICK(&p->rng, region_elsewhere);
        add_person(p, hh, &t);
    }
}

/* Foreign tenants hold passports and read notices in their own language. */
static void fill_foreign(demo_plan *p, int hh, int which)
{
    static const struct {
        const char *name, *gender, *langs, *prefix;
        int age;
    } people[][3] = {
        {{"Michael Johnson", "m", "en", "5", 41}, {"Emily Johnson", "f", "en", "5", 38}, {0}},
        {{"佐藤 健一", "m", "ja", "TK", 45}, {"佐藤 由美", "f", "ja", "TK", 42}, {"佐藤 陽菜", "f", "ja,zh", "TK", 12}},
        {{"김지훈", "m", "ko", "M", 36}, {"이서연", "f", "ko,en", "M", 33}, {0}},
        {{"Thomas Miller", "m", "en,zh", "1", 29}, {0}, {0}},
    };
    for (int i = 0; i < 3 && people[which][i].name; i++) {
        plan_resident *r = new_resident(p, hh);
        snprintf(r->name, sizeof r->name, "%s", people[which][i].name);
        snprintf(r->gender, sizeof r->gender, "%s", people[which][i].gender);
        r->birth_year = p->ref_year - people[which][i].age;
        draw_phone(p, r->phone);
        /* 9 characters: the issuing country's letters, then digits */
        char number[10];
        const char *pre = people[which][i].prefix;
        size_t pl = strlen(pre);
        memcpy(number, pre, pl);
        put_digits(number + pl, rng_below(&p->rng, 1000000000u), (int)(9 - pl));
        number[9] = 0;
        r->id_kind = "passport";
        seal_id(p, r, number, 1, 3);
        r->languages = people[which][i].langs;
        r->floating = 1;
        p->n_passports++;
    }
}

static void add_flag(demo_plan *p, int res, const char *flag, int64_t set_at, int64_t cleared_at,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void add_flag(demo_plan *p, int res, const char *flag, int64_t set_at, int64_t cleared_at,
                     const char *fmt, ...)
{
    if (p->n_flags == p->cap_flags) {
        p->cap_flags = p->cap_flags ? p->cap_flags * 2 : 1024;
        p->flags = xrealloc(p->flags, (size_t)p->cap_flags * sizeof *p->flags);
    }
    plan_flag *f = &p->flags[p->n_flags++];
    f->resident = res;
    f->flag = flag;
    f->set_at = set_at;
    f->cleared_at = cleared_at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->detail, sizeof f->detail, fmt, ap);
    va_end(ap);
}

/* A moment some days before now, at 09:00-17:59 Shanghai time. */
static int64_t days_ago(demo_plan *p, int lo, int hi)
{
    int64_t day = p->today - rng_range(&p->rng, lo, hi);
    int64_t sec = day * 86400 - SHANGHAI_OFFSET_S + rng_range(&p->rng, 9 * 3600, 18 * 3600 - 1);
    return sec * 1000000;
}

static void flag_person(demo_plan *p, int res, int kind)
{
    plan_resident *r = &p->res[res];
    int age = p->ref_year - r->birth_year;
    int female = r->gender[0] == 'f';
    if (kind == H_ALONE) add_flag(p, res, "alone_elderly", days_ago(p, 30, 700), 0, "{}");
    if ((age >= 60 && rng_permille(&p->rng, 230)) || (age >= 45 && age < 60 && rng_permille(&p->rng, 60))) {
        int c = (int)rng_below(&p->rng, sizeof chronic / sizeof chronic[0]);
        add_flag(p, res, "chronic_illness", days_ago(p, 10, 700), 0,
                 "{\"condition\":\"%s\",\"medicine\":\"%s\"}", chronic[c][0], chronic[c][1]);
    }
    if (rng_permille(&p->rng, age >= 60 ? 30 : 10))
        add_flag(p, res, "disabled", days_ago(p, 30, 900), 0, "{\"kind\":\"%s\",\"grade\":%d}",
                 PICK(&p->rng, disability_kind), rng_range(&p->rng, 1, 4));
    int bedridden = (age >= 80 && rng_permille(&p->rng, 80)) || (age >= 70 && age < 80 && rng_permille(&p->rng, 20));
    if (bedridden)
        add_flag(p, res, "bedridden", days_ago(p, 10, 500), 0, "{\"caregiver\":\"%s\"}",
                 kind == H_ALONE ? "carer" : PICK(&p->rng, caregiver));
    if (bedridden || (age >= 75 && rng_permille(&p->rng, 450)) || (age >= 65 && age < 75 && rng_permille(&p->rng, 150)))
        add_flag(p, res, "no_smartphone", days_ago(p, 10, 500), 0, "{\"relay\":\"block_leader\"}");
    if (female && age >= 23 && age <= 40 && kind != H_SINGLE && rng_permille(&p->rng, 30)) {
        char due[11];
        clock_format_date(p->today + rng_range(&p->rng, 14, 250), due);
        add_flag(p, res, "pregnant", days_ago(p, 20, 120), 0, "{\"due_date\":\"%s\",\"hospital\":\"%s\"}",
                 due, PICK(&p->rng, maternity_hospital));
    }
}

/* Home isolation: 14 days from the start. Current ones are still set; earlier ones
 * were cleared when they ended, which is the history the flags table keeps. */
static void isolate_household(demo_plan *p, int hh, int current)
{
    int start_ago = current ? rng_range(&p->rng, 1, 10) : rng_range(&p->rng, 30, 90);
    int64_t start = p->today - start_ago, end = start + 14;
    char s[11], e[11];
    clock_format_date(start, s);
    clock_format_date(end, e);
    const char *reason = rng_permille(&p->rng, 500) ? "returnee" : "close_contact";
    if (current && p->spec->iso_compounds) reason = "returnee";   /* back from Hubei */
    int64_t set_at = (start * 86400 - SHANGHAI_OFFSET_S + 10 * 3600) * 1000000;
    int64_t cleared = current ? 0 : (end * 86400 - SHANGHAI_OFFSET_S + 10 * 3600) * 1000000;
    for (int i = 0; i < p->hh[hh].count; i++)
        add_flag(p, p->hh[hh].first + i, "home_isolation", set_at, cleared,
                 "{\"start\":\"%s\",\"end\":\"%s\",\"reason\":\"%s\"}", s, e, reason);
}

static plan_block *add_block(demo_plan *p, int zone, int floors, int flats, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static plan_block *add_block(demo_plan *p, int zone, int floors, int flats, const char *fmt, ...)
{
    plan_block *bl = &p->blocks[p->n_blocks++];
    bl->zone = zone;
    bl->floors = floors;
    bl->flats = flats;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(bl->name, sizeof bl->name, fmt, ap);
    va_end(ap);
    return bl;
}

/* Rooms numbered floor by floor (502: fifth floor, flat 2), filled block by block. */
static void layout_rooms(demo_plan *p)
{
    int total = 0;
    for (int i = 0; i < p->n_blocks; i++) total += p->blocks[i].floors * p->blocks[i].flats;
    p->hh = xcalloc((size_t)total, sizeof *p->hh);
    for (int i = 0; i < p->n_blocks; i++) {
        p->blocks[i].first_hh = p->n_hh;
        for (int f = 1; f <= p->blocks[i].floors; f++)
            for (int k = 1; k <= p->blocks[i].flats; k++) {
                plan_household *h = &p->hh[p->n_hh++];
                h->block = i;
                snprintf(h->room, sizeof h->room, "%s%d%02d", p->blocks[i].name, f % 100, k % 100);
            }
        p->blocks[i].n_hh = p->n_hh - p->blocks[i].first_hh;
    }
}

/* Chinese numerals 1-99 for zone names: 一, 十二, 二十. */
static void zone_name(int n, char out[24])
{
    static const char *const digit[10] = {"", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    snprintf(out, 24, "%s%s%s片区", n >= 20 ? digit[n / 10] : "", n >= 10 ? "十" : "", digit[n % 10]);
}

/* Estate layout: buildings 1-24 are six-storey walk-ups with two flats a floor, 25-31
 * ten-storey blocks with three; each building has two units (楼组), each unit its
 * block leader: 62 blocks, 996 households. Zones hold about 166 households each. */
static void layout_yangguang(demo_plan *p)
{
    static const int zone_last_building[6] = {7, 14, 21, 25, 28, 31};
    p->n_zones = 6;
    p->zones = xcalloc(6, sizeof *p->zones);
    for (int i = 0; i < 6; i++) snprintf(p->zones[i], sizeof p->zones[i], "%s", zone_names[i]);
    p->blocks = xcalloc(62, sizeof *p->blocks);
    int zone = 0;
    for (int b = 1; b <= 31; b++) {
        while (b > zone_last_building[zone]) zone++;
        for (int u = 1; u <= 2; u++)
            add_block(p, zone, b <= 24 ? 6 : 10, b <= 24 ? 2 : 3, "%d号楼%d单元", b, u);
    }
    layout_rooms(p);
}

/* 东环路 (Chengdu, 2020): an old lane neighbourhood of 43 courtyards (院落) and no
 * zones, 2,300 households. The first courtyard is 3巷22号 of the story, 28 households;
 * the others hold 20-95, low buildings (栋) of four to six floors, two flats a floor. */
#define DH_COURTYARDS 43
#define DH_HOUSEHOLDS 2300
static void layout_donghuan(demo_plan *p)
{
    int size[DH_COURTYARDS], sum = 28;
    size[0] = 28;
    for (int i = 1; i < DH_COURTYARDS; i++) sum += size[i] = rng_range(&p->rng, 24, 84);
    while (sum != DH_HOUSEHOLDS) {
        int i = 1 + (int)rng_below(&p->rng, DH_COURTYARDS - 1);
        if (sum < DH_HOUSEHOLDS && size[i] < 95) { size[i]++; sum++; }
        else if (sum > DH_HOUSEHOLDS && size[i] > 20) { size[i]--; sum--; }
    }
    p->blocks = xcalloc(DH_COURTYARDS, sizeof *p->blocks);
    int total = 0;
    for (int i = 0; i < DH_COURTYARDS; i++) {
        /* odd house numbers for the others, so none is 3巷22号 again */
        plan_block *bl = i == 0 ? add_block(p, -1, 0, 0, "3巷22号")
                                : add_block(p, -1, 0, 0, "%d巷%d号", 1 + (i - 1) / 7,
                                            1 + 4 * ((i - 1) % 7) + 2 * rng_range(&p->rng, 0, 1));
        bl->floors = 4 + i % 3;
        bl->flats = 2;
        bl->n_hh = size[i];
        total += size[i];
    }
    p->hh = xcalloc((size_t)total, sizeof *p->hh);
    for (int i = 0; i < p->n_blocks; i++) {
        plan_block *bl = &p->blocks[i];
        int per = bl->floors * bl->flats;
        bl->first_hh = p->n_hh;
        for (int j = 0; j < bl->n_hh; j++) {
            plan_household *h = &p->hh[p->n_hh++];
            h->block = i;
            snprintf(h->room, sizeof h->room, "%s%d栋%d%02d", bl->name, (j / per + 1) % 100,
                     (j % per / bl->flats + 1) % 100, (j % bl->flats + 1) % 100);
        }
    }
}

/* A large estate for speed tests (like 上海康城, 40,000+ residents): 20 zones of 21
 * buildings, each building two units; every fourth building ten storeys with three
 * flats a floor, the others six with two: 840 blocks, 13,860 flats. Flats left over
 * once 40,000 residents are placed stay empty. */
static void layout_large(demo_plan *p)
{
    p->n_zones = 20;
    p->zones = xcalloc(20, sizeof *p->zones);
    for (int i = 0; i < 20; i++) zone_name(i + 1, p->zones[i]);
    p->blocks = xcalloc(20 * 21 * 2, sizeof *p->blocks);
    for (int b = 1; b <= 20 * 21; b++)
        for (int u = 1; u <= 2; u++)
            add_block(p, (b - 1) / 21, b % 4 ? 6 : 10, b % 4 ? 2 : 3, "%d号楼%d单元", b, u);
    layout_rooms(p);
}

static void plan_layout(demo_plan *p)
{
    if (p->shape == DEMO_DONGHUAN) layout_donghuan(p);
    else if (p->shape == DEMO_LARGE) layout_large(p);
    else layout_yangguang(p);
}

static int draw_shape(demo_plan *p)
{
    int u = (int)rng_below(&p->rng, 1000);
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        if (u < p->spec->mix[i].permille) return p->spec->mix[i].kind;
        u -= p->spec->mix[i].permille;
    }
    return H_FAMILY1;
}

/* Draws the people of every household (family shapes, ages, IDs, phones, flags) from
 * the seeded generator; one pass so that the draw order, and so the demo, stays the
 * same from run to run. */
static void plan_people(demo_plan *p)
{
    static const char *const away_note[] = {"全家在外地", "长期在国外", "回老家未返沪"};
    static const char *const vacant_note[] = {"空置", "房屋待售", "业主住其他小区"};
    static const char *const rented_note[] = {"整租", "合租", "中介代管"};
    int resident_block = 1;   /* the resident login lives in 1号楼2单元, not block 1 */
    for (int i = 0; i < p->n_hh; i++) {
        plan_household *h = &p->hh[i];
        h->first = p->n_res;
        h->notes = "";
        int first_of_block = i == 0 || p->hh[i - 1].block != h->block;
        int kind;
        if (i == 0) {
            kind = H_LEADER;
            h->status = "occupied";
        } else if (first_of_block && h->block == resident_block) {
            kind = H_FAMILY1;
            h->status = "occupied";
        } else {
            const shape_spec *sp = p->spec;
            int u = (int)rng_below(&p->rng, 1000);
            h->status = u < sp->vacant ? "vacant" : u < sp->vacant + sp->away ? "away"
                      : u < sp->vacant + sp->away + sp->rented ? "rented_out" : "occupied";
            /* 3巷22号 as the story tells it: 28 households, 4 away, 2 let to tenants. */
            if (sp == &specs[DEMO_DONGHUAN] && h->block == 0) {
                int j = i - p->blocks[0].first_hh;
                h->status = j % 7 == 5 ? "away" : j == 9 || j == 16 ? "rented_out" : "occupied";
            }
            /* Once the large estate holds its residents, the flats left are empty. */
            if (sp->res_target && p->n_res >= sp->res_target) h->status = "vacant";
            kind = !strcmp(h->status, "rented_out") ? H_TENANTS : draw_shape(p);
        }
        if (!strcmp(h->status, "vacant")) {
            draw_phone(p, h->phone);      /* the owner, who lives elsewhere */
            h->notes = PICK(&p->rng, vacant_note);
            continue;
        }
        if (!strcmp(h->status, "away")) h->notes = PICK(&p->rng, away_note);
        if (kind == H_TENANTS) {
            h->notes = PICK(&p->rng, rented_note);
            /* The first four rentals in the ten-storey blocks went to foreigners. */
            if (p->blocks[h->block].floors == 10 && p->n_rented_highrise < 4) {
                fill_foreign(p, i, p->n_rented_highrise++);
                kind = H_FOREIGN;
            } else {
                fill_tenants(p, i);
            }
        } else if (kind == H_LEADER) {
            /* The block leader: a retired party member, with her husband. */
            person wife = {.male = 0, .age = rng_range(&p->rng, 60, 65), .owner = 1};
            wife.surname = draw_surname(p);
            person husband = {.male = 1, .age = wife.age + rng_range(&p->rng, 1, 4), .owner = 1};
            p->leader_res = add_person(p, i, &wife);
            p->res[p->leader_res].party = 1;
            add_person(p, i, &husband);
            p->leader_hh = i;
            h->forced = 1;
        } else {
            fill_owner_household(p, i, kind);
            if (first_of_block && h->block == resident_block) {
                p->resident_res = h->first;
                p->resident_hh = i;
                h->forced = 1;
            }
        }
        if (p->spec->res_target && p->n_res > p->spec->res_target) {
            /* the last household drawn: keep its first members, up to the exact count */
            while (p->n_res > p->spec->res_target) {
                plan_resident *r = &p->res[--p->n_res];
                if (!strcmp(r->id_kind, "passport")) p->n_passports--;
                free(r->id_cipher);
                free(r->id_masked);
                h->count--;
            }
        }
        snprintf(h->phone, sizeof h->phone, "%s", p->res[h->first].phone);
        for (int r = h->first; r < p->n_res; r++)
            if (r != p->leader_res || kind != H_LEADER) flag_person(p, r, kind);
    }
    /* A handful of people in home isolation now, a few households earlier (cleared).
     * Where the story names the compounds, the current ones live in that many blocks. */
    int compound[16], n_compounds = p->spec->iso_compounds;
    for (int k = 0; k < n_compounds; k++) {
        compound[k] = (int)rng_below(&p->rng, (uint32_t)p->n_blocks);
        for (int j = 0; j < k; j++)
            if (compound[j] == compound[k]) { k--; break; }
    }
    for (int n = 0, current = p->spec->iso_current, past = p->spec->iso_past; n < 100000 && (current || past); n++) {
        int i;
        if (current && n_compounds) {
            /* round robin, so that every one of the compounds has some */
            const plan_block *bl = &p->blocks[compound[(p->spec->iso_current - current) % n_compounds]];
            i = bl->first_hh + (int)rng_below(&p->rng, (uint32_t)bl->n_hh);
        } else {
            i = (int)rng_below(&p->rng, (uint32_t)p->n_hh);
        }
        plan_household *h = &p->hh[i];
        if (h->forced || h->count == 0 || strcmp(h->status, "occupied")) continue;
        if (current && h->count > 3) continue;   /* keep the current ones a handful of people */
        if (current) { isolate_household(p, i, 1); current--; h->forced = 1; }
        else { isolate_household(p, i, 0); past--; h->forced = 1; }
    }
}

/* Courtyard committees (院委会) of 3-7 elected residents, one per household, aged
 * 35-78 and not in home isolation now. The schema has no committee table: each member
 * gets a login with the block_leader role on the courtyard, which is what a committee
 * member does in the software (lists, sweeps, relaying for people without phones).
 * The first member of 3巷22号 is the dh-block login. */
static void plan_committees(demo_plan *p)
{
    p->members = xcalloc((size_t)p->n_blocks * 7, sizeof *p->members);
    for (int b = 0; b < p->n_blocks; b++) {
        const plan_block *bl = &p->blocks[b];
        int want = rng_range(&p->rng, 3, 7), got = 0, first = p->n_members;
        if (b == 0) {
            plan_member *m = &p->members[p->n_members++];
            m->block = 0;
            m->res = p->leader_res;
            m->hh = p->leader_hh;
            snprintf(m->username, sizeof m->username, "dh-block");
            got++;
        }
        for (int tries = 0; got < want && tries < 1000; tries++) {
            int i = bl->first_hh + (int)rng_below(&p->rng, (uint32_t)bl->n_hh);
            const plan_household *h = &p->hh[i];
            if (h->forced || h->count == 0 || strcmp(h->status, "occupied")) continue;
            int taken = 0;
            for (int k = first; k < p->n_members; k++) taken |= p->members[k].hh == i;
            if (taken) continue;
            int res = -1;
            for (int r = h->first; r < h->first + h->count && res < 0; r++) {
                int age = p->ref_year - p->res[r].birth_year;
                if (age >= 35 && age <= 78) res = r;
            }
            if (res < 0) continue;
            plan_member *m = &p->members[p->n_members++];
            m->block = b;
            m->res = res;
            m->hh = i;
            got++;
            snprintf(m->username, sizeof m->username, "dh-c%02d-%d", (b + 1) % 100, got % 10);
        }
    }
}

void demo_plan_free(demo_plan *p)
{
    if (!p) return;
    for (int i = 0; i < p->n_res; i++) {
        free(p->res[i].id_cipher);
        free(p->res[i].id_masked);
    }
    free(p->res);
    free(p->hh);
    free(p->flags);
    free(p->blocks);
    free(p->zones);
    free(p->members);
    free(p->phones);
    free(p->ids);
    free(p->zone_id);
    free(p->relay);
    free(p->block_id);
    free(p->hh_id);
    free(p->res_id);
    free(p);
}

/* ---- summary ---- */

void demo_plan_summary(const demo_plan *p, FILE *out, int64_t elapsed_us)
{
    int st[4] = {0}, over60 = 0, party = 0, floating = 0;
    static const char *const status[4] = {"occupied", "away", "vacant", "rented_out"};
    for (int i = 0; i < p->n_hh; i++)
        for (int k = 0; k < 4; k++)
            if (!strcmp(p->hh[i].status, status[k])) st[k]++;
    for (int i = 0; i < p->n_res; i++) {
        over60 += p->ref_year - p->res[i].birth_year >= 60;
        party += p->res[i].party;
        floating += p->res[i].floating;
    }
    fprintf(out, "%s (%s) loaded in %" PRId64 " ms\n", p->spec->community, p->spec->timezone, elapsed_us / 1000);
    fprintf(out, "  %d zones, %d %s, %d households (%d occupied, %d away, %d vacant, %d rented out)\n",
            p->n_zones, p->n_blocks, p->n_zones ? "blocks" : "courtyards", p->n_hh, st[0], st[1], st[2], st[3]);
    fprintf(out, "  %d residents: %d over 60 (%.1f%%), %d party members, %d floating, %d with passports\n",
            p->n_res, over60, p->n_res ? 100.0 * over60 / p->n_res : 0.0, party, floating, p->n_passports);
    static const char *const flags[] = {"alone_elderly", "disabled", "pregnant", "chronic_illness",
                                        "bedridden", "no_smartphone", "home_isolation"};
    fprintf(out, "  flags:");
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++) {
        int set = 0, cleared = 0;
        for (int i = 0; i < p->n_flags; i++)
            if (!strcmp(p->flags[i].flag, flags[k])) { if (p->flags[i].cleared_at) cleared++; else set++; }
        fprintf(out, " %s %d", flags[k], set);
        if (cleared) fprintf(out, " (+%d cleared)", cleared);
        fputc(k + 1 < sizeof flags / sizeof flags[0] ? ',' : '\n', out);
    }
    if (!p->cfg->have_field_key)
        fprintf(out, "  no field_key configured: ID numbers kept only as lookup hash and mask\n");
    if (p->shape == DEMO_DONGHUAN) {
        fprintf(out, "  courtyard committees: %d members in %d courtyards (block_leader logins dh-cNN-M)\n",
                p->n_members, p->n_blocks);
        fprintf(out, "Logins (password %s):\n", DEMO_PASSWORD);
        fprintf(out, "  dh-committee  刘晓梅  committee (%s)\n", p->spec->community);
        fprintf(out, "  dh-block      %s  block_leader (%s), resident (%s)\n", p->res[p->leader_res].name,
                p->blocks[0].name, p->hh[p->leader_hh].room);
        return;
    }
    if (p->shape == DEMO_LARGE) {
        fprintf(out, "Logins (password %s):\n", DEMO_PASSWORD);
        fprintf(out, "  lg-committee  徐丽华  committee (%s)\n", p->spec->community);
        fprintf(out, "  lg-block      %s  block_leader (%s), resident (%s)\n", p->res[p->leader_res].name,
                p->blocks[0].name, p->hh[p->leader_hh].room);
        return;
    }
    const char *block = p->blocks[0].name, *home2 = p->hh[p->resident_hh].room;
    fprintf(out, "Logins (password %s):\n", DEMO_PASSWORD);
    fprintf(out, "  admin      系统管理员  superuser (global)\n");
    fprintf(out, "  committee  陈慧敏  committee (%s)\n", DEMO_COMMUNITY_NAME);
    fprintf(out, "  zone       周建国  zone_leader (%s)\n", zone_names[0]);
    fprintf(out, "  block      %s  block_leader (%s), resident (%s), volunteer (%s)\n",
            p->res[p->leader_res].name, block, p->hh[p->leader_hh].room, DEMO_COMMUNITY_NAME);
    fprintf(out, "  volunteer  刘子轩  volunteer (%s)\n", DEMO_COMMUNITY_NAME);
    fprintf(out, "  resident   %s  resident (%s)\n", p->res[p->resident_res].name, home2);
}

/* ---- entry ---- */

int demo_shape_parse(const char *name, demo_shape *out)
{
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        if (name && !strcmp(name, specs[i].key)) {
            *out = (demo_shape)i;
            return 0;
        }
    return -1;
}

const char *demo_shape_community(demo_shape shape)
{
    return specs[shape].community;
}

demo_plan *demo_plan_new(const config *cfg, demo_shape shape, char *err, size_t errlen)
{
    if (secret_init() != 0) {
        snprintf(err, errlen, "demo: cannot initialise the crypto library");
        return NULL;
    }
    demo_plan *p = xcalloc(1, sizeof *p);
    p->cfg = cfg;
    p->spec = &specs[shape];
    p->shape = shape;
    p->community = p->spec->community;
    p->timezone = p->spec->timezone;
    /* Each shape draws from its own stream; 阳光绿园 keeps the original seed. */
    p->rng = DEMO_SEED + (uint64_t)shape * 0x9e3779b97f4a7c15ull;
    p->set_bits = p->spec->set_bits;
    p->phones = xcalloc((size_t)1 << p->set_bits, sizeof *p->phones);
    p->ids = xcalloc((size_t)1 << p->set_bits, sizeof *p->ids);
    p->now = clock_now_us();
    p->today = (p->now / 1000000 + SHANGHAI_OFFSET_S) / 86400;
    int m, d;
    clock_civil_from_days(p->today, &p->ref_year, &m, &d);

    /* argon2id is slow on purpose: hash the shared demo password once, here. */
    if (secret_password_hash(DEMO_PASSWORD, p->pw_hash) != 0) {
        snprintf(err, errlen, "demo: cannot hash the demo password");
        demo_plan_free(p);
        return NULL;
    }
    int64_t t_plan = clock_mono_us();
    plan_layout(p);
    plan_people(p);
    if (p->shape == DEMO_DONGHUAN) plan_committees(p);
    p->plan_us = clock_mono_us() - t_plan;
    p->zone_id = xcalloc((size_t)p->n_zones + 1, sizeof *p->zone_id);
    p->relay = xcalloc((size_t)p->n_blocks, sizeof *p->relay);
    p->block_id = xcalloc((size_t)p->n_blocks, sizeof *p->block_id);
    p->hh_id = xcalloc((size_t)p->n_hh, sizeof *p->hh_id);
    p->res_id = xcalloc((size_t)p->n_res, sizeof *p->res_id);
    return p;
}
