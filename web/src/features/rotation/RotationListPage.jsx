// /rotations: the rotations the caller may see, today's household on each; committee
// staff start a new one here (a block, a name, the first day and the number of rounds;
// the order is the block's households in room order, away and vacant ones left out).
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { hasAnyRole } from '../../roles.js';
import { Link, navigate } from '../../router.jsx';
import { useApiData } from '../../components/useApiData.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';
import { Loading } from '../../components/Loading.jsx';

function NewRotation() {
  const { t, lang } = useI18n();
  const blocks = useApiData('/blocks?limit=500', [lang]);
  const [form, setForm] = useState({ block_id: '', name: '', starts_on: '', rounds: '4' });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (key) => (event) => setForm({ ...form, [key]: event.currentTarget.value });

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const made = await api.post('/rotations', { ...form, block_id: Number(form.block_id), rounds: Number(form.rounds) });
      navigate(`/rotations/${made.rotation.id}`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  }

  return (
    <form class="card" onSubmit={submit} data-testid="rotation-new">
      <h2>{t('rotation.new')}</h2>
      <label>{t('rotation.field.block')}
        <select value={form.block_id} onChange={set('block_id')} required data-testid="rotation-block">
          <option value="">{t('rotation.field.block_pick')}</option>
          {(blocks.data?.items || []).map((b) => <option key={b.id} value={b.id}>{b.name}</option>)}
        </select>
      </label>
      <label>{t('rotation.field.name')}
        <input value={form.name} onInput={set('name')} required maxLength={64} placeholder={t('rotation.field.name_hint')} />
      </label>
      <label>{t('rotation.field.starts_on')}
        <input type="date" value={form.starts_on} onInput={set('starts_on')} required />
      </label>
      <label>{t('rotation.field.rounds')}
        <input type="number" min="1" max="100" value={form.rounds} onInput={set('rounds')} required />
      </label>
      <p class="hint">{t('rotation.new_hint')}</p>
      <ErrorMessage error={error} />
      <button type="submit" class="button button-primary button-block" disabled={busy}>{t('rotation.create')}</button>
    </form>
  );
}

export function RotationListPage() {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const committee = hasAnyRole(session.user, ['committee']);
  const [adding, setAdding] = useState(false);
  const { data, error, loading } = useApiData('/rotations?limit=500', [lang]);
  const items = [...(data?.items || [])].reverse();

  return (
    <main class="page" data-testid="rotations-page">
      <h1>{t('rotation.title')}</h1>
      <p class="lead">{t('rotation.intro')}</p>
      {committee && !adding ? (
        <p><button class="button button-primary button-block" onClick={() => setAdding(true)}>{t('rotation.new')}</button></p>
      ) : null}
      {committee && adding ? <NewRotation /> : null}
      {loading && !data ? <Loading /> : null}
      <ErrorMessage error={error} />
      {data && items.length === 0 ? <p class="empty">{t('rotation.none')}</p> : null}
      <ul class="sweep-cards">
        {items.map((r) => (
          <li key={r.id} class="sweep-card" data-testid="rotation-item" data-id={r.id}>
            <Link href={`/rotations/${r.id}`} class="sweep-card-link">
              <span class="sweep-card-title">{r.block_name} · {r.name}</span>
              <span class="sweep-state">{t(`rotation.state.${r.state}`)}</span>
            </Link>
            <span class="sweep-card-meta">
              {t('rotation.span', { from: r.starts_on, to: r.ends_on, rounds: r.rounds_planned, members: r.members })}
            </span>
            {r.today ? <span class="sweep-card-meta">{t('rotation.today_is', { room: r.today.room })}</span> : null}
          </li>
        ))}
      </ul>
    </main>
  );
}
