// A search box that finds people by name, room or phone tail and lets a leader pick
// one: residents (to sign up someone without a smartphone) or serving volunteers (to
// put someone on a shift). The server keeps to the leader's scope.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { ErrorMessage } from '../../components/ErrorMessage.jsx';

export function PeoplePicker({ source, label, action, onPick, testId }) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [found, setFound] = useState(null);
  const [error, setError] = useState(null);
  async function search(e) {
    e.preventDefault();
    setError(null);
    try {
      const path = source === 'residents' ? `/residents?q=${encodeURIComponent(q)}&limit=10`
        : `/volunteers?q=${encodeURIComponent(q)}&limit=10`;
      const r = await api.get(path);
      setFound(source === 'volunteers' ? r.items.filter((v) => v.state === 'approved' || v.state === 'active') : r.items);
    } catch (err) {
      setError(err);
    }
  }
  return (
    <div data-testid={testId}>
      <form class="vol-filters" onSubmit={search}>
        <label class="field"><span class="field-label">{label}</span>
          <input value={q} onInput={(e) => setQ(e.currentTarget.value)} data-testid={`${testId}-q`} /></label>
        <button class="button" type="submit">{t('vol.picker.search')}</button>
      </form>
      <ErrorMessage error={error} />
      {found && found.length === 0 ? <p class="empty">{t('vol.picker.none')}</p> : null}
      <ul class="vol-cards">
        {(found || []).map((p) => (
          <li key={p.id} class="vol-card">
            <span class="vol-card-title">{p.name}</span>
            <span class="vol-card-meta">{p.room || p.household_room || ''} {p.phone || ''}</span>
            <div class="vol-card-actions">
              <button class="button button-primary" onClick={() => { onPick(p); setFound(null); setQ(''); }} data-testid={`${testId}-pick`}>{action}</button>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
