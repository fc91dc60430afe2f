// /station/:id — the station on a phone: the tube's code first (scanned or typed; the
// box's too if there is one), then each person by their QR code (a household's code
// lists its people to pick who is here) or by name, phone tail or room. Each
// registration is put in IndexedDB first, then sent; without the network it waits
// there ("N waiting") and is sent through /sync when the network is back. The screen
// always shows the count in the tube ("7 / 10") and opens the next tube at the pool size.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { api, newIdempotencyKey } from '../../api.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { QrReader } from '../../components/QrReader.jsx';
import { Link } from '../../router.jsx';
import { placeName } from '../../components/place.js';
import { peopleLoad, peoplePurge, peopleSave, queueAdd, queueList, queueRemove } from './queue.js';
import { communityDay, digest, parseScan, searchCache } from './offline.js';

const SYNC_EVERY_MS = 10000;
const SYNC_CHUNK = 500;

// The screen's last state of the station, kept for a start without the network.
const snapKey = (id) => `shouwang.station.${id}`;
function loadSnap(id) {
  try { return JSON.parse(localStorage.getItem(snapKey(id)) || 'null'); } catch { return null; }
}
function saveSnap(id, snap) {
  try { localStorage.setItem(snapKey(id), JSON.stringify(snap)); } catch { /* storage full: no offline start */ }
}

// What the server is sent of a queued registration (the rest is for the screen).
const wire = (item, queued) => ({ idem_key: item.idem_key, resident_id: item.resident_id, tube_code: item.tube_code,
  box_code: item.box_code || undefined, taken_at: item.taken_at, queued });

