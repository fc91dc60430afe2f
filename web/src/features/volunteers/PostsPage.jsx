// /volunteers/posts and /volunteers/posts/:id: the posts (gates, sorting areas, sampling
// points) and each one's board — who is on duty now and the next shifts. The committee
// adds posts, lays out shifts by pattern (3 a day for two weeks) and prints the post's
// QR sign to hang where volunteers scan in and out.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { hasAnyRole } from '../../roles.js';
import { Link } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';
import { Message, shiftTime, useAction } from './common.jsx';
import { PeoplePicker } from './PeoplePicker.jsx';

// A leader puts someone on a shift (a volunteer without a smartphone, a replacement).
function Assign({ shiftId, onDone }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const action = useAction((r) => { setOpen(false); onDone(r); });
  return (
    <div>
      {open ? (
        <PeoplePicker source="volunteers" label={t('vol.assign.who')} action={t('vol.assign.put')} testId="assign-picker"
          onPick={(v) => action.run(() => api.post(`/shifts/${shiftId}/assign`, { volunteer_id: v.id }))} />
      ) : <button class="button button-quiet" onClick={() => setOpen(true)} data-testid="assign-open">{t('vol.assign.open')}</button>}
      <Message text={action.message} testId="assign-message" />
      <ErrorMessage error={action.error} />
    </div>
  );
}

const POST_KINDS = ['gate', 'sorting', 'sampling', 'patrol', 'other'];
const PATTERNS = {
  three: [{ start: '00:00', end: '08:00' }, { start: '08:00', end: '16:00' }, { start: '16:00', end: '00:00' }],
  day: [{ start: '08:00', end: '20:00' }],
};

function NewPost({ onDone }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [kind, setKind] = useState('gate');
  const [place, setPlace] = useState('');
  const action = useAction(() => { setName(''); setPlace(''); onDone(); });
  return (
    <form class="form" data-testid="post-new" onSubmit={(e) => { e.preventDefault(); action.run(() => api.post('/posts', place ? { name, kind, place } : { name, kind })); }}>
      <h2>{t('vol.posts.new')}</h2>
      <label class="field"><span class="field-label">{t('vol.posts.name')}</span><input value={name} onInput={(e) => setName(e.currentTarget.value)} required /></label>
      <label class="field"><span class="field-label">{t('vol.field.kind')}</span>
        <select value={kind} onChange={(e) => setKind(e.currentTarget.value)}>{POST_KINDS.map((k) => <option key={k} value={k}>{t(`vol.post_kind.${k}`)}</option>)}</select></label>
      <label class="field"><span class="field-label">{t('vol.task.place')}</span><input value={place} onInput={(e) => setPlace(e.currentTarget.value)} /></label>
      <ErrorMessage error={action.error} />
      <button class="button button-primary" type="submit" disabled={action.busy}>{t('vol.posts.add')}</button>
    </form>
  );
}

export function PostsPage() {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const committee = hasAnyRole(session.user, ['committee']);
  const { data, error, loading, reload } = useApiData('/posts?limit=200', [lang]);
  return (
    <main class="page page-narrow" data-testid="posts-page">
      <h1>{t('vol.posts.title')}</h1>
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      <ul class="vol-cards">
        {(data?.items || []).map((p) => (
          <li key={p.id} class="vol-card" data-testid="post-item">
            <Link href={`/volunteers/posts/${p.id}`} class="vol-card-title">{p.name}</Link>
            <span class="vol-card-meta">{t(`vol.post_kind.${p.kind}`)}{p.place ? ` · ${p.place}` : ''} · {t('vol.posts.on_duty', { n: p.on_duty })}</span>
          </li>
        ))}
      </ul>
      {committee ? <NewPost onDone={reload} /> : null}
    </main>
  );
}

