// Retention of sensitive data: the committee's setting, purge now with a dry run, the
// `shouwang purge` command and the server's daily purge. Row counts are read from the
// database itself, so "removes exactly the right rows and keeps the others" is checked
// on the tables, not only on what the API shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runCli } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, stopServer } from '../lib/api-helpers.mjs';
import { dbInt, cstDay } from '../lib/db-query.mjs';

let srv;
const c = {};
let cid;
let block1;
let household;     // a household of the block leader's block, made here

function scopeOf(client, role) {
  return client.me.user.roles.find((r) => r.role === role).scope_id;
}

// Counts of the rows a purge is about, for the whole community.
function snapshot(db) {
  const q = (sql) => dbInt(db, sql.replace(/\$C/g, String(cid)));
  return {
    isolation: q("SELECT COUNT(*) FROM resident_flags WHERE community_id = $C AND flag = 'home_isolation'"),
    healthHistory: q("SELECT COUNT(*) FROM resident_flags WHERE community_id = $C AND flag IN ('pregnant', 'chronic_illness', "
      + "'bedridden', 'disabled') AND cleared_at IS NOT NULL"),
    healthCurrent: q("SELECT COUNT(*) FROM resident_flags WHERE community_id = $C AND flag IN ('pregnant', 'chronic_illness', "
      + "'bedridden', 'disabled') AND cleared_at IS NULL"),
    healthDetails: q("SELECT COUNT(*) FROM resident_flags WHERE community_id = $C AND flag IN ('pregnant', 'chronic_illness', "
      + "'bedridden', 'disabled') AND cleared_at IS NULL AND detail <> '{}'"),
    otherFlags: q("SELECT COUNT(*) FROM resident_flags WHERE community_id = $C AND flag IN ('alone_elderly', 'no_smartphone')"),
    travel: q('SELECT COUNT(*) FROM resident_travel WHERE community_id = $C'),
    answersWithContent: q("SELECT COUNT(*) FROM sweep_answers WHERE community_id = $C AND (answers <> '{}' OR note <> '')"),
    answers: q('SELECT COUNT(*) FROM sweep_answers WHERE community_id = $C'),
    residents: q('SELECT COUNT(*) FROM residents WHERE community_id = $C'),
    households: q('SELECT COUNT(*) FROM households WHERE community_id = $C'),
  };
}

