/* demo_bulletins.c — the demo's bulletins, after 荣华居民区 (notices in four languages):
 * a daily bulletin each morning of the past week in Chinese, English, Japanese and
 * Korean, one rumour clarification, and this morning's urgent notice to the first zone
 * with its receipts partly in: households that read it in the app, and some that the
 * block leader phoned or visited (no smartphone). The resident login's household has
 * not seen it yet, so the demo shows a bulletin to read and a household to call. */
#include "bulletins_int.h"
#include "../demo_step.h"
#include "../../core/clock.h"
#include <stdio.h>
#include <string.h>

/* The instant of minute m of plan day `day` in Shanghai (UTC+8, no summer time). */
static int64_t at(int64_t day, int minutes) { return (day * 86400 + minutes * 60LL - 8 * 3600) * 1000000; }

typedef struct demo_text { const char *lang, *title, *body, *rumour; } demo_text;

static const demo_text DAILY[] = {
    {"zh-CN", "每日通报 %s", "今日核酸筛查照常进行：采样点在小区东门，7:00–11:00，请各楼组按通知时间分批下楼，保持两米间距。"
     "保供物资今天下午按楼组配送到楼下，请留意楼组长的消息。", NULL},
    {"en", "Daily bulletin %s", "Testing goes on today at the east gate, 7:00-11:00. Please come down block by block "
     "at the time you were given and keep two metres apart. Supply boxes reach each block this afternoon; watch for "
     "your block leader's message.", NULL},
    {"ja", "毎日のお知らせ %s", "本日のPCR検査は東門で7:00〜11:00に行います。棟ごとに指定の時間に降りてきて、2メートルの間隔を保って"
     "ください。生活物資は本日午後、棟ごとに配達します。棟長からの連絡をご確認ください。", NULL},
    {"ko", "일일 공지 %s", "오늘 PCR 검사는 동문에서 7:00~11:00에 진행됩니다. 동별로 안내된 시간에 내려오시고 2미터 거리를 "
     "유지해 주세요. 생활 물자는 오늘 오후 동별로 배송됩니다. 동 대표의 안내를 확인해 주세요.", NULL},
};

static const demo_text RUMOUR[] = {
    {"zh-CN", "辟谣：小区不会“封闭一个月”", "经向街道核实，此消息不实。小区管控以街道正式通知为准；保供物资按楼组配送，"
     "请不要聚集抢购。", "网传“小区明天起封闭一个月，大家赶紧囤菜”。"},
    {"en", "Not true: the compound is not \"closing for a month\"", "The street office confirms this is false. Only "
     "its official notices count; supplies are delivered per block, so please do not crowd the shops.",
     "A message says the compound closes for a month from tomorrow and everyone should stock up."},
    {"ja", "デマについて：「1か月の封鎖」はありません", "街道弁事処に確認したところ、この情報は事実ではありません。公式の通知のみが"
     "有効です。物資は棟ごとに配達しますので、買いだめはお控えください。", "「明日から1か月封鎖されるので食料を買いだめせよ」という"
     "メッセージが出回っています。"},
    {"ko", "사실 아님: '한 달 봉쇄'는 없습니다", "가도 사무소에 확인한 결과 사실이 아닙니다. 공식 공지만 유효하며, 물자는 동별로 "
     "배송되니 사재기를 삼가 주세요.", "'내일부터 한 달간 봉쇄되니 식료품을 사 두라'는 메시지가 돌고 있습니다."},
};

static const demo_text URGENT[] = {
    {"zh-CN", "紧急通知：今晚加做一轮抗原检测", "请本片区居民今晚 20:00 前在家完成抗原自测，并把结果拍照发给楼组长。"
     "行动不便的住户，志愿者将上门协助。", NULL},
    {"en", "Urgent: one more antigen test tonight", "Everyone in this zone: please do an antigen self-test at home "
     "before 20:00 tonight and send a photo of the result to your block leader. Volunteers will help those who "
     "cannot manage.", NULL},
    {"ja", "緊急：今夜、抗原検査をもう一度行います", "この地区の皆さんは今夜20:00までに自宅で抗原検査を行い、結果の写真を棟長に"
     "送ってください。体の不自由な方にはボランティアが伺います。", NULL},
    {"ko", "긴급: 오늘 밤 항원 검사를 한 번 더 합니다", "이 구역 주민께서는 오늘 밤 20:00 전에 집에서 항원 자가검사를 하고 결과 "
     "사진을 동 대표에게 보내 주세요. 거동이 불편한 분은 자원봉사자가 방문합니다.", NULL},
};