function ShiftPattern({ postId, onDone }) {
  const { t } = useI18n();
  const today = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);
  const later = new Date(Date.now() + 13 * 86400000 + 8 * 3600000).toISOString().slice(0, 10);
  const [form, setForm] = useState({ from: today, to: later, pattern: 'three', need: 2 });
  const action = useAction(onDone);
  const set = (key) => (e) => setForm({ ...form, [key]: e.currentTarget.value });
  return (
    <form class="form" data-testid="shift-pattern" onSubmit={(e) => {
      e.preventDefault();
      action.run(async () => {
        const r = await api.post(`/posts/${postId}/shifts`, { from: form.from, to: form.to, times: PATTERNS[form.pattern], need: Number(form.need) });
        return { message: t('vol.posts.made', { made: r.made, kept: r.kept }) };
      });
    }}>
      <h2>{t('vol.posts.pattern')}</h2>
      <label class="field"><span class="field-label">{t('vol.posts.from')}</span><input type="date" value={form.from} onInput={set('from')} /></label>
      <label class="field"><span class="field-label">{t('vol.posts.to')}</span><input type="date" value={form.to} onInput={set('to')} /></label>
      <label class="field"><span class="field-label">{t('vol.posts.times')}</span>
        <select value={form.pattern} onChange={set('pattern')}><option value="three">{t('vol.posts.three')}</option><option value="day">{t('vol.posts.day')}</option></select></label>
      <label class="field"><span class="field-label">{t('vol.posts.need')}</span><input type="number" min="1" value={form.need} onInput={set('need')} /></label>
      <Message text={action.message} />
      <ErrorMessage error={action.error} />
      <button class="button button-primary" type="submit" disabled={action.busy}>{t('vol.posts.make')}</button>
    </form>
  );
}

export function PostBoardPage({ params }) {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const committee = hasAnyRole(session.user, ['committee']);
  const id = encodeURIComponent(params.id);
  const { data, error, loading, reload } = useApiData(`/posts/${id}`, [lang]);
  const post = data?.post;
  const leader = hasAnyRole(session.user, ['committee', 'zone_leader', 'block_leader']);
  const people = (list) => (list || []).filter((p) => p.state === 'assigned');
  return (
    <main class="page page-narrow" data-testid="post-board">
      <p><Link href="/volunteers/posts">{t('vol.posts.back')}</Link></p>
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {post ? (
        <>
          <h1>{post.name}</h1>
          <p class="lead">{t(`vol.post_kind.${post.kind}`)}{post.place ? ` · ${post.place}` : ''}</p>
          <section class="section">
            <h2>{t('vol.posts.now')}</h2>
            {post.now.length === 0 ? <p class="empty">{t('vol.posts.no_shift_now')}</p> : null}
            {post.now.map((s) => (
              <div key={s.id} class="vol-card" data-testid="board-now">
                <span class="vol-card-meta">{shiftTime(lang, s)} · {t('vol.shift.taken', { taken: s.taken, need: s.need })}</span>
                <ul>{people(s.people).map((p) => (
                  <li key={p.volunteer_id}>{p.name}{p.phone ? ` ${p.phone}` : ''} {p.checked_in_at && !p.checked_out_at
                    ? <span class="vol-badge vol-badge-ok">{t('vol.shift.on_duty')}</span>
                    : <span class="vol-badge vol-badge-warn">{t('vol.posts.not_in')}</span>}</li>))}</ul>
                {leader ? <Assign shiftId={s.id} onDone={reload} /> : null}
              </div>
            ))}
          </section>
          <section class="section">
            <h2>{t('vol.posts.next')}</h2>
            {post.next.map((s) => (
              <div key={s.id} class="vol-card">
                <span class="vol-card-meta">{shiftTime(lang, s)} · {t('vol.shift.taken', { taken: s.taken, need: s.need })}</span>
                <span class="vol-card-meta">{people(s.people).map((p) => p.name).join('、')}</span>
                {leader ? <Assign shiftId={s.id} onDone={reload} /> : null}
              </div>
            ))}
          </section>
          {committee ? (
            <>
              <p><a class="button" href={`/api/v1/posts/${id}/sheet`} target="_blank" rel="noopener" data-testid="post-sheet">{t('vol.posts.sheet')}</a></p>
              <ShiftPattern postId={id} onDone={reload} />
            </>
          ) : null}
        </>
      ) : null}
    </main>
  );
}