async function newResident(name, extra = {}) {
  const r = await c.committee.post('/api/v1/residents', { household_id: household, name, birth_year: 1960, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json.resident.id;
}

async function flag(id, f, detail) {
  const r = await c.committee.post(`/api/v1/residents/${id}/flags`, { flag: f, detail });
  assert.equal(r.status, 201, r.text);
}

async function travel(id, place, from_date, to_date) {
  const r = await c.committee.post(`/api/v1/residents/${id}/travel`, { place, from_date, to_date });
  assert.equal(r.status, 201, r.text);
  return r.json.travel.id;
}

// A resident with every kind of sensitive record, and a sweep answer about them.
async function sensitiveResident(name) {
  const id = await newResident(name, { phone: '13800001111' });
  await flag(id, 'home_isolation', { start: cstDay(-20), planned_end: cstDay(-6), reason: '密接' });
  await flag(id, 'home_isolation', { start: cstDay(-20), planned_end: cstDay(-3), reason: '密接' }); // history
  await flag(id, 'pregnant', { due_date: cstDay(60), hospital: '国妇婴' });
  await flag(id, 'chronic_illness', { condition: '糖尿病', medicine: '二甲双胍' });
  assert.equal((await c.committee.del(`/api/v1/residents/${id}/flags/chronic_illness`)).status, 200);
  await flag(id, 'chronic_illness', { condition: '高血压', medicine: '氨氯地平' });
  await flag(id, 'alone_elderly', { note: '独居' });
  await travel(id, '武汉', cstDay(-30), cstDay(-25));
  await travel(id, '成都', cstDay(-10));
  return id;
}

async function sweepAnswer(residentId) {
  const s = await c.committee.post('/api/v1/sweeps', { title: '健康排摸', questions: [
    { key: 'fever', label_zh: '是否发热', type: 'yes_no' }, { key: 'symptoms', label_zh: '症状', type: 'text' },
  ], target_kind: 'list', household_ids: [household] });
  assert.equal(s.status, 201, s.text);
  assert.equal((await c.committee.post(`/api/v1/sweeps/${s.json.sweep.id}/open`, {})).status, 200);
  const r = await c.block.req('PUT', `/api/v1/sweeps/${s.json.sweep.id}/households/${household}`,
    { outcome: 'answered', answers: { fever: true, symptoms: '咳嗽' }, note: '已就医', resident_id: residentId });
  assert.equal(r.status, 200, r.text);
  return s.json.sweep.id;
}

before(async () => {
  srv = await startServer();
  for (const u of ['committee', 'zone', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
  cid = c.committee.me.community.id;
  block1 = scopeOf(c.block, 'block_leader');
  const h = await c.committee.post('/api/v1/households', { block_id: block1, room: `R-${Date.now() % 100000}` });
  assert.equal(h.status, 201, h.text);
  household = h.json.household.id;
});

after(async () => {
  await stopServer(srv);
});

test('the setting: defaults, validation naming the field, and an audited update', async () => {
  const g = await c.committee.get('/api/v1/community/retention');
  assert.equal(g.status, 200, g.text);
  const r = g.json.retention;
  assert.equal(r.emergency_ended_on, null);
  assert.equal(r.ongoing, true);
  assert.equal(r.keep_days, 30);
  assert.equal(r.max_days, 180);
  assert.equal(r.today, cstDay(0));
  assert.equal(r.timezone, 'Asia/Shanghai');
  assert.equal(r.purge_due, false);

  const bad = [
    [{ emergency_ended_on: '2026-02-30' }, 'emergency_ended_on'],
    [{ emergency_ended_on: 20260101 }, 'emergency_ended_on'],
    [{ emergency_ended_on: cstDay(2) }, 'emergency_ended_on'],
    [{ keep_days: 0 }, 'keep_days'],
    [{ keep_days: 'thirty' }, 'keep_days'],
    [{ keep_days: 4000 }, 'keep_days'],
    [{ max_days: 3 }, 'max_days'],
  ];
  for (const [body, field] of bad) {
    assertError(await c.committee.patch('/api/v1/community/retention', body), 400, 'validation_failed', field);
  }
  const zh = await loggedIn(srv.url, 'committee', undefined, 'zh-CN');
  const e = await zh.patch('/api/v1/community/retention', { emergency_ended_on: cstDay(3) });
  assertError(e, 400, 'validation_failed', 'emergency_ended_on');
  assert.match(e.json.error.message, /紧急状态/);
  assertError(await c.committee.post('/api/v1/community/retention/purge', { dry_run: 'yes' }), 400, 'validation_failed', 'dry_run');

  const u = await c.committee.patch('/api/v1/community/retention', { emergency_ended_on: cstDay(-3), keep_days: 14 });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.retention.emergency_ended_on, cstDay(-3));
  assert.equal(u.json.retention.kept_until, cstDay(11));
  assert.equal(u.json.retention.purge_due, false);
  assert.equal((await c.committee.get('/api/v1/community/retention')).json.retention.keep_days, 14);
  const back = await c.committee.patch('/api/v1/community/retention', { emergency_ended_on: null, keep_days: 30 });
  assert.equal(back.json.retention.ongoing, true);
  const audit = listItems(await c.committee.get('/api/v1/audit?action=retention.update'));
  assert.equal(audit.length, 2, 'failed updates are not audited');
  assert.deepEqual(audit[0].detail.fields, ['emergency_ended_on', 'keep_days']);
});

test('zone and block leaders, volunteers and residents are refused', async () => {
  for (const u of ['zone', 'block', 'volunteer', 'resident']) {
    assertError(await c[u].get('/api/v1/community/retention'), 403, 'forbidden');
    assertError(await c[u].patch('/api/v1/community/retention', { keep_days: 5 }), 403, 'forbidden');
    assertError(await c[u].post('/api/v1/community/retention/purge', { dry_run: false }), 403, 'forbidden');
  }
  assert.equal((await c.committee.get('/api/v1/community/retention')).json.retention.keep_days, 30);
});

test('while the keep period runs nothing is purged; a dry run is the default and changes nothing', async () => {
  const id = await sensitiveResident('保留期内');
  await sweepAnswer(id);
  assert.equal((await c.committee.patch('/api/v1/community/retention', { emergency_ended_on: cstDay(-10) })).status, 200);
  const before = snapshot(srv.db);
  const r = await c.committee.post('/api/v1/community/retention/purge', {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.purge.dry_run, true, 'dry_run defaults to true');
  assert.equal(r.json.purge.ended_cutoff, null);
  assert.equal(r.json.purge.total, 0, JSON.stringify(r.json.purge));
  const real = await c.committee.post('/api/v1/community/retention/purge', { dry_run: false });
  assert.equal(real.json.purge.total, 0);
  assert.deepEqual(snapshot(srv.db), before);
});

test('after the keep period a purge removes exactly the sensitive rows; the dry run counted them', async () => {
  const id = await sensitiveResident('过期数据');
  const sweepId = await sweepAnswer(id);
  // Another community's data is never touched.
  const admin = await loggedIn(srv.url, 'admin');
  const other = await admin.post('/api/v1/communities', { name: '别的社区', timezone: 'Asia/Shanghai' });
  assert.equal(other.status, 201, other.text);
  assert.equal((await c.committee.patch('/api/v1/community/retention',
    { emergency_ended_on: cstDay(-40), keep_days: 30 })).status, 200);
  const s = (await c.committee.get('/api/v1/community/retention')).json.retention;
  assert.equal(s.kept_until, cstDay(-10));
  assert.equal(s.purge_due, true);

  const before = snapshot(srv.db);
  assert.ok(before.isolation >= 2 && before.healthHistory >= 1 && before.healthDetails >= 2 && before.travel >= 2
    && before.answersWithContent >= 1, JSON.stringify(before));
  const dry = await c.committee.post('/api/v1/community/retention/purge', { dry_run: true });
  assert.equal(dry.status, 200, dry.text);
  const expected = { isolation_flags: before.isolation, health_history: before.healthHistory,
    health_details: before.healthDetails, travel: before.travel, sweep_answers: before.answersWithContent };
  assert.deepEqual(dry.json.purge.counts, expected);
  assert.equal(dry.json.purge.ended_cutoff, cstDay(-10));
  assert.deepEqual(snapshot(srv.db), before, 'the dry run changed nothing');

  const real = await c.committee.post('/api/v1/community/retention/purge', { dry_run: false });
  assert.equal(real.status, 200, real.text);
  assert.deepEqual(real.json.purge.counts, expected);
  assert.equal(real.json.purge.total, Object.values(expected).reduce((a, b) => a + b, 0));
  const after = snapshot(srv.db);
  assert.deepEqual(after, { ...before, isolation: 0, healthHistory: 0, healthDetails: 0, travel: 0, answersWithContent: 0 },
    'identity, households, non-health flags, current health flags and sweep outcomes stay');

  // What the API shows of the resident now.
  const flags = listItems(await c.committee.get(`/api/v1/residents/${id}/flags?history=1`));
  assert.deepEqual(flags.map((f) => f.flag).sort(), ['alone_elderly', 'chronic_illness', 'pregnant']);
  assert.deepEqual(flags.find((f) => f.flag === 'pregnant').detail, {});
  assert.deepEqual(flags.find((f) => f.flag === 'alone_elderly').detail, { note: '独居' });
  assert.equal(listItems(await c.committee.get(`/api/v1/residents/${id}/travel`)).length, 0);
  const res = await c.committee.get(`/api/v1/residents/${id}`);
  assert.equal(res.json.resident.name, '过期数据');
  assert.equal(res.json.resident.phone, '13800001111');
  const hh = await c.committee.get(`/api/v1/sweeps/${sweepId}/households/${household}`);
  assert.equal(hh.status, 200, hh.text);
  assert.ok(!hh.text.includes('咳嗽') && !hh.text.includes('已就医'), hh.text.slice(0, 400));
  assert.match(hh.text, /answered/);

  // One audit entry with counts and cut-off, no personal data.
  const audit = listItems(await c.committee.get('/api/v1/audit?action=retention.purge&limit=500'));
  const entry = audit.find((a) => a.detail.dry_run === false && a.detail.total > 0);
  assert.ok(entry, JSON.stringify(audit));
  assert.equal(entry.target_type, 'community');
  assert.equal(entry.target_id, cid);
  assert.deepEqual(entry.detail.counts, expected);
  assert.equal(entry.detail.ended_cutoff, cstDay(-10));
  const text = JSON.stringify(entry);
  for (const secret of ['过期数据', '武汉', '成都', '糖尿病', '二甲双胍', '国妇婴', '咳嗽', '已就医', '13800001111', '密接']) {
    assert.ok(!text.includes(secret), `audit holds no ${secret}: ${text}`);
  }
  // Another purge finds nothing; the other community was not touched and has no entry.
  assert.equal((await c.committee.post('/api/v1/community/retention/purge', { dry_run: false })).json.purge.total, 0);
  assert.equal(dbInt(srv.db, `SELECT COUNT(*) FROM audit_log WHERE community_id = ${other.json.community.id} `
    + "AND action = 'retention.purge'"), 0);
});

test('while the emergency goes on, only records ended more than max_days ago go', async () => {
  const id = await newResident('滚动清理');
  const old = await travel(id, '温州', cstDay(-400), cstDay(-390));
  const openOld = await travel(id, '杭州', cstDay(-200));
  const recent = await travel(id, '南京', cstDay(-100), cstDay(-90));
  const open = await travel(id, '苏州', cstDay(-5));
  assert.equal((await c.committee.patch('/api/v1/community/retention',
    { emergency_ended_on: null, max_days: 180 })).status, 200);
  const dry = await c.committee.post('/api/v1/community/retention/purge', { dry_run: true });
  assert.equal(dry.json.purge.rolling_cutoff, cstDay(-180));
  assert.equal(dry.json.purge.ended_cutoff, null);
  assert.deepEqual(dry.json.purge.counts, { isolation_flags: 0, health_history: 0, health_details: 0, travel: 2,
    sweep_answers: 0 });
  const real = await c.committee.post('/api/v1/community/retention/purge', { dry_run: false });
  assert.equal(real.json.purge.counts.travel, 2);
  const left = listItems(await c.committee.get(`/api/v1/residents/${id}/travel`)).map((t) => t.id);
  assert.deepEqual(left, [recent, open]);
  assert.ok(!left.includes(old) && !left.includes(openOld));
});

test('shouwang purge: dry run prints counts and changes nothing; a real run purges and is audited', async () => {
  assert.equal((await c.committee.patch('/api/v1/community/retention',
    { emergency_ended_on: cstDay(-60), keep_days: 30 })).status, 200);
  const id = await newResident('命令行清理');
  await travel(id, '广州', cstDay(-3));
  await flag(id, 'home_isolation', { start: cstDay(-2) });
  const before = snapshot(srv.db);
  const line = `isolation_flags ${before.isolation}, health_history 0, health_details ${before.healthDetails}, `
    + `travel ${before.travel}, sweep_answers 0, total ${before.isolation + before.healthDetails + before.travel}`;
  assert.ok(before.isolation === 1 && before.travel >= 1, JSON.stringify(before));
  const dry = runCli(srv.db, ['purge', '--dry-run', '--community', String(cid)]);
  assert.ok(dry.includes(`community ${cid} (dry run): ${line}`), dry);
  assert.ok(dry.includes(`kept until ${cstDay(-30)}`), dry);
  assert.deepEqual(snapshot(srv.db), before);
  const out = runCli(srv.db, ['purge']);
  assert.ok(out.includes(`community ${cid}: ${line}`), out);
  assert.equal(snapshot(srv.db).travel, 0);
  const audit = listItems(await c.committee.get('/api/v1/audit?action=retention.purge&limit=500'));
  const cli = audit.filter((a) => a.address === 'cli');
  assert.equal(cli.length, 1, 'the dry run is not audited, the real run once');
  assert.equal(cli[0].user_id, null);
  assert.equal(cli[0].detail.counts.travel, before.travel);
  const help = runCli(srv.db, ['purge', '--help']);
  assert.match(help, /--dry-run/);
  assert.match(help, /keep days/);
});

test('the server purges each community once a day, from its maintenance job', async () => {
  const own = await startServer();
  try {
    const committee = await loggedIn(own.url, 'committee');
    const ocid = committee.me.community.id;
    assert.equal((await committee.patch('/api/v1/community/retention',
      { emergency_ended_on: cstDay(-45), keep_days: 30 })).status, 200);
    const hh = listItems(await committee.get('/api/v1/households?limit=1'))[0];
    const r = await committee.post('/api/v1/residents', { household_id: hh.id, name: '每日清理' });
    const rid = r.json.resident.id;
    assert.equal((await committee.post(`/api/v1/residents/${rid}/travel`, { place: '西安', from_date: cstDay(-4) })).status, 201);
    assert.equal((await committee.post(`/api/v1/residents/${rid}/flags`,
      { flag: 'home_isolation', detail: { start: cstDay(-4) } })).status, 201);
    assert.ok(dbInt(own.db, `SELECT COUNT(*) FROM resident_travel WHERE community_id = ${ocid}`) >= 1);
    // The maintenance job runs when the server starts, then hourly.
    await stopServer(own, { keepDb: true });
    const again = await startServer({ db: own.db });
    try {
      const deadline = Date.now() + 15000;
      while (dbInt(own.db, `SELECT COUNT(*) FROM resident_travel WHERE community_id = ${ocid}`) > 0 && Date.now() < deadline) {
        await new Promise((ok) => setTimeout(ok, 200));
      }
      assert.equal(dbInt(own.db, `SELECT COUNT(*) FROM resident_travel WHERE community_id = ${ocid}`), 0);
      assert.equal(dbInt(own.db, `SELECT COUNT(*) FROM resident_flags WHERE community_id = ${ocid} AND flag = 'home_isolation'`), 0);
      const c2 = await loggedIn(again.url, 'committee');
      const daily = listItems(await c2.get('/api/v1/audit?action=retention.purge')).filter((a) => a.address === 'daily');
      assert.equal(daily.length, 1);
      assert.ok(daily[0].detail.counts.travel >= 1 && daily[0].detail.counts.isolation_flags >= 1, JSON.stringify(daily[0]));
      assert.equal((await c2.get('/api/v1/community/retention')).json.retention.last_purge_on, cstDay(0));
    } finally {
      await stopServer(again, { keepDb: true });
    }
  } finally {
    own.db.dispose();
  }
});

test('a purge forgets the answers kept for replays; a retry then says it is done and writes nothing twice', async () => {
  const id = await newResident('重放遗忘');
  const key = `retention-replay-${Date.now()}`;
  const body = { place: '重庆', from_date: cstDay(-50), to_date: cstDay(-45) };
  const path = `/api/v1/residents/${id}/travel`;
  const first = await c.committee.post(path, body, { 'Idempotency-Key': key });
  assert.equal(first.status, 201, first.text);
  const replay = await c.committee.post(path, body, { 'Idempotency-Key': key });
  assert.equal(replay.status, 201, replay.text);
  assert.equal(replay.json.travel.id, first.json.travel.id, 'before the purge the replay is the first answer');
  assert.ok(dbInt(srv.db, "SELECT COUNT(*) FROM idempotency_keys WHERE response LIKE '%重庆%'") >= 1);

  assert.equal((await c.committee.patch('/api/v1/community/retention',
    { emergency_ended_on: cstDay(-40), keep_days: 30 })).status, 200);
  const dry = await c.committee.post('/api/v1/community/retention/purge', { dry_run: true });
  assert.ok(dry.json.purge.replays_forgotten >= 1, JSON.stringify(dry.json.purge));
  assert.ok(dbInt(srv.db, "SELECT COUNT(*) FROM idempotency_keys WHERE response LIKE '%重庆%'") >= 1, 'a dry run forgets nothing');
  const real = await c.committee.post('/api/v1/community/retention/purge', { dry_run: false });
  assert.equal(real.status, 200, real.text);
  assert.ok(real.json.purge.replays_forgotten >= 1, JSON.stringify(real.json.purge));
  assert.equal(dbInt(srv.db, "SELECT COUNT(*) FROM idempotency_keys WHERE response LIKE '%重庆%'"), 0);

  assertError(await c.committee.post(path, body, { 'Idempotency-Key': key }), 409, 'idempotency_already_done');
  assert.equal(listItems(await c.committee.get(`${path}`)).length, 0, 'the travel was purged and not written again');
  assert.equal((await c.committee.patch('/api/v1/community/retention',
    { emergency_ended_on: null, keep_days: 30 })).status, 200);
});
