// Channels to the committee's chat groups and the durable outbox: a local receiver on
// 127.0.0.1 plays a WeCom group robot and a generic webhook. A published bulletin
// reaches each enabled channel exactly once (WeCom's message format, the event id in a
// header and in the body); a failing receiver (500, or WeCom errcode ≠ 0) is tried again
// with backoff and then gets it once; a delivery that keeps failing is marked failed,
// listed first, and retried on demand; exactly once across restarts (queued while the
// receiver is down, or before any delivery, or a bulletin scheduled while no server
// runs); a disabled channel gets nothing; the test message; validation naming the field;
// role and community denials; the URL shown masked; exports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer } from '../lib/server.mjs';
import { assertError, loggedIn, listItems, sleep, stopServer, uniq } from '../lib/api-helpers.mjs';

// Short backoff (200 ms, 600 ms, 2.4 s) and four attempts, so that retries fit a test.
const ENV = { SHOUWANG_OUTBOX_BACKOFF_MS: '200', SHOUWANG_OUTBOX_MAX_ATTEMPTS: '4' };

let srv, rx;
const c = {};

async function until(fn, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await sleep(200);
  }
}

// The receiver: every path /<name> answers as behaviour[name](n) says for its n-th
// request (0-based): { status, body }; by default 200 and WeCom's {"errcode":0}.
function receiver() {
  const r = { hits: {}, behaviour: {}, url: '' };
  r.server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (d) => { data += d; });
    req.on('end', () => {
      const name = req.url.slice(1).split('?')[0];
      const list = (r.hits[name] ||= []);
      let body = null;
      try { body = JSON.parse(data); } catch { /* kept as null */ }
      const answer = (r.behaviour[name] || (() => ({})))(list.length);
      const status = answer.status || 200;
      list.push({ at: Date.now(), eventId: req.headers['x-shouwang-event-id'], type: req.headers['content-type'],
        body, status, ok: status === 200 && !(answer.body && answer.body.errcode) });
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer.body || { errcode: 0, errmsg: 'ok' }));
    });
  });
  return new Promise((ok) => r.server.listen(0, '127.0.0.1', () => {
    r.url = `http://127.0.0.1:${r.server.address().port}`;
    ok(r);
  }));
}
// Successful deliveries per event id at one path.
function delivered(name) {
  const out = {};
  for (const h of rx.hits[name] || []) if (h.ok) out[h.eventId] = (out[h.eventId] || 0) + 1;
  return out;
}

async function channel(fields) {
  const r = await c.committee.post('/api/v1/channels', { events: ['bulletin.published'], ...fields });
  assert.equal(r.status, 201, r.text);
  return r.json.channel;
}