export function StationPage({ params }) {
  const id = Number(params.id);
  const { t } = useI18n();
  const { session } = useSession();
  const timezone = session?.community?.timezone;
  const [snap, setSnapState] = useState(() => loadSnap(id));
  const [cache, setCache] = useState(null);
  const [waiting, setWaiting] = useState([]);
  const [online, setOnline] = useState(typeof navigator === 'undefined' ? true : navigator.onLine);
  const [acks, setAcks] = useState([]);
  const [pick, setPick] = useState(null);
  const [results, setResults] = useState(null);
  const [q, setQ] = useState('');
  const [boxCode, setBoxCode] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const syncing = useRef(false);
  const snapRef = useRef(snap);

  function setSnap(next) {
    snapRef.current = next;
    setSnapState(next);
    saveSnap(id, next);
  }

  function fromServer(s) {
    setSnap({ station: s.station, tube: s.tube ? { id: s.tube.id, code: s.tube.code, samples: s.tube.samples,
      capacity: s.tube.capacity } : null, box: s.box ? { code: s.box.code } : null, counts: s.counts });
  }

  async function refreshWaiting() {
    setWaiting(await queueList(id));
  }

  function acknowledge(entry) {
    setAcks((list) => [entry, ...list].slice(0, 12));
  }

  // The tube as the server last told it: a closed one makes way for the next.
  function tubeFromAnswer(tube) {
    if (!tube) return;
    const cur = snapRef.current || {};
    setSnap({ ...cur, tube: tube.closed ? null : { id: tube.id, code: tube.code, samples: tube.samples,
      capacity: tube.capacity } });
  }

  async function sync() {
    if (syncing.current || !navigator.onLine) return;
    const items = await queueList(id);
    if (!items.length) return;
    syncing.current = true;
    try {
      // The CSRF token again (a page opened offline has none yet).
      await api.get('/me', { quietUnauthenticated: true });
      for (let i = 0; i < items.length; i += SYNC_CHUNK) {
        const chunk = items.slice(i, i + SYNC_CHUNK);
        const r = await api.post(`/test-stations/${id}/sync`, { items: chunk.map((x) => wire(x, true)) },
          { retries: 0 });
        await queueRemove(r.results.map((x) => x.idem_key));
        for (const res of r.results) {
          const item = chunk.find((x) => x.idem_key === res.idem_key) || {};
          if (res.status === 'conflict' || res.status === 'duplicate') {
            acknowledge({ kind: 'dup', key: res.idem_key, text: t('station.ack.conflict', { name: item.name,
              station: res.first?.station || '', when: res.first?.taken_at || '' }) });
          } else if (res.status === 'error') {
            acknowledge({ kind: 'dup', key: res.idem_key, text: `${item.name}: ${res.error.message}` });
          }
        }
      }
      acknowledge({ kind: 'ok', key: `sync-${Date.now()}`, text: t('station.synced', { n: items.length }) });
      fromServer(await api.get(`/test-stations/${id}/state`));
    } catch (e) {
      if (e.status !== 0) setError(e);
    } finally {
      syncing.current = false;
      await refreshWaiting();
    }
  }

  useEffect(() => {
    let stopped = false;
    (async () => {
      const today = communityDay(timezone);
      await peoplePurge(today).catch(() => {});
      await refreshWaiting();
      try {
        fromServer(await api.get(`/test-stations/${id}/state`));
      } catch (e) {
        if (e.status !== 0) setError(e);
      }
      let c = await peopleLoad(id, today).catch(() => null);
      if (!c && navigator.onLine) {
        try {
          const p = await api.get(`/test-stations/${id}/people`);
          c = { station_id: id, day: p.day, salt: p.salt, people: p.people };
          await peopleSave(c);
        } catch (e) {
          if (e.status !== 0) setError(e);
        }
      }
      if (!stopped) setCache(c);
      sync();
    })();
    const up = () => { setOnline(true); sync(); };
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    const timer = setInterval(sync, SYNC_EVERY_MS);
    return () => {
      stopped = true;
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
      clearInterval(timer);
    };
  }, [id]);

  function startTube(code) {
    const cur = snapRef.current || {};
    const capacity = cur.station?.capacity || 10;
    setError(null);
    setSnap({ ...cur, tube: { code: code.trim(), samples: 0, capacity } });
  }

  async function closeTube() {
    const cur = snapRef.current || {};
    const tube = cur.tube;
    setSnap({ ...cur, tube: null });
    if (tube?.id && navigator.onLine) {
      try { await api.post(`/test-tubes/${tube.id}/close`); } catch (e) { if (e.status !== 0) setError(e); }
    }
  }

  async function register(person) {
    const cur = snapRef.current || {};
    if (!cur.tube) { setError({ hasServerMessage: true, message: t('station.need_tube') }); return; }
    const queued = await queueList(id);
    if (queued.some((x) => x.resident_id === person.resident_id)) {
      acknowledge({ kind: 'dup', key: `q-${person.resident_id}-${Date.now()}`,
        text: t('station.ack.in_queue', { name: person.name }) });
      return;
    }
    setError(null);
    setBusy(true);
    const item = { idem_key: newIdempotencyKey(), station_id: id, seq: Date.now(), resident_id: person.resident_id,
      tube_code: cur.tube.code, box_code: cur.box?.code || '', taken_at: Date.now(), name: person.name,
      room: person.room };
    await queueAdd(item);
    await refreshWaiting();
    try {
      if (navigator.onLine) {
        try {
          const a = await api.post(`/test-stations/${id}/samples`, wire(item, false), { retries: 0 });
          await queueRemove([item.idem_key]);
          if (a.status === 'duplicate') {
            acknowledge({ kind: 'dup', key: item.idem_key, text: t('station.ack.duplicate', { name: person.name,
              station: a.first?.station || '', when: a.first?.taken_at || '' }) });
          } else {
            acknowledge({ kind: a.status === 'counted' ? 'ok' : 'dup', key: item.idem_key,
              text: t('station.ack.counted', { name: person.name, room: person.room, n: a.tube.samples,
                capacity: a.tube.capacity }) });
            tubeFromAnswer(a.tube);
            const now = snapRef.current || {};
            if (a.status === 'counted' && now.counts) {
              setSnap({ ...now, counts: { ...now.counts, samples: now.counts.samples + 1 } });
            }
            if (a.tube.closed) acknowledge({ kind: 'ok', key: `full-${item.idem_key}`, text: t('station.tube_full') });
          }
          return;
        } catch (e) {
          if (e.status !== 0 && e.status < 500) {
            await queueRemove([item.idem_key]);
            setError(e);
            return;
          }
        }
      }
      // Kept for later: counted in the tube on this screen now, by the server on sync.
      const tube = { ...cur.tube, samples: cur.tube.samples + 1 };
      const full = tube.samples >= tube.capacity;
      setSnap({ ...(snapRef.current || cur), tube: full ? null : tube });
      acknowledge({ kind: 'wait', key: item.idem_key, text: t('station.ack.queued', { name: person.name,
        room: person.room, n: tube.samples, capacity: tube.capacity }) });
      if (full) acknowledge({ kind: 'ok', key: `full-${item.idem_key}`, text: t('station.tube_full') });
    } finally {
      setBusy(false);
      setPick(null);
      setResults(null);
      await refreshWaiting();
    }
  }

  async function onPersonCode(text) {
    setError(null);
    const scan = parseScan(text);
    if (!scan) { setError({ hasServerMessage: true, message: t('station.not_a_code') }); return; }
    let items = null;
    if (navigator.onLine) {
      try {
        items = (await api.get(`/test-stations/${id}/lookup?code=${encodeURIComponent(text.trim())}`)).items;
      } catch (e) {
        if (e.status !== 0) { setError(e); return; }
      }
    }
    if (!items && cache) {
      const d = await digest(cache.salt, scan.code);
      items = cache.people.filter((p) => (scan.kind === 'R' ? p.code_digest : p.household_code_digest) === d);
    }
    if (!items || !items.length) { setError({ hasServerMessage: true, message: t('station.nobody') }); return; }
    if (scan.kind === 'R') await register(items[0]);
    else setPick({ people: items, chosen: new Set(items.filter((p) => !p.sampled).map((p) => p.resident_id)) });
  }

  async function search(event) {
    event.preventDefault();
    setError(null);
    if (!q.trim()) return;
    if (navigator.onLine) {
      try {
        setResults((await api.get(`/test-stations/${id}/lookup?q=${encodeURIComponent(q.trim())}`)).items);
        return;
      } catch (e) {
        if (e.status !== 0) { setError(e); return; }
      }
    }
    setResults(cache ? searchCache(cache.people, q) : []);
  }

  async function registerPicked() {
    const chosen = pick.people.filter((p) => pick.chosen.has(p.resident_id));
    for (const p of chosen) await register(p);
  }

  const tube = snap?.tube;
  const personLabels = { noCode: t('station.no_code'), stop: t('station.stop'), camera: t('station.camera_person'),
    photo: t('station.photo'), type: t('station.type_person'), send: t('station.find') };
  const tubeLabels = { ...personLabels, camera: t('station.camera_tube'), type: t('station.type_tube'),
    send: t('station.start_tube') };
  return (
    <main class="page page-narrow" data-testid="station-page">
      <p><Link href="/station">{t('station.back')}</Link></p>
      <h1 data-testid="station-name">{snap?.station?.name || t('station.title')}</h1>
      <div class="station-bar">
        <span class={`station-pill${online ? '' : ' station-pill-off'}`} role="status" data-testid="station-online">
          {online ? t('station.online') : t('station.offline')}</span>
        <span class={`station-pill${waiting.length ? ' station-pill-wait' : ''}`} data-testid="station-waiting">
          {t('station.waiting', { n: waiting.length })}</span>
        {cache ? <span class="station-pill" data-testid="station-cache">{t('station.cache', { n: cache.people.length })}</span> : null}
      </div>
      <ErrorMessage error={error} testId="station-error" />
      <section class="station-tube" aria-label={t('station.tube')}>
        {tube ? (
          <>
            <div class="station-tube-head">
              <span>{t('station.tube')} <strong data-testid="station-tube-now">{tube.code}</strong></span>
              <span class="station-count" data-testid="station-tube-count">{tube.samples} / {tube.capacity}</span>
            </div>
            <button type="button" class="button" onClick={closeTube} data-testid="station-close-tube">{t('station.close_tube')}</button>
          </>
        ) : (
          <>
            <p class="lead" data-testid="station-need-tube">{t('station.scan_tube')}</p>
            <QrReader onCode={startTube} busy={busy} testId="station-tube" labels={tubeLabels} />
          </>
        )}
        <form class="station-row" onSubmit={(e) => { e.preventDefault(); const cur = snapRef.current || {};
          setSnap({ ...cur, box: boxCode.trim() ? { code: boxCode.trim() } : null }); setBoxCode(''); }}>
          <label class="field">
            <span class="field-label">{snap?.box ? t('station.box_now', { code: snap.box.code }) : t('station.box')}</span>
            <input value={boxCode} onInput={(e) => setBoxCode(e.currentTarget.value)} autoComplete="off" data-testid="station-box-input" />
          </label>
          <button type="submit" class="button">{t('station.box_set')}</button>
        </form>
      </section>
      {tube ? (
        <section class="station-section" aria-label={t('station.person')}>
          <h2>{t('station.person')}</h2>
          <QrReader onCode={onPersonCode} busy={busy} testId="station-person" labels={personLabels} />
          <form class="station-row" onSubmit={search}>
            <label class="field">
              <span class="field-label">{t('station.search')}</span>
              <input value={q} onInput={(e) => setQ(e.currentTarget.value)} autoComplete="off" data-testid="station-search" />
            </label>
            <button type="submit" class="button" data-testid="station-search-go">{t('station.find')}</button>
          </form>
          {results ? (
            results.length ? (
              <ul class="station-results">
                {results.map((p) => (
                  <li key={p.resident_id}>
                    <span class="station-person">{p.name} · {placeName({ room: p.room, block_name: p.block })} {p.phone_masked}
                      {p.sampled ? ` · ${t('station.sampled')}` : ''}{p.exempt ? ` · ${t('station.exempt')}` : ''}</span>
                    <button type="button" class="button button-primary" disabled={busy} onClick={() => register(p)}
                      data-testid={`station-register-${p.resident_id}`}>{t('station.register')}</button>
                  </li>
                ))}
              </ul>
            ) : <p data-testid="station-no-results">{t('station.nobody')}</p>
          ) : null}
          {pick ? (
            <div class="station-pick" data-testid="station-pick">
              <p>{t('station.pick')}</p>
              {pick.people.map((p) => (
                <label key={p.resident_id}>
                  <input type="checkbox" checked={pick.chosen.has(p.resident_id)} data-testid={`station-pick-${p.resident_id}`}
                    onChange={(e) => { const chosen = new Set(pick.chosen);
                      if (e.currentTarget.checked) chosen.add(p.resident_id); else chosen.delete(p.resident_id);
                      setPick({ ...pick, chosen }); }} />
                  {p.name} · {p.room}{p.sampled ? ` · ${t('station.sampled')}` : ''}
                </label>
              ))}
              <button type="button" class="button button-primary" disabled={busy || !pick.chosen.size} onClick={registerPicked}
                data-testid="station-pick-go">{t('station.register_picked', { n: pick.chosen.size })}</button>
            </div>
          ) : null}
        </section>
      ) : null}
      <section class="station-section" aria-label={t('station.recent')}>
        <h2>{t('station.recent')}</h2>
        <ul class="station-acks">
          {acks.map((a) => (
            <li key={a.key} class={`station-ack${a.kind === 'dup' ? ' station-ack-dup' : a.kind === 'wait' ? ' station-ack-wait' : ''}`}
              data-testid={`station-ack-${a.kind}`}>{a.text}</li>
          ))}
        </ul>
        {snap?.counts ? <p class="station-meta" data-testid="station-counts">{t('station.counts', snap.counts)}</p> : null}
      </section>
    </main>
  );
}