static int insert_bulletin(demo_plan *p, store_conn *c, const char *kind, const char *scope, int64_t publish_at,
                           int pinned, int public_, const demo_text *texts, const char *day, int64_t *id)
{
    store_stmt *st;
    if (store_run(c, &st, "INSERT INTO bulletins (community_id, kind, scope_kind, pinned, public, publish_at, "
                  "notified_at, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $6, $6) "
                  "RETURNING id", "ittiiii", p->community_id, kind, scope, (int64_t)pinned, (int64_t)public_,
                  publish_at, p->user_committee) != STORE_ROW)
        return STORE_ERR;
    *id = store_col_int(st, 0);
    store_done(st);
    for (int i = 0; i < 4; i++) {
        char title[160];
        snprintf(title, sizeof title, texts[i].title, day);
        if (store_run(c, NULL, "INSERT INTO bulletin_texts (community_id, bulletin_id, version, lang, title, body, "
                      "rumour) VALUES ($1, $2, 1, $3, $4, $5, $6)", "iitttt", p->community_id, *id, texts[i].lang,
                      title, texts[i].body, texts[i].rumour) != STORE_DONE)
            return STORE_ERR;
    }
    return store_run(c, NULL, "INSERT INTO bulletin_versions (community_id, bulletin_id, version, edited_by, "
                     "edited_at) VALUES ($1, $2, 1, $3, $4)", "iiii", p->community_id, *id, p->user_committee,
                     publish_at) == STORE_DONE ? STORE_OK : STORE_ERR;
}

static int receipt(demo_plan *p, store_conn *c, int64_t bulletin, int hh, int64_t when, const char *method)
{
    bool app = !strcmp(method, "app");
    return store_run(c, NULL, "INSERT INTO bulletin_receipts (community_id, bulletin_id, household_id, read_at, "
                     "method, confirmed_by) VALUES ($1, $2, $3, $4, $5, $6)", app ? "iiiitn" : "iiiiti",
                     p->community_id,
                     bulletin, p->hh_id[hh], when, method, p->user_block) == STORE_DONE ? STORE_OK : STORE_ERR;
}

static int insert_bulletins(demo_plan *p, store_conn *c)
{
    if (p->n_blocks == 0) return STORE_OK;
    int64_t id;
    char day[11];
    int rc = STORE_OK;
    for (int d = 6; d >= 0 && !rc; d--) {
        clock_format_date(p->today - d, day);
        int64_t when = at(p->today - d, 8 * 60);
        if (when > p->now) when = p->now;
        rc = insert_bulletin(p, c, "daily", "community", when, 0, 1, DAILY, day, &id);
    }
    clock_format_date(p->today - 2, day);
    if (!rc) rc = insert_bulletin(p, c, "rumour", "community", at(p->today - 2, 14 * 60), 1, 1, RUMOUR, day, &id);
    int zone = p->blocks[0].zone;
    int64_t urgent_at = at(p->today, 7 * 60) < p->now ? at(p->today, 7 * 60) : p->now - 3600LL * 1000000;
    if (!rc) rc = insert_bulletin(p, c, "urgent", zone >= 0 ? "zones" : "blocks", urgent_at, 1, 0, URGENT, day, &id);
    if (!rc)
        rc = store_run(c, NULL, zone >= 0 ? "INSERT INTO bulletin_targets (community_id, bulletin_id, zone_id) VALUES "
                                            "($1, $2, $3)"
                                          : "INSERT INTO bulletin_targets (community_id, bulletin_id, block_id) VALUES "
                                            "($1, $2, $3)", "iii", p->community_id, id,
                       zone >= 0 ? p->zone_id[zone] : p->block_id[0]) == STORE_DONE ? STORE_OK : STORE_ERR;
    /* Receipts: about half of each block of the audience read it in the app; in the
     * block leader's block, a few more were phoned or visited. */
    for (int b = 0; b < p->n_blocks && !rc; b++) {
        if (zone >= 0 ? p->blocks[b].zone != zone : b != 0) continue;
        const plan_block *bl = &p->blocks[b];
        for (int k = 0; k < bl->n_hh && !rc; k++) {
            int hh = bl->first_hh + k;
            if (hh == p->resident_hh || !strcmp(p->hh[hh].status, "vacant")) continue;
            int64_t when = urgent_at + (int64_t)(k + 1) * 90 * 1000000;
            if (when > p->now) when = p->now;
            if (k % 2 == 0) rc = receipt(p, c, id, hh, when, "app");
            else if (b == 0 && k % 4 == 1) rc = receipt(p, c, id, hh, when, k % 8 == 1 ? "phone" : "visit");
        }
    }
    return rc ? demo_step_fail(p, c, "bulletins") : STORE_OK;
}

const demo_step bulletin_demo_steps[] = {
    {80, "bulletins", insert_bulletins},
    {0},
};