async function publish(title, extra = {}) {
  const r = await c.committee.post('/api/v1/bulletins', { kind: 'notice', texts: { 'zh-CN': { title,
    body: `${title}：请各位居民留意。` } }, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json.bulletin;
}

async function login() {
  for (const u of ['committee', 'zone', 'block', 'volunteer', 'resident']) c[u] = await loggedIn(srv.url, u);
}

async function restart() {
  await stopServer(srv, { keepDb: true });
  srv = await startServer({ db: srv.db, env: ENV });
  await login();
}

async function deliveriesOf(id, query = '') {
  return listItems(await c.committee.get(`/api/v1/channels/${id}/deliveries?limit=100${query}`));
}

before(async () => {
  rx = await receiver();
  srv = await startServer({ env: ENV });
  await login();
});
after(async () => {
  await stopServer(srv);
  rx.server.close();
});

test('a published bulletin reaches each enabled channel once, in its format; a disabled one gets nothing', async () => {
  const hook = await channel({ name: '物业对接', kind: 'webhook', url: `${rx.url}/hook1` });
  assert.equal(hook.url, `${rx.url}/hook1`, 'the full URL is answered once, to its writer');
  const wtext = await channel({ name: '居民群', kind: 'wecom', url: `${rx.url}/wecom-text?key=secret-key-1234` });
  const wmd = await channel({ name: '楼组长群', kind: 'wecom', format: 'markdown', url: `${rx.url}/wecom-md` });
  const off = await channel({ name: '停用的群', kind: 'webhook', url: `${rx.url}/off`, enabled: false });
  const other = await channel({ name: '只收求助', kind: 'webhook', url: `${rx.url}/help-only`,
    events: ['help.urgent'] });
  assert.equal(off.enabled, false);
  // Lists show the URL masked, never in full.
  const list = await c.committee.get('/api/v1/channels?limit=100');
  const listed = listItems(list).find((x) => x.id === wtext.id);
  assert.equal(listed.url, undefined);
  assert.ok(!list.text.includes('secret-key-1234'), 'no list holds the key');
  assert.match(listed.url_masked, /^http:\/\/127\.0\.0\.1:\d+\/…1234$/);
  assert.deepEqual(listed.events, ['bulletin.published']);
  const one = await c.committee.get(`/api/v1/channels/${wtext.id}`);
  assert.ok(!one.text.includes('secret-key-1234'));

  const b = await publish('明日核酸检测安排');
  const key = `bulletin:${b.id}:v1`;
  const done = await until(() => delivered('hook1')[key] && delivered('wecom-text')[key] && delivered('wecom-md')[key]);
  assert.ok(done, `delivered: ${JSON.stringify(rx.hits)}`);
  await sleep(2500);   // nothing more comes
  assert.deepEqual(delivered('hook1'), { [key]: 1 });
  assert.deepEqual(delivered('wecom-text'), { [key]: 1 });
  assert.deepEqual(delivered('wecom-md'), { [key]: 1 });
  assert.equal(rx.hits.off, undefined, 'a disabled channel gets nothing');
  assert.equal(rx.hits['help-only'], undefined, 'a channel that does not take the event gets nothing');

  const h = rx.hits.hook1[0];
  assert.match(h.type, /^application\/json/);
  assert.equal(h.body.event, 'bulletin.published');
  assert.equal(h.body.event_id, key);
  assert.equal(h.body.community_id, c.committee.me.community.id);
  assert.equal(h.body.title, '明日核酸检测安排');
  assert.match(h.body.text, /请各位居民留意/);
  assert.equal(h.body.link, `/bulletins/${b.id}`);
  assert.match(h.body.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const t = rx.hits['wecom-text'][0].body;
  assert.equal(t.msgtype, 'text');
  assert.match(t.text.content, /^明日核酸检测安排\n/);
  assert.match(t.text.content, /请各位居民留意/);
  const m = rx.hits['wecom-md'][0].body;
  assert.equal(m.msgtype, 'markdown');
  assert.match(m.markdown.content, /^\*\*明日核酸检测安排\*\*\n/);

  const d = await deliveriesOf(hook.id);
  assert.equal(d.length, 1);
  assert.equal(d[0].state, 'delivered');
  assert.equal(d[0].http_status, 200);
  assert.equal(d[0].attempts, 1);
  assert.equal(d[0].event_key, key);
  assert.ok(d[0].delivered_at);
  assert.equal((await deliveriesOf(off.id)).length, 0);
  assert.equal((await deliveriesOf(other.id)).length, 0);

  // Disabled later: what is published after gets nothing; enabled again, the next does.
  assert.equal((await c.committee.patch(`/api/v1/channels/${hook.id}`, { enabled: false })).json.channel.enabled, false);
  const b2 = await publish('停用后发布');
  await until(() => delivered('wecom-text')[`bulletin:${b2.id}:v1`]);
  await sleep(1500);
  assert.equal(delivered('hook1')[`bulletin:${b2.id}:v1`], undefined);
  await c.committee.patch(`/api/v1/channels/${hook.id}`, { enabled: true });
});

test('a failing receiver is tried again with backoff and then gets the event once', async () => {
  rx.behaviour['flaky-hook'] = (n) => (n < 2 ? { status: 500, body: { error: 'busy' } } : {});
  rx.behaviour['flaky-wecom'] = (n) => (n < 2 ? { body: { errcode: -1, errmsg: 'system busy' } } : {});
  const hook = await channel({ name: '不稳定的接口', kind: 'webhook', url: `${rx.url}/flaky-hook` });
  const wecom = await channel({ name: '限流的群', kind: 'wecom', url: `${rx.url}/flaky-wecom` });
  const b = await publish('补充通知');
  const key = `bulletin:${b.id}:v1`;
  assert.ok(await until(() => delivered('flaky-hook')[key] && delivered('flaky-wecom')[key]),
    JSON.stringify(rx.hits));
  await sleep(2000);
  for (const name of ['flaky-hook', 'flaky-wecom']) {
    const hits = rx.hits[name];
    assert.equal(hits.length, 3, `${name}: two failures, then one success`);
    assert.deepEqual(delivered(name), { [key]: 1 });
    assert.ok(hits.every((x) => x.eventId === key), 'the same event id each time');
    // The waits grow: 200 ms after the first failure, 600 ms after the second.
    assert.ok(hits[1].at - hits[0].at >= 180, `first wait ${hits[1].at - hits[0].at} ms`);
    assert.ok(hits[2].at - hits[1].at >= 550, `second wait ${hits[2].at - hits[1].at} ms`);
  }
  const d = (await deliveriesOf(wecom.id))[0];
  assert.equal(d.state, 'delivered');
  assert.equal(d.attempts, 3);
  assert.equal((await deliveriesOf(hook.id))[0].attempts, 3);
});

test('a robot that says "too many messages" is waited for without spending an attempt', async () => {
  rx.behaviour['busy-wecom'] = (n) => (n < 1 ? { body: { errcode: 45009, errmsg: 'api freq out of limit' } } : {});
  rx.behaviour['busy-hook'] = (n) => (n < 1 ? { status: 429, body: { error: 'slow down' } } : {});
  const wecom = await channel({ name: '刷屏的群', kind: 'wecom', url: `${rx.url}/busy-wecom` });
  const hook = await channel({ name: '限速的接口', kind: 'webhook', url: `${rx.url}/busy-hook` });
  const b = await publish('限流测试');
  const key = `bulletin:${b.id}:v1`;
  assert.ok(await until(() => delivered('busy-wecom')[key] && delivered('busy-hook')[key], 15000),
    JSON.stringify(rx.hits));
  for (const [name, ch] of [['busy-wecom', wecom], ['busy-hook', hook]]) {
    const hits = rx.hits[name];
    assert.equal(hits.length, 2);
    // Six backoff steps (1.2 s here; a minute with the default) before the second try.
    assert.ok(hits[1].at - hits[0].at >= 1100, `${name} waited ${hits[1].at - hits[0].at} ms`);
    const d = (await deliveriesOf(ch.id))[0];
    assert.equal(d.state, 'delivered');
    assert.equal(d.attempts, 1, 'the throttled try is not counted');
  }
});

test('a delivery that keeps failing is marked failed, listed first, and retried on demand', async () => {
  let up = false;
  rx.behaviour.down = () => (up ? {} : { status: 500, body: { error: 'down' } });
  const hook = await channel({ name: '坏掉的接口', kind: 'webhook', url: `${rx.url}/down` });
  const b = await publish('失败重试测试');
  const failed = await until(async () => {
    const d = await deliveriesOf(hook.id);
    return d[0]?.state === 'failed' ? d[0] : null;
  }, 30000);
  assert.ok(failed, 'failed after the last attempt');
  assert.equal(failed.attempts, 4);
  assert.equal(failed.http_status, 500);
  assert.match(failed.last_error, /HTTP 500/);
  assert.equal(failed.next_at, null);
  assert.equal(rx.hits.down.length, 4);
  const outbox = listItems(await c.committee.get('/api/v1/outbox?limit=100'));
  assert.equal(outbox[0].state, 'failed', 'failures first');
  const only = listItems(await c.committee.get('/api/v1/outbox?state=failed&limit=100'));
  assert.ok(only.every((x) => x.state === 'failed') && only.some((x) => x.id === failed.id));
  assert.equal((await c.committee.get(`/api/v1/channels/${hook.id}`)).json.channel.failed, 1);
  // Exports like other lists.
  const csv = await c.committee.get('/api/v1/outbox?state=failed&format=csv');
  assert.equal(csv.status, 200, csv.text);
  assert.match(csv.text, /失败重试测试|HTTP 500/);

  up = true;
  const again = await c.committee.post(`/api/v1/outbox/${failed.id}/retry`, {});
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.delivery.state, 'pending');
  const key = `bulletin:${b.id}:v1`;
  assert.ok(await until(() => delivered('down')[key]));
  await sleep(1500);
  assert.deepEqual(delivered('down'), { [key]: 1 });
  assert.equal((await deliveriesOf(hook.id))[0].state, 'delivered');
  assertError(await c.committee.post(`/api/v1/outbox/${failed.id}/retry`, {}), 409, 'conflict');
  assertError(await c.committee.post('/api/v1/outbox/99999999/retry', {}), 404, 'not_found');
  assertError(await c.committee.get('/api/v1/outbox?state=lost'), 400, 'validation_failed', 'state');
});

test('exactly once across restarts: queued while the receiver is down, before delivery, and scheduled', async () => {
  let up = false;
  rx.behaviour.restart = () => (up ? {} : { status: 503, body: { error: 'down' } });
  const hook = await channel({ name: '重启测试', kind: 'webhook', url: `${rx.url}/restart` });
  const b1 = await publish('重启前发布一');
  const b2 = await publish('重启前发布二');
  assert.ok(await until(() => (rx.hits.restart || []).length >= 2), 'tried while down');
  await stopServer(srv, { keepDb: true });
  up = true;
  // Published and stopped at once: before the tick (or just after it) — once either way.
  srv = await startServer({ db: srv.db, env: ENV });
  await login();
  const b3 = await publish('重启前发布三');
  const at = new Date(Date.now() + 3000).toISOString().replace(/\.\d+Z$/, 'Z');
  const b4 = await publish('定时发布', { publish_at: at });
  await restart();
  await stopServer(srv, { keepDb: true });
  await sleep(3500);   // the scheduled time passes while no server runs
  srv = await startServer({ db: srv.db, env: ENV });
  await login();
  const keys = [b1, b2, b3, b4].map((b) => `bulletin:${b.id}:v1`);
  assert.ok(await until(() => keys.every((k) => delivered('restart')[k])), JSON.stringify(delivered('restart')));
  await sleep(2500);
  assert.deepEqual(delivered('restart'), Object.fromEntries(keys.map((k) => [k, 1])));
  const d = await deliveriesOf(hook.id);
  assert.equal(d.length, 4);
  assert.ok(d.every((x) => x.state === 'delivered'), JSON.stringify(d));
});

test('a revised bulletin is announced again as its new version; a withdrawn scheduled one never', async () => {
  const hook = await channel({ name: '修订测试', kind: 'webhook', url: `${rx.url}/revise` });
  const b = await publish('修订前');
  assert.ok(await until(() => delivered('revise')[`bulletin:${b.id}:v1`]));
  const p = await c.committee.patch(`/api/v1/bulletins/${b.id}`, { texts: { 'zh-CN': { title: '修订后', body: '新内容' } } });
  assert.equal(p.status, 200, p.text);
  assert.ok(await until(() => delivered('revise')[`bulletin:${b.id}:v2`]));
  assert.equal(rx.hits.revise.at(-1).body.title, '修订后');
  // Pinning changes no text: nothing new.
  await c.committee.patch(`/api/v1/bulletins/${b.id}`, { pinned: true });
  const at = new Date(Date.now() + 2000).toISOString().replace(/\.\d+Z$/, 'Z');
  const s = await publish('将撤回', { publish_at: at });
  assert.equal((await c.committee.post(`/api/v1/bulletins/${s.id}/withdraw`, {})).status, 200);
  await sleep(4000);
  assert.equal(rx.hits.revise.length, 2, JSON.stringify(rx.hits.revise.map((x) => x.eventId)));
  assert.equal((await deliveriesOf(hook.id)).length, 2);
});

test('the test message goes through the outbox to the channel, also a disabled one', async () => {
  const hook = await channel({ name: '测试消息', kind: 'wecom', url: `${rx.url}/test-msg`, enabled: false });
  const r = await c.committee.post(`/api/v1/channels/${hook.id}/test`, {});
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.delivery.event, 'channel.test');
  assert.ok(await until(() => (rx.hits['test-msg'] || []).some((x) => x.ok)));
  const got = rx.hits['test-msg'][0];
  assert.equal(got.body.msgtype, 'text');
  assert.match(got.body.text.content, /test message/);
  assert.equal(got.eventId, r.json.delivery.event_key);
  const tested = listItems(await c.committee.get('/api/v1/audit?action=channel.test&limit=50'));
  assert.ok(tested.some((e) => e.target_id === hook.id), 'audited');
  assert.ok(listItems(await c.committee.get('/api/v1/audit?action=channel.create&limit=500')).length >= 1);
  const gone = await c.committee.del(`/api/v1/channels/${hook.id}`);
  assert.equal(gone.status, 200, gone.text);
  assertError(await c.committee.get(`/api/v1/channels/${hook.id}`), 404, 'not_found');
});

test('validation errors name the field', async () => {
  const ok = { name: '群', kind: 'webhook', url: 'https://example.org/hook' };
  const cases = [
    [{}, 'name'],
    [{ ...ok, name: '' }, 'name'],
    [{ ...ok, name: 'x'.repeat(61) }, 'name'],
    [{ ...ok, kind: 'sms' }, 'kind'],
    [{ name: '群', kind: 'webhook' }, 'url'],
    [{ ...ok, url: 'ftp://example.org/x' }, 'url'],
    [{ ...ok, url: 'https://' }, 'url'],
    [{ ...ok, url: 'https://exa mple.org/' }, 'url'],
    [{ ...ok, url: 'https://user:pw@example.org/' }, 'url'],
    [{ ...ok, url: `https://example.org/${'x'.repeat(1000)}` }, 'url'],
    [{ ...ok, format: 'html' }, 'format'],
    [{ ...ok, events: 'bulletin.published' }, 'events'],
    [{ ...ok, events: ['bulletin.published', 'party'] }, 'events[1]'],
    [{ ...ok, enabled: 'yes' }, 'enabled'],
  ];
  for (const [body, field] of cases) {
    assertError(await c.committee.post('/api/v1/channels', body), 400, 'validation_failed', field);
  }
  const made = await channel({ ...ok, name: uniq('v') });
  assertError(await c.committee.patch(`/api/v1/channels/${made.id}`, { url: 'mailto:x@example.org' }), 400,
    'validation_failed', 'url');
  const zh = await loggedIn(srv.url, 'committee', undefined, 'zh-CN');
  const r = await zh.post('/api/v1/channels', { ...ok, kind: 'qq' });
  assertError(r, 400, 'validation_failed', 'kind');
  assert.match(r.json.error.message, /企业微信/);
});

test('only the committee of the community sees and changes its channels', async () => {
  const mine = await channel({ name: '本社区的群', kind: 'webhook', url: `${rx.url}/mine` });
  for (const u of ['zone', 'block', 'volunteer', 'resident']) {
    assertError(await c[u].get('/api/v1/channels'), 403, 'forbidden');
    assertError(await c[u].get(`/api/v1/channels/${mine.id}`), 403, 'forbidden');
    assertError(await c[u].post('/api/v1/channels', { name: 'x', kind: 'webhook', url: 'https://e.org/' }), 403,
      'forbidden');
    assertError(await c[u].get('/api/v1/outbox'), 403, 'forbidden');
    assertError(await c[u].post(`/api/v1/channels/${mine.id}/test`, {}), 403, 'forbidden');
  }
  const admin = await loggedIn(srv.url, 'admin');
  const made = await admin.post('/api/v1/communities', { name: uniq('远方社区'), timezone: 'Asia/Shanghai' });
  assert.equal(made.status, 201, made.text);
  const name = uniq('far-');
  const u = await admin.post('/api/v1/users', { username: name, display_name: 'Far Committee',
    password: 'far-committee-1', roles: [{ role: 'committee' }], community_id: made.json.community.id });
  assert.equal(u.status, 201, u.text);
  const far = await loggedIn(srv.url, name, 'far-committee-1');
  assert.equal(far.me.community.id, made.json.community.id);
  assert.deepEqual(listItems(await far.get('/api/v1/channels')), []);
  assertError(await far.get(`/api/v1/channels/${mine.id}`), 404, 'not_found');
  assertError(await far.get(`/api/v1/channels/${mine.id}/deliveries`), 404, 'not_found');
  assertError(await far.patch(`/api/v1/channels/${mine.id}`, { enabled: false }), 404, 'not_found');
  assertError(await far.post(`/api/v1/channels/${mine.id}/test`, {}), 404, 'not_found');
  assertError(await far.del(`/api/v1/channels/${mine.id}`), 404, 'not_found');
  const anyDelivery = listItems(await c.committee.get('/api/v1/outbox?limit=1'))[0];
  assertError(await far.post(`/api/v1/outbox/${anyDelivery.id}/retry`, {}), 404, 'not_found');
  assert.deepEqual(listItems(await far.get('/api/v1/outbox')), []);
  // A bulletin of the far community reaches none of ours.
  const before = JSON.stringify(rx.hits);
  const fb = await far.post('/api/v1/bulletins', { kind: 'notice', texts: { 'zh-CN': { title: '远方', body: '远方' } } });
  assert.equal(fb.status, 201, fb.text);
  await sleep(2000);
  assert.equal(JSON.stringify(rx.hits), before);
});
